// Package logrotate rotates log files as described by logrotate
// configuration files, supporting the directives that slapos.cookbook's
// logrotate and logrotate.d recipes and the SlapOS stacks write
// (slapos.md §4.9), so that instances need no system logrotate.
package logrotate

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Options are the settings of one block of a configuration file; the
// directives written before any block are the defaults of the blocks after them.
type Options struct {
	Frequency       string // "hourly", "daily", "weekly", "monthly", "yearly" or "" (every run)
	Rotate          int    // rotated files kept
	Start           int    // first number of numbered rotations
	Size            int64  // rotate when at least this big, whatever the frequency (0: unset)
	MinSize         int64  // with a frequency, rotate only when at least this big
	MaxSize         int64  // rotate when bigger, even before the frequency is due
	MaxAge          int    // remove rotated files older than this many days (0: never)
	Compress        bool
	DelayCompress   bool
	CompressCmd     string // empty: built-in gzip
	UncompressCmd   string
	CompressOptions []string
	CompressExt     string // empty: derived from CompressCmd
	OldDir          string // relative paths are relative to the log's directory
	CreateOldDir    bool
	DateExt         bool
	DateFormat      string
	Extension       string // kept at the end of rotated names
	Create          bool
	CreateMode      os.FileMode // 0: the mode of the rotated file
	CreateOwner     string
	CreateGroup     string
	CopyTruncate    bool
	Copy            bool
	IfEmpty         bool
	MissingOK       bool
	SharedScripts   bool
	FirstAction     string
	PreRotate       string
	PostRotate      string
	LastAction      string
}

// An Entry is one block: the logs it names and its options.
type Entry struct {
	Pos      string   // file:line of the block
	Patterns []string // paths or globs
	Options
}

// A Config is a parsed configuration file with its includes.
type Config struct {
	Entries []*Entry
	// Warnings lists the ignored lines (unknown directives), as logrotate
	// reports them, each with its file:line.
	Warnings []string
}

// defaults are logrotate's built-in settings.
func defaults() Options {
	return Options{Rotate: 0, Start: 1, IfEmpty: true, DateFormat: "-%Y%m%d", CompressOptions: nil}
}

