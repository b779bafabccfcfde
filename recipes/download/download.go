// Package download implements the recipes that fetch files and archives:
// slapos.recipe.build:download, slapos.recipe.build:download-unpacked and
// hexagonit.recipe.download (spec slapos.md §4.3, §4.4). Local paths and
// file:// URLs are read in place; http(s) URLs are fetched only when not
// offline, checked against md5sum and kept in buildout's download cache.
package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/archive"
	"webrunner/recipes/internal/fetch"
	"webrunner/recipes/internal/option"
)

func init() {
	buildout.Register("slapos.recipe.build:download", newDownload)
	buildout.Register("slapos.recipe.build:download-unpacked", newDownloadUnpacked)
	buildout.Register("hexagonit.recipe.download", newHexagonit)
}

// source is a resource to fetch for a part.
type source struct {
	host      buildout.Host
	section   string
	url, alt  string
	md5sum    string
	offline   *bool // overrides buildout:offline when not nil
	hashCheck bool
}

// newSource reads url, md5sum, alternate-url and offline from opts.
func newSource(h buildout.Host, name string, opts *buildout.Options) (*source, error) {
	u, err := option.Required(opts, "url")
	if err != nil {
		return nil, err
	}
	s := &source{host: h, section: name, url: strings.TrimSpace(u)}
	s.md5sum = strings.TrimSpace(option.Get(opts, "md5sum", ""))
	s.alt = strings.TrimSpace(option.Get(opts, "alternate-url", ""))
	if v, ok := opts.Get("offline"); ok && strings.TrimSpace(v) != "" {
		b, err := option.Bool(opts, "offline", false)
		if err != nil {
			return nil, err
		}
		s.offline = &b
	}
	return s, nil
}

// fetch returns the path of a local copy of the resource and its cleanup.
func (s *source) fetch(ctx context.Context) (string, func(), error) {
	c, err := fetch.ConfigOf(s.host)
	if err != nil {
		return "", nil, err
	}
	if s.offline != nil {
		c.Offline = *s.offline
	}
	p, cleanup, err := fetch.Fetch(ctx, c, s.url, s.md5sum)
	if err != nil && s.alt != "" && fetch.IsRemote(s.url) && !strings.Contains(err.Error(), "MD5 checksum mismatch") {
		s.host.Logf("%s: %v; trying %s", s.section, err, s.alt)
		p, cleanup, err = fetch.Fetch(ctx, c, s.alt, s.md5sum)
	}
	return p, cleanup, fetch.AtOption(err, "md5sum")
}

// copyFile copies src to dst, with the permission bits of src, replacing dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", src)
	}
	os.Remove(dst)
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm()|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(fi.Mode().Perm()); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// partsDir returns buildout:parts-directory.
func partsDir(h buildout.Host) (string, error) {
	b, err := h.Section("buildout")
	if err != nil {
		return "", err
	}
	p, ok := b.Get("parts-directory")
	if !ok || p == "" {
		return "", errors.New("Missing option: buildout:parts-directory")
	}
	return p, nil
}

// recipe is a buildout.Recipe made of two functions.
type recipe struct {
	install, update func(ctx context.Context) ([]string, error)
}

func (r recipe) Install(ctx context.Context) ([]string, error) { return r.install(ctx) }
func (r recipe) Update(ctx context.Context) ([]string, error)  { return r.update(ctx) }

// noUpdate is an update method that does nothing.
func noUpdate(context.Context) ([]string, error) { return nil, nil }

