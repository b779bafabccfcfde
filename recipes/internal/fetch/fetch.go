// Package fetch gets the resources that recipes name by URL, like
// zc.buildout's Download: local paths and file:// URLs are read in place,
// http(s) URLs are downloaded (never in offline mode) into the download
// cache when there is one, and an md5sum is checked with zc.buildout's
// messages.
package fetch

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/jinja2/pyval"
)

// Config is what fetching needs of the [buildout] section.
type Config struct {
	Dir     string // buildout directory: relative paths are resolved against it
	Offline bool   // buildout:offline
	Cache   string // buildout:download-cache, "" for none
}

// ConfigOf reads the Config of the buildout that h runs.
func ConfigOf(h buildout.Host) (Config, error) {
	b, err := h.Section("buildout")
	if err != nil {
		return Config{}, err
	}
	var c Config
	c.Dir, _ = b.Get("directory")
	if c.Offline, err = option.Bool(b, "offline", false); err != nil {
		return c, err
	}
	if cache, _ := b.Get("download-cache"); strings.TrimSpace(cache) != "" {
		c.Cache = strings.TrimSpace(cache)
		if !filepath.IsAbs(c.Cache) {
			c.Cache = filepath.Join(c.Dir, c.Cache)
		}
	}
	return c, nil
}

// IsRemote reports whether u is a URL that must be downloaded (not a local
// path or a file:// URL).
func IsRemote(u string) bool {
	scheme, _, ok := strings.Cut(u, "://")
	return ok && scheme != "file" && !strings.ContainsAny(scheme, "/.")
}

// LocalPath returns the path that a local resource u names, resolved
// against dir.
func LocalPath(dir, u string) string {
	if rest, ok := strings.CutPrefix(u, "file://"); ok {
		if p, err := url.PathUnescape(rest); err == nil {
			rest = p
		}
		u = rest
	}
	if !filepath.IsAbs(u) && dir != "" {
		u = filepath.Join(dir, u)
	}
	return u
}

// Fetch returns the path of a local copy of the resource at u, checked
// against md5sum when it is not empty. A local resource is used in place;
// a remote one comes from the cache or is downloaded. The returned cleanup
// removes a temporary download (it is never nil).
func Fetch(ctx context.Context, c Config, u, md5sum string) (path string, cleanup func(), err error) {
	nop := func() {}
	md5sum = strings.ToLower(strings.TrimSpace(md5sum))
	if !IsRemote(u) {
		p := LocalPath(c.Dir, u)
		if md5sum != "" {
			sum, err := fileMD5(p)
			if err != nil {
				return "", nop, err
			}
			if sum != md5sum {
				// zc.buildout names the path as the URL gives it.
				return "", nop, checksumError(fmt.Sprintf("MD5 checksum mismatch for local resource at %s.", pyval.QuoteString(LocalPath("", u))))
			}
		} else if _, err := os.Stat(p); err != nil {
			return "", nop, err
		}
		return p, nop, nil
	}
	var cached string
	if c.Cache != "" {
		key := md5.Sum([]byte(u))
		cached = filepath.Join(c.Cache, hex.EncodeToString(key[:]))
		if _, err := os.Stat(cached); err == nil {
			if md5sum != "" {
				sum, err := fileMD5(cached)
				if err != nil {
					return "", nop, err
				}
				if sum != md5sum {
					return "", nop, checksumError(fmt.Sprintf("MD5 checksum mismatch for cached download from %s at %s", pyval.QuoteString(u), pyval.QuoteString(cached)))
				}
			}
			return cached, nop, nil
		}
	}
	if c.Offline {
		return "", nop, fmt.Errorf("Couldn't download %s in offline mode.", pyval.QuoteString(u))
	}
	tmpDir := c.Cache
	if tmpDir != "" {
		if err := os.MkdirAll(tmpDir, 0o777); err != nil {
			return "", nop, err
		}
	}
	tmp, err := os.CreateTemp(tmpDir, "download-*")
	if err != nil {
		return "", nop, err
	}
	remove := func() { os.Remove(tmp.Name()) }
	sum, err := download(ctx, u, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		remove()
		return "", nop, fmt.Errorf("Couldn't download %s: %v", pyval.QuoteString(u), err)
	}
	if md5sum != "" && sum != md5sum {
		remove()
		return "", nop, checksumError(fmt.Sprintf("MD5 checksum mismatch downloading %s", pyval.QuoteString(u)))
	}
	if cached != "" {
		if err := os.Rename(tmp.Name(), cached); err != nil {
			remove()
			return "", nop, err
		}
		return cached, nop, nil
	}
	return tmp.Name(), remove, nil
}

// download copies the body of a GET of u to w and returns its md5.
func download(ctx context.Context, u string, w io.Writer) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP status %s", resp.Status)
	}
	h := md5.New()
	if _, err := io.Copy(io.MultiWriter(w, h), resp.Body); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileMD5 returns the hex md5 of the file at path.
func fileMD5(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checksumError is a fetched file whose md5 is not the one expected.
type checksumError string

func (e checksumError) Error() string { return string(e) }

// AtOption attributes a checksum mismatch to the option that gave the md5
// sum, so that buildout reports it at that option's line; other errors are
// returned unchanged.
func AtOption(err error, md5Option string) error {
	var ce checksumError
	if errors.As(err, &ce) {
		return &buildout.OptionError{Option: md5Option, Err: err}
	}
	return err
}