// ParseFile reads the configuration file path and what it includes.
func ParseFile(path string) (*Config, error) {
	c := &Config{}
	g := defaults()
	if err := c.parse(path, &g, 0); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) parse(path string, g *Options, depth int) error {
	if depth > 10 {
		return fmt.Errorf("%s: include nesting too deep", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var (
		cur    *Entry // block being read
		script *string
		n      int
	)
	pos := func() string { return fmt.Sprintf("%s:%d", path, n) }
	for sc.Scan() {
		n++
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if script != nil {
			if line == "endscript" {
				script = nil
				continue
			}
			*script += raw + "\n"
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		if cur == nil {
			if open := strings.HasSuffix(line, "{"); open || strings.Contains(line, "{") {
				head, tail, _ := strings.Cut(line, "{")
				if strings.TrimSpace(tail) != "" {
					return fmt.Errorf("%s: unexpected text after {", pos())
				}
				pats, err := splitWords(head)
				if err != nil || len(pats) == 0 {
					return fmt.Errorf("%s: missing log file names before {", pos())
				}
				cur = &Entry{Pos: pos(), Patterns: pats, Options: *g}
				cur.CompressOptions = append([]string(nil), g.CompressOptions...)
				continue
			}
		}
		if line == "}" {
			if cur == nil {
				return fmt.Errorf("%s: unexpected }", pos())
			}
			c.Entries = append(c.Entries, cur)
			cur = nil
			continue
		}
		words, err := splitWords(line)
		if err != nil {
			return fmt.Errorf("%s: %v", pos(), err)
		}
		o := g
		if cur != nil {
			o = &cur.Options
		}
		if words[0] == "include" {
			if cur != nil {
				return fmt.Errorf("%s: include is not allowed inside a block", pos())
			}
			if len(words) != 2 {
				return fmt.Errorf("%s: include needs one path", pos())
			}
			if err := c.include(rel(path, words[1]), g, depth); err != nil {
				return fmt.Errorf("%s: %w", pos(), err)
			}
			continue
		}
		s, err := c.directive(o, words, pos())
		if err != nil {
			return err
		}
		script = s
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if script != nil {
		return fmt.Errorf("%s: missing endscript", pos())
	}
	if cur != nil {
		return fmt.Errorf("%s: missing } for the block at %s", pos(), cur.Pos)
	}
	return nil
}

// include reads a file, or every file of a directory in name order.
func (c *Config) include(p string, g *Options, depth int) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return c.parse(p, g, depth+1)
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || strings.HasSuffix(n, "~") ||
			strings.HasSuffix(n, ".rpmsave") || strings.HasSuffix(n, ".rpmorig") ||
			strings.HasSuffix(n, ".dpkg-old") || strings.HasSuffix(n, ".dpkg-dist") || strings.HasSuffix(n, ".swp") {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := c.parse(filepath.Join(p, n), g, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// directive applies one directive line to o; for a script directive it
// returns where the script text goes.
func (c *Config) directive(o *Options, w []string, pos string) (*string, error) {
	arg := func() (string, error) {
		if len(w) < 2 {
			return "", fmt.Errorf("%s: %s needs an argument", pos, w[0])
		}
		return w[1], nil
	}
	num := func() (int, error) {
		a, err := arg()
		if err != nil {
			return 0, err
		}
		v, err := strconv.Atoi(a)
		if err != nil {
			return 0, fmt.Errorf("%s: %s: bad number %q", pos, w[0], a)
		}
		return v, nil
	}
	size := func() (int64, error) {
		a, err := arg()
		if err != nil {
			return 0, err
		}
		v, err := parseSize(a)
		if err != nil {
			return 0, fmt.Errorf("%s: %s: %v", pos, w[0], err)
		}
		return v, nil
	}
	var err error
	switch w[0] {
	case "hourly", "daily", "weekly", "monthly", "yearly":
		o.Frequency = w[0]
	case "rotate":
		o.Rotate, err = num()
	case "start":
		o.Start, err = num()
	case "maxage":
		o.MaxAge, err = num()
	case "size":
		o.Size, err = size()
	case "minsize":
		o.MinSize, err = size()
	case "maxsize":
		o.MaxSize, err = size()
	case "compress":
		o.Compress = true
	case "nocompress":
		o.Compress = false
	case "delaycompress":
		o.DelayCompress = true
	case "nodelaycompress":
		o.DelayCompress = false
	case "compresscmd":
		o.CompressCmd, err = arg()
	case "uncompresscmd":
		o.UncompressCmd, err = arg()
	case "compressoptions":
		o.CompressOptions = append([]string(nil), w[1:]...)
	case "compressext":
		o.CompressExt, err = arg()
	case "olddir":
		o.OldDir, err = arg()
	case "noolddir":
		o.OldDir = ""
	case "createolddir":
		o.CreateOldDir = true
	case "nocreateolddir":
		o.CreateOldDir = false
	case "dateext":
		o.DateExt = true
	case "nodateext":
		o.DateExt = false
	case "dateformat":
		o.DateFormat, err = arg()
	case "extension":
		o.Extension, err = arg()
	case "create":
		o.Create = true
		if len(w) > 1 {
			m, perr := strconv.ParseUint(w[1], 8, 32)
			if perr != nil {
				return nil, fmt.Errorf("%s: create: bad mode %q", pos, w[1])
			}
			o.CreateMode = os.FileMode(m)
		}
		if len(w) > 2 {
			o.CreateOwner = w[2]
		}
		if len(w) > 3 {
			o.CreateGroup = w[3]
		}
	case "nocreate":
		o.Create = false
	case "copytruncate":
		o.CopyTruncate = true
	case "nocopytruncate":
		o.CopyTruncate = false
	case "copy":
		o.Copy = true
	case "nocopy":
		o.Copy = false
	case "ifempty":
		o.IfEmpty = true
	case "notifempty":
		o.IfEmpty = false
	case "missingok":
		o.MissingOK = true
	case "nomissingok":
		o.MissingOK = false
	case "sharedscripts":
		o.SharedScripts = true
	case "nosharedscripts":
		o.SharedScripts = false
	case "firstaction":
		o.FirstAction = ""
		return &o.FirstAction, nil
	case "prerotate":
		o.PreRotate = ""
		return &o.PreRotate, nil
	case "postrotate":
		o.PostRotate = ""
		return &o.PostRotate, nil
	case "lastaction":
		o.LastAction = ""
		return &o.LastAction, nil
	case "preremove":
		var discard string
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: preremove is not supported -- ignoring the script", pos))
		return &discard, nil
	case "su", "mail", "nomail", "mailfirst", "maillast", "tabooext", "taboopat", "dateyesterday",
		"datehourago", "shred", "noshred", "shredcycles", "renamecopy", "norenamecopy", "allowhardlink",
		"noallowhardlink", "minage", "ignoreduplicates":
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %s is not supported -- ignoring line", pos, w[0]))
	default:
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: unknown option '%s' -- ignoring line", pos, w[0]))
	}
	return nil, err
}

// parseSize reads 100, 100k, 10M or 1G.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult, s = 1<<10, s[:len(s)-1]
	case "m":
		mult, s = 1<<20, s[:len(s)-1]
	case "g":
		mult, s = 1<<30, s[:len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v * mult, nil
}

// splitWords splits a line on blanks, honouring double and single quotes.
func splitWords(s string) ([]string, error) {
	var (
		out   []string
		cur   strings.Builder
		quote rune
		in    bool
	)
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// rel resolves an include path: like logrotate, relative to the working
// directory, else to the directory of the file that names it.
func rel(from, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return filepath.Join(filepath.Dir(from), p)
}