// newDownload makes slapos.recipe.build:download: the file goes to
// destination, or parts/<section>/<filename or section>; option target
// holds its path.
func newDownload(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	src, err := newSource(h, name, opts)
	if err != nil {
		return nil, err
	}
	var tgt, installed string
	if d := strings.TrimSpace(option.Get(opts, "destination", "")); d != "" {
		if option.IsTrue(opts, "shared") {
			return nil, fmt.Errorf("section %s: options 'destination' and 'shared' conflict", name)
		}
		tgt = option.Abs(h, d)
		installed = tgt
	} else {
		parts, err := partsDir(h)
		if err != nil {
			return nil, err
		}
		loc := filepath.Join(parts, name)
		fn := strings.TrimSpace(option.Get(opts, "filename", ""))
		if fn == "" {
			fn = name
		}
		tgt = filepath.Join(loc, fn)
		installed = loc
	}
	opts.Set("target", tgt)
	opts.Get("shared") // Shared parts are installed like others.
	install := func(ctx context.Context) ([]string, error) {
		p, cleanup, err := src.fetch(ctx)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		if err := os.MkdirAll(filepath.Dir(tgt), 0o777); err != nil {
			return nil, err
		}
		if err := copyFile(p, tgt); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{installed}, nil
	}
	update := install
	if src.md5sum != "" {
		update = noUpdate
	}
	return recipe{install, update}, nil
}

// newDownloadUnpacked makes slapos.recipe.build:download-unpacked: the
// archive is extracted into destination or parts/<section>, without its
// single top-level directory unless strip-top-level-dir is false.
func newDownloadUnpacked(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	src, err := newSource(h, name, opts)
	if err != nil {
		return nil, err
	}
	tgt := strings.TrimSpace(option.Get(opts, "destination", ""))
	if tgt == "" {
		parts, err := partsDir(h)
		if err != nil {
			return nil, err
		}
		tgt = filepath.Join(parts, name)
	}
	tgt = option.Abs(h, tgt)
	opts.Set("target", tgt)
	strip := true
	if v, ok := opts.Get("strip-top-level-dir"); ok && strings.TrimSpace(v) != "" {
		if strip, err = option.Bool(opts, "strip-top-level-dir", true); err != nil {
			return nil, err
		}
	}
	opts.Get("shared")
	install := func(ctx context.Context) ([]string, error) {
		p, cleanup, err := src.fetch(ctx)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		if err := os.MkdirAll(filepath.Dir(tgt), 0o777); err != nil {
			return nil, err
		}
		tmp, err := os.MkdirTemp(filepath.Dir(tgt), "."+filepath.Base(tgt)+"-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		if err := archive.Unpack(ctx, p, tmp, nil); err != nil {
			return nil, fmt.Errorf("section %s: extracting %s: %w", name, src.url, err)
		}
		base := tmp
		if strip {
			if entries, err := os.ReadDir(tmp); err == nil && len(entries) == 1 && entries[0].IsDir() {
				base = filepath.Join(tmp, entries[0].Name())
			}
		}
		if err := os.RemoveAll(tgt); err != nil {
			return nil, err
		}
		if err := os.Rename(base, tgt); err != nil {
			return nil, err
		}
		return []string{tgt}, nil
	}
	return recipe{install, noUpdate}, nil
}

// hexTrue reports whether option key holds one of hexagonit.recipe.download's TRUE_VALUES.
func hexTrue(opts *buildout.Options, key string) bool {
	v := strings.ToLower(strings.TrimSpace(option.Get(opts, key, "")))
	return v == "yes" || v == "true" || v == "1" || v == "on"
}

