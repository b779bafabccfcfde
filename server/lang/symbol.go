package lang

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf16"

	"webrunner/buildout"
)

// A Location is a line of a workspace file.
type Location struct {
	Path string `json:"path"`
	Line int    `json:"line"`
}

// symbolKind says what a position in a profile names.
type symbolKind int

const (
	symNone    symbolKind = iota
	symOption             // an option, by its key or a ${section:option} reference
	symSection            // a section, by the section part of a reference or a <= base
	symFile               // an extends entry
)

// A symbol is what the cursor is on.
type symbol struct {
	kind    symbolKind
	section string
	option  string
	file    string // symFile: the entry as written
}

var (
	headerRe = regexp.MustCompile(`^\[([^\]\s]+)\]`)
	optionRe = regexp.MustCompile(`^([^=\s\[#;][^=]*?)\s*([+-]?=)`)
)

// symbolAt finds what src names at a 1-based line and column (counted in
// UTF-16 code units, as the browser counts).
func symbolAt(src string, line, column int) symbol {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return symbol{}
	}
	section, key := contextOf(lines, line)
	text := strings.TrimRight(lines[line-1], "\r")
	b := byteOffset(text, column-1)
	if m := headerRe.FindStringSubmatch(text); m != nil {
		name, _, _ := strings.Cut(m[1], ":")
		return symbol{kind: symSection, section: name}
	}
	valueStart := 0
	if text != "" && text[0] != ' ' && text[0] != '\t' {
		m := optionRe.FindStringSubmatchIndex(text)
		if m == nil {
			return symbol{}
		}
		key = strings.TrimSpace(text[m[2]:m[3]])
		valueStart = m[5]
		if b < m[3] {
			if key == "<" {
				return symbol{}
			}
			return symbol{kind: symOption, section: section, option: key}
		}
	}
	if section == "" || key == "" {
		return symbol{}
	}
	for _, r := range buildout.References(text) {
		if b < r.Offset || b >= r.Offset+r.Len {
			continue
		}
		sec := r.Section
		if sec == "" {
			sec = section
		}
		if r.Section != "" && b < r.Offset+2+len(r.Section) {
			return symbol{kind: symSection, section: sec}
		}
		return symbol{kind: symOption, section: sec, option: r.Option}
	}
	if b < valueStart {
		return symbol{}
	}
	word := wordAt(text, b)
	switch {
	case word == "":
	case key == "<", key == "parts" && section == "buildout":
		return symbol{kind: symSection, section: word}
	case key == "extends" && section == "buildout":
		return symbol{kind: symFile, file: word}
	}
	return symbol{}
}

// contextOf returns the section and the option that the lines before the
// 1-based line leave open.
func contextOf(lines []string, line int) (section, key string) {
	for _, l := range lines[:line-1] {
		l = strings.TrimRight(l, "\r")
		switch {
		case headerRe.MatchString(l):
			section, _, _ = strings.Cut(headerRe.FindStringSubmatch(l)[1], ":")
			key = ""
		case l == "" || l[0] == ' ' || l[0] == '\t' || l[0] == '#' || l[0] == ';':
			// Blank, continuation and comment lines keep the current option.
		default:
			if m := optionRe.FindStringSubmatch(l); m != nil {
				key = strings.TrimSpace(m[1])
			}
		}
	}
	return section, key
}

// byteOffset converts a UTF-16 column offset in s to a byte offset.
func byteOffset(s string, units int) int {
	for i, r := range s {
		if units <= 0 {
			return i
		}
		units -= utf16.RuneLen(r)
		if units < 0 {
			return i
		}
	}
	return len(s)
}

// wordAt returns the blank-delimited word of s around byte offset b.
func wordAt(s string, b int) string {
	if b >= len(s) || s[b] == ' ' || s[b] == '\t' {
		return ""
	}
	i := strings.LastIndexAny(s[:b], " \t=") + 1
	j := strings.IndexAny(s[b:], " \t")
	if j < 0 {
		j = len(s) - b
	}
	return s[i : b+j]
}

// symbolRequest loads the profile of req and finds the symbol at line and
// column; ok is false for anything but a buildout profile.
func (a *Analyzer) symbolRequest(ctx context.Context, req Request, line, column int) (*buildout.Config, symbol, error) {
	if Kind(req.Path) != "buildout" {
		return nil, symbol{}, nil
	}
	src, err := a.content(req)
	if err != nil {
		return nil, symbol{}, err
	}
	sym := symbolAt(src, line, column)
	if sym.kind == symNone || sym.kind == symFile {
		return nil, sym, nil
	}
	c, err := a.load(ctx, req)
	if c == nil {
		return nil, symbol{}, err
	}
	return c, sym, nil
}

