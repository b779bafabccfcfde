package cookbook

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/files"
	"webrunner/recipes/internal/option"
)

func init() {
	buildout.Register("slapos.cookbook:generate.password", newGeneratePassword)
	buildout.Register("slapos.cookbook:symbolic.link", newSymbolicLink)
	buildout.Register("slapos.cookbook:userinfo", newUserinfo)
}

// newGeneratePassword makes slapos.cookbook:generate.password: option
// passwd holds a random password of lowercase letters (bytes long, default
// 16), kept in storage-path (default parts/<section>) so that it stays the
// same from one run to the next. A passwd option set in the profile is used
// as is.
func newGeneratePassword(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	storage, ok := opts.Get("storage-path")
	if !ok {
		b, err := h.Section("buildout")
		if err != nil {
			return nil, err
		}
		parts, _ := b.Get("parts-directory")
		storage = filepath.Join(parts, name)
		opts.Set("storage-path", storage)
	}
	storage = option.Abs(h, storage)
	n, err := strconv.Atoi(strings.TrimSpace(option.Get(opts, "bytes", "16")))
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("section %s: option bytes: %q is not a positive number", name, option.Get(opts, "bytes", ""))
	}
	opts.Get("create-once")
	passwd, _ := opts.Get("passwd")
	if passwd == "" && storage != "" {
		if b, err := os.ReadFile(storage); err == nil {
			passwd = strings.Trim(string(b), "\n")
		}
	}
	if passwd == "" {
		if passwd, err = randomLetters(n); err != nil {
			return nil, err
		}
	}
	opts.Set("passwd", passwd)
	return installer(func(ctx context.Context) ([]string, error) {
		if storage == "" {
			return []string{}, nil
		}
		if b, err := os.ReadFile(storage); err == nil && strings.Trim(string(b), "\n") == passwd {
			return []string{}, nil
		}
		if err := os.MkdirAll(filepath.Dir(storage), 0o777); err != nil {
			return nil, err
		}
		if err := files.Create(storage, []byte(passwd), 0o600); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{}, nil
	}), nil
}

// randomLetters returns n random lowercase ASCII letters.
func randomLetters(n int) (string, error) {
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(26))
		if err != nil {
			return "", err
		}
		b[i] = byte('a' + k.Int64())
	}
	return string(b), nil
}

// newSymbolicLink makes slapos.cookbook:symbolic.link: a symbolic link in
// target-directory to each path of link-binary, named after its base name.
func newSymbolicLink(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	return installer(func(ctx context.Context) ([]string, error) {
		v, err := requiredOptions(opts, "target-directory", "link-binary")
		if err != nil {
			return nil, err
		}
		dir := option.Abs(h, strings.TrimSpace(v[0]))
		links := []string{}
		for _, target := range option.Lines(v[1]) {
			link := filepath.Join(dir, filepath.Base(target))
			if fi, err := os.Lstat(link); err == nil {
				if fi.Mode()&os.ModeSymlink == 0 {
					return nil, fmt.Errorf("Target link already '%s' exists but it is not link", link)
				}
				if err := os.Remove(link); err != nil {
					return nil, err
				}
			}
			if err := os.Symlink(target, link); err != nil {
				return nil, fmt.Errorf("section %s: %w", name, err)
			}
			links = append(links, link)
		}
		return links, nil
	}), nil
}

// newUserinfo makes slapos.cookbook:userinfo: the pw-* and gr-* options
// describe the user running the buildout and its primary group.
func newUserinfo(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	u, err := user.Current()
	if err != nil {
		return nil, fmt.Errorf("section %s: %w", name, err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		var unknown user.UnknownGroupIdError
		if !errors.As(err, &unknown) {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		g = &user.Group{Gid: u.Gid, Name: u.Gid}
	}
	shell := "/bin/sh"
	if s := os.Getenv("SHELL"); s != "" {
		shell = s
	}
	for _, kv := range [][2]string{
		{"pw-name", u.Username}, {"pw-passwd", "x"}, {"pw-uid", u.Uid}, {"pw-gid", u.Gid},
		{"pw-gecos", u.Name}, {"pw-dir", u.HomeDir}, {"pw-shell", shell},
		{"gr-name", g.Name}, {"gr-passwd", "x"}, {"gr-gid", g.Gid}, {"gr-mem", ""},
	} {
		opts.Set(kv[0], kv[1])
	}
	return installer(func(context.Context) ([]string, error) { return []string{}, nil }), nil
}
