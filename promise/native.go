package promise

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"webrunner/recipes/jinja2/pyval"
)

// nativeModules maps a slapos.toolbox plugin module name to its Go
// implementation. A plugin file importing one of these runs in-process,
// without Python.
var nativeModules = map[string]func(*nativePromise) error{
	"check_socket_listening": newSocketListening,
	"check_port_listening":   newPortListening,
	"check_url_available":    newURLAvailable,
	"check_file_state":       newFileState,
	"check_command_execute":  newCommandExecute,
	"check_free_disk_space":  newFreeDiskSpace,
}

// NativeModules returns the names of the slapos.toolbox promise plugin
// modules implemented in Go, sorted.
func NativeModules() []string {
	names := make([]string, 0, len(nativeModules))
	for n := range nativeModules {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// config is the configuration a promise sees through getConfig: the
// launcher's base keys followed by the file's extra_config_dict.
type config struct {
	items []pyItem
}

// lookup returns the value of key; ok is false when the key is absent.
func (c *config) lookup(key string) (v any, ok bool) {
	for _, it := range c.items {
		if it.Key == key {
			return it.Value, true
		}
	}
	return nil, false
}

// get returns str(value) of key, or def when key is absent or None.
func (c *config) get(key, def string) string {
	if v, ok := c.lookup(key); ok && v != nil {
		return pyStr(v)
	}
	return def
}

// intOr returns int(value) of key, or def when the key is absent or has a
// false value (Python's int(getConfig(key) or def)).
func (c *config) intOr(key string, def int) (int, error) {
	if !c.has(key) {
		return def, nil
	}
	v, _ := c.lookup(key)
	switch v := v.(type) {
	case int64:
		return int(v), nil
	case float64:
		return int(v), nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	}
	return pyParseInt(c.get(key, ""))
}

// intDefault returns int(value) of key, or def when the key is absent or
// None (Python's int(getConfig(key, def))).
func (c *config) intDefault(key string, def int) (int, error) {
	v, ok := c.lookup(key)
	if !ok || v == nil {
		return def, nil
	}
	switch v := v.(type) {
	case int64:
		return int(v), nil
	case float64:
		return int(v), nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	}
	return pyParseInt(pyStr(v))
}

// has reports whether key has a true value (a non-empty string…).
func (c *config) has(key string) bool {
	v, ok := c.lookup(key)
	if !ok {
		return false
	}
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case bool:
		return v
	case int64:
		return v != 0
	case float64:
		return v != 0
	case []any:
		return len(v) > 0
	}
	return true
}

// nativePromise is a promise implemented in Go: the state a
// GenericPromise subclass sets up in __init__, and its sense method.
type nativePromise struct {
	cfg       *config
	partition string
	name      string

	periodicity    float64 // minutes
	intPeriodicity bool    // set with an int, written "2" not "2.0"
	tested         bool
	anomalyChecked bool
	test           evaluation
	anomaly        evaluation
	// sense checks the service and logs the outcome; an error is logged
	// at ERROR level, as an exception raised by sense() is.
	sense func(ctx context.Context, log *senseLog) error
}

func newNativePromise(cfg *config, partition, name string) *nativePromise {
	return &nativePromise{
		cfg:            cfg,
		partition:      partition,
		name:           name,
		periodicity:    2,
		intPeriodicity: true,
		tested:         true,
		anomalyChecked: true,
		test:           evaluation{resultCount: 1, failureAmount: 1},
		anomaly:        evaluation{resultCount: 1, failureAmount: 1, anomaly: true},
	}
}

// setFrequency applies the toolbox convention
// setPeriodicity(float(getConfig('frequency', def))).
func (p *nativePromise) setFrequency(def string) error {
	f, err := pyParseFloat(p.cfg.get("frequency", def))
	if err != nil {
		return err
	}
	return p.setPeriodicity(f, false)
}

func (p *nativePromise) setPeriodicity(minutes float64, isInt bool) error {
	if minutes <= 0 {
		return &pyError{"ValueError", "Cannot set promise periodicity to a value less than 1"}
	}
	p.periodicity, p.intPeriodicity = minutes, isInt
	return nil
}

// senseLog collects what a native promise logs during one sense call.
type senseLog struct {
	now     func() time.Time
	mu      sync.Mutex
	entries []logEntry
	closed  bool
}

func (l *senseLog) log(level, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.entries = append(l.entries, logEntry{time: l.now(), level: level, msg: msg})
	}
}

func (l *senseLog) info(format string, args ...any)  { l.log(levelInfo, format, args...) }
func (l *senseLog) error(format string, args ...any) { l.log(levelError, format, args...) }

// close stops collecting and returns the entries logged so far.
func (l *senseLog) close() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return l.entries
}

// pyParseInt parses s like Python's int(s).
func pyParseInt(s string) (int, error) {
	t := strings.ReplaceAll(strings.TrimFunc(s, unicode.IsSpace), "_", "")
	n, err := strconv.Atoi(t)
	if err != nil || t == "" {
		return 0, &pyError{"ValueError", "invalid literal for int() with base 10: " + pyval.QuoteString(s)}
	}
	return n, nil
}

// pyParseFloat parses s like Python's float(s).
func pyParseFloat(s string) (float64, error) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil && !isRangeErr(err) || strings.HasPrefix(strings.ToLower(strings.TrimLeft(t, "+-")), "0x") {
		return 0, &pyError{"ValueError", "could not convert string to float: " + pyval.QuoteString(s)}
	}
	return f, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// pyTrue reports whether a config value is one of the given spellings,
// compared case-insensitively as the toolbox does with .lower().
func pyTrue(v string, spellings ...string) bool {
	v = strings.ToLower(v)
	for _, s := range spellings {
		if v == s {
			return true
		}
	}
	return false
}