// newHexagonit makes hexagonit.recipe.download.
func newHexagonit(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	dest := strings.TrimSpace(option.Get(opts, "destination", ""))
	if dest == "" {
		parts, err := partsDir(h)
		if err != nil {
			return nil, err
		}
		dest = filepath.Join(parts, name)
		opts.Set("destination", dest)
	}
	dest = option.Abs(h, dest)
	opts.Set("location", dest)
	opts.Get("hash-name") // The cache is always keyed by a hash of the URL.
	filename := strings.TrimSpace(option.Get(opts, "filename", ""))
	opts.Set("filename", filename)
	mode, hasMode, err := option.Mode(opts, "mode")
	if err != nil {
		return nil, err
	}
	excludes := option.Lines(option.Get(opts, "excludes", ""))
	src, err := newSource(h, name, opts)
	if err != nil {
		return nil, err
	}
	install := func(ctx context.Context) ([]string, error) {
		p, cleanup, err := src.fetch(ctx)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		var created []string
		if fi, err := os.Stat(dest); err != nil || !fi.IsDir() {
			if err := os.MkdirAll(dest, 0o777); err != nil {
				return nil, err
			}
			created = append(created, dest)
		}
		if hexTrue(opts, "download-only") {
			fn := filename
			if fn == "" {
				fn = urlBase(src.url)
			}
			tp := filepath.Join(dest, fn)
			if err := copyFile(p, tp); err != nil {
				return nil, fmt.Errorf("section %s: %w", name, err)
			}
			if hasMode {
				if err := os.Chmod(tp, mode); err != nil {
					return nil, err
				}
			}
			if len(created) == 0 {
				created = append(created, tp)
			}
			return created, nil
		}
		tmp, err := os.MkdirTemp(filepath.Dir(dest), ".buildout-"+name+"-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		excluded := 0
		keep := func(entry string) bool {
			for _, e := range excludes {
				if fnmatch(entry, e) {
					excluded++
					return false
				}
			}
			return true
		}
		if err := archive.Unpack(ctx, p, tmp, keep); err != nil {
			if errors.Is(err, archive.ErrUnknownFormat) {
				h.Logf("%s: Unable to extract the package %s. Unknown format.", name, p)
				return nil, errors.New("Package extraction error")
			}
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		if excluded > 0 {
			h.Logf("%s: Excluding %d file(s) matching the exclusion pattern.", name, excluded)
		}
		base := tmp
		top, err := os.ReadDir(tmp)
		if err != nil {
			return nil, err
		}
		if hexTrue(opts, "strip-top-level-dir") {
			if len(top) != 1 {
				h.Logf("%s: Unable to strip top level directory because there are more than one element in the root of the package.", name)
				return nil, errors.New("Invalid package contents")
			}
			base = filepath.Join(tmp, top[0].Name())
			if top, err = os.ReadDir(base); err != nil {
				return nil, err
			}
		}
		h.Logf("%s: Extracting package to %s", name, dest)
		for _, e := range top {
			d := filepath.Join(dest, e.Name())
			if _, err := os.Lstat(d); err == nil {
				if !hexTrue(opts, "ignore-existing") {
					h.Logf("%s: Target %s already exists. Either remove it or set ``ignore-existing = true`` in your buildout.cfg to ignore existing files and directories.", name, d)
					return nil, errors.New("File or directory already exists.")
				}
				h.Logf("%s: Ignoring existing target: %s", name, d)
				if err := os.RemoveAll(d); err != nil {
					return nil, err
				}
			} else {
				created = append(created, d)
			}
			if err := os.Rename(filepath.Join(base, e.Name()), d); err != nil {
				return nil, err
			}
		}
		return created, nil
	}
	update := func(ctx context.Context) ([]string, error) {
		if hexTrue(opts, "on-update") {
			if _, err := install(ctx); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	return recipe{install, update}, nil
}

// urlBase returns the last element of the path of u (a URL or a local path).
func urlBase(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Path != "" {
		return path.Base(pu.Path)
	}
	return filepath.Base(u)
}

// fnmatch reports whether name matches the shell pattern pat like Python's
// fnmatch.fnmatch: "*" and "?" also match "/".
func fnmatch(name, pat string) bool {
	var re strings.Builder
	re.WriteString("^(?s:")
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; c {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		case '[':
			j := strings.IndexByte(pat[i+1:], ']')
			if j < 0 {
				re.WriteString(`\[`)
				continue
			}
			class := pat[i+1 : i+1+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			re.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j + 1
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString(")$")
	ok, err := regexp.MatchString(re.String(), name)
	return err == nil && ok
}
