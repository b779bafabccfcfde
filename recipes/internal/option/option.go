// Package option reads recipe options the way the Python recipes do:
// booleans, octal modes, whitespace and line lists.
package option

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"webrunner/buildout"
)

// Bool returns the boolean value of option key, or def when it is absent
// or empty. True values are y yes 1 true on, false values n no 0 false off
// (case-insensitive), as slapos.cookbook's TRUE_VALUES/FALSE_VALUES plus the
// "on"/"off" of zc.buildout's bool_option.
func Bool(opts *buildout.Options, key string, def bool) (bool, error) {
	v, ok := opts.Get(key)
	v = strings.ToLower(strings.TrimSpace(v))
	if !ok || v == "" {
		return def, nil
	}
	switch v {
	case "y", "yes", "1", "true", "on":
		return true, nil
	case "n", "no", "0", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("invalid value %q for option %s:%s (expected true or false)", v, opts.Section(), key)
}

// IsTrue reports whether option key holds one of the true values of Bool;
// anything else, including an absent option, is false.
func IsTrue(opts *buildout.Options, key string) bool {
	b, err := Bool(opts, key, false)
	return err == nil && b
}

// Mode returns option key parsed as an octal file mode (int(value, 8)), and
// whether the option was set and not empty.
func Mode(opts *buildout.Options, key string) (os.FileMode, bool, error) {
	v, ok := opts.Get(key)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return 0, false, nil
	}
	s := strings.TrimPrefix(strings.TrimPrefix(v, "0o"), "0O")
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o7777 {
		return 0, false, fmt.Errorf("invalid octal mode %q for option %s:%s", v, opts.Section(), key)
	}
	return os.FileMode(n&0o777) | modeBits(n), true, nil
}

// modeBits converts the setuid, setgid and sticky bits of a Unix mode to Go's.
func modeBits(n uint64) os.FileMode {
	var m os.FileMode
	if n&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if n&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if n&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}

// Required returns option key, or zc.buildout's MissingOption error
// ("Missing option: section:key") when it is absent.
func Required(opts *buildout.Options, key string) (string, error) {
	v, ok := opts.Get(key)
	if !ok {
		return "", fmt.Errorf("Missing option: %s:%s", opts.Section(), key)
	}
	return v, nil
}

// Get returns option key, or def when it is absent.
func Get(opts *buildout.Options, key, def string) string {
	if v, ok := opts.Get(key); ok {
		return v
	}
	return def
}

// Abs returns path made absolute against the buildout directory of h, the
// working directory of the Python recipes.
func Abs(h buildout.Host, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	if b, err := h.Section("buildout"); err == nil {
		if dir, ok := b.Get("directory"); ok && dir != "" {
			return filepath.Join(dir, path)
		}
	}
	return path
}

// Lines returns the non-empty, trimmed lines of s.
func Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
