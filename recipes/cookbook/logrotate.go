package cookbook

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/files"
	"webrunner/recipes/internal/option"
)

func init() {
	buildout.Register("slapos.cookbook:logrotate", newLogrotate)
	buildout.Register("slapos.cookbook:logrotate.d", newLogrotateD)
}

// requiredOptions returns the values of the given options, or the error
// of the first missing one.
func requiredOptions(opts *buildout.Options, keys ...string) ([]string, error) {
	out := make([]string, len(keys))
	for i, k := range keys {
		v, err := option.Required(opts, k)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// newLogrotate makes slapos.cookbook:logrotate: the main configuration
// (mode 0600, no final newline) and a wrapper running logrotate on it.
func newLogrotate(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	return installer(func(ctx context.Context) ([]string, error) {
		v, err := requiredOptions(opts, "logrotate-entries", "conf", "gzip-binary", "gunzip-binary",
			"state-file", "wrapper", "logrotate-binary")
		if err != nil {
			return nil, err
		}
		entries, conf, gzip, gunzip, state, wrapper, binary := v[0], option.Abs(h, v[1]), v[2], v[3], v[4], option.Abs(h, v[5]), v[6]
		text := "compresscmd " + gzip + "\ncompressoptions -9\nuncompresscmd " + gunzip + "\ninclude " + entries
		if err := files.Create(conf, []byte(text), 0o600); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		w := &wrapperScript{args: []string{strings.TrimSpace(binary), "-s", state, conf}}
		if err := w.write(wrapper); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{conf, wrapper}, nil
	}), nil
}

// newLogrotateD makes slapos.cookbook:logrotate.d: one entry file (mode
// 0600) in the logrotate entries directory.
func newLogrotateD(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	if _, ok := opts.Get("name"); !ok {
		opts.Set("name", name)
	}
	return installer(func(ctx context.Context) ([]string, error) {
		v, err := requiredOptions(opts, "logrotate-entries", "name", "log", "backup")
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		b.WriteString(v[2] + " {\ndaily\ndateext\nrotate 3650\ncompress\ndelaycompress\nnotifempty\nsharedscripts\ncreate\nolddir " + v[3] + "\n")
		if post, ok := opts.Get("post"); ok {
			b.WriteString("postrotate\n" + post + "\nendscript\n")
		}
		if pre, ok := opts.Get("pre"); ok {
			b.WriteString("prerotate\n" + pre + "\nendscript\n")
		}
		b.WriteString("}\n")
		path := filepath.Join(option.Abs(h, v[0]), v[1])
		if err := files.Create(path, []byte(b.String()), 0o600); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{path}, nil
	}), nil
}