// Definition returns where the symbol at line and column of req.Path is
// defined: the option a ${section:option} reference or an option key
// names (after <=; the section header when the option is written nowhere),
// the header of the section a reference, a <= base or a [buildout] parts
// entry names, or the file an extends entry names. ok is false when there is
// nothing to go to.
func (a *Analyzer) Definition(ctx context.Context, req Request, line, column int) (loc Location, ok bool, err error) {
	c, sym, err := a.symbolRequest(ctx, req, line, column)
	if err != nil {
		return Location{}, false, err
	}
	switch sym.kind {
	case symFile:
		if strings.Contains(sym.file, "://") || strings.Contains(sym.file, "${") {
			return Location{}, false, nil
		}
		p := sym.file
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(a.abs(req.Path)), p)
		}
		rel := a.rel(p)
		if rel == "" {
			return Location{}, false, nil
		}
		if _, err := os.Stat(p); err != nil {
			return Location{}, false, nil
		}
		return Location{Path: rel, Line: 1}, true, nil
	case symSection:
		s, found := c.Section(sym.section)
		if !found || !s.Pos.IsValid() {
			return Location{}, false, nil
		}
		return a.location(s.Pos)
	case symOption:
		p, found := c.Definition(sym.section, sym.option)
		if !found {
			// An option not written anywhere (computed, or missing): the
			// section header.
			s, ok := c.Section(sym.section)
			if !ok || !s.Pos.IsValid() {
				return Location{}, false, nil
			}
			p = s.Pos
		}
		return a.location(p)
	}
	return Location{}, false, nil
}

func (a *Analyzer) location(p buildout.Pos) (Location, bool, error) {
	rel := a.rel(p.File)
	if rel == "" {
		return Location{}, false, nil
	}
	return Location{Path: rel, Line: p.Line}, true, nil
}

// Hover returns a plain-text description of the symbol at line and column
// of req.Path: for an option (its key or a ${section:option} reference),
// its substituted value or the error computing it, and its history (each
// SET, ADD, REMOVE and MACRO step with file:line); for a section, where it
// is defined and its options. ok is false when there is nothing to show.
func (a *Analyzer) Hover(ctx context.Context, req Request, line, column int) (text string, ok bool, err error) {
	c, sym, err := a.symbolRequest(ctx, req, line, column)
	if err != nil || c == nil {
		return "", false, err
	}
	var sb strings.Builder
	switch sym.kind {
	case symSection:
		s, found := c.Section(sym.section)
		if !found {
			return fmt.Sprintf("[%s]: no such section", sym.section), true, nil
		}
		fmt.Fprintf(&sb, "[%s]", sym.section)
		if s.Pos.IsValid() {
			fmt.Fprintf(&sb, " defined at %s", a.posString(s.Pos))
		}
		if x, _ := c.Expanded(sym.section); x != nil { // after <=, even if substitution fails
			s = x
		}
		var keys []string
		for _, k := range s.Keys() {
			if k != "<" {
				keys = append(keys, k)
			}
		}
		fmt.Fprintf(&sb, "\n%d option(s): %s", len(keys), strings.Join(keys, " "))
		return sb.String(), true, nil
	case symOption:
		res := c.Resolve(sym.section)
		fmt.Fprintf(&sb, "${%s:%s}\n", sym.section, sym.option)
		v, computed := res.Values[sym.option]
		switch e := res.OptErr[sym.option]; {
		case e != nil:
			fmt.Fprintf(&sb, "Error: %s\n", strings.TrimSpace(e.Msg))
		case computed:
			fmt.Fprintf(&sb, "= %s\n", indent(v))
		case res.Err != nil:
			fmt.Fprintf(&sb, "Error: %s\n", strings.TrimSpace(res.Err.Msg))
		default:
			fmt.Fprintf(&sb, "Error: option not defined\n")
		}
		s, _ := c.Expanded(sym.section)
		if s == nil {
			s, _ = c.Section(sym.section)
		}
		if s == nil {
			return strings.TrimRight(sb.String(), "\n"), true, nil
		}
		if val, ok := s.Get(sym.option); ok {
			sb.WriteString("\nHistory:\n")
			for _, op := range val.History() {
				where := op.Source()
				if op.Pos.IsValid() {
					where = a.posString(op.Pos)
				}
				fmt.Fprintf(&sb, "  %-8s %s  %s\n", op.Kind, where, shorten(op.Value))
			}
		}
		return strings.TrimRight(sb.String(), "\n"), true, nil
	}
	return "", false, nil
}

// posString is p with its file as a workspace path when it is in the
// workspace.
func (a *Analyzer) posString(p buildout.Pos) string {
	if rel := a.rel(p.File); rel != "" {
		return fmt.Sprintf("%s:%d", rel, p.Line)
	}
	return p.String()
}

// indent indents the lines after the first of a multi-line value.
func indent(v string) string {
	return strings.ReplaceAll(v, "\n", "\n  ")
}

// shorten returns v on one line, cut past 80 characters.
func shorten(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if r := []rune(v); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return v
}
