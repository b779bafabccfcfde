// Package lang is the language intelligence of the Webrunner editor:
// diagnostics, go-to-definition and hover for buildout profiles, and syntax
// diagnostics for Jinja2 templates, computed over a workspace with the
// editor's unsaved text overlaid.
//
// A buildout file is analysed through the current software release when
// the release profile reaches it through extends (so that buildout.hash.cfg
// or a component's buildout.cfg sees the sections of the whole release),
// else through the software.cfg of its folder if that one reaches it (the
// buildout.hash.cfg of another release), and on its own otherwise. Only findings located in the requested file are
// returned; those of other files are summarised as one diagnostic at line 1.
package lang

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"

	"webrunner/buildout"
	"webrunner/recipes/jinja2"
)

// Severities of a Diagnostic.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// A Diagnostic is one problem found in a file, at a 1-based line (and
// column, when known).
type Diagnostic struct {
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Column   int    `json:"column,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`

	ref string // the reference or part name at fault, to find its column
}

// An Analyzer analyses the files of one workspace. Its methods are safe for
// concurrent use.
type Analyzer struct {
	// Root is the workspace directory; request paths are relative to it.
	Root string
	// Cache shares parsed files between requests; nil means none.
	Cache *buildout.FileCache
}

// A Request names the file being edited and, optionally, its unsaved
// content and the current software release (both workspace paths).
type Request struct {
	Path    string
	Content *string // nil: the file on disk
	Release string  // "": analyse the file on its own
}

// Kind returns the language of a file for analysis: "buildout" for .cfg
// files, "jinja2" for .in and .jinja2 templates, "" for anything else.
func Kind(path string) string {
	switch {
	case strings.HasSuffix(path, ".cfg"):
		return "buildout"
	case strings.HasSuffix(path, ".in"), strings.HasSuffix(path, ".jinja2"):
		return "jinja2"
	}
	return ""
}

func (a *Analyzer) abs(rel string) string {
	return filepath.Join(a.Root, filepath.FromSlash(rel))
}

// rel turns a position's file back into a workspace path ("" when it is
// outside the workspace, such as a URL).
func (a *Analyzer) rel(file string) string {
	if file == "" || strings.Contains(file, "://") {
		return ""
	}
	r, err := filepath.Rel(a.Root, filepath.Clean(file))
	if err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return ""
	}
	return filepath.ToSlash(r)
}

// load loads the profile through which req.Path is analysed: the release,
// else the software.cfg next to the file, when it reaches the file through
// extends; else the file itself.
func (a *Analyzer) load(ctx context.Context, req Request) (*buildout.Config, error) {
	abs := a.abs(req.Path)
	opts := buildout.LoadOptions{Cache: a.Cache, Offline: true, EmulateLocation: true}
	if req.Content != nil {
		opts.Overlay = map[string][]byte{abs: []byte(*req.Content)}
	}
	var profiles []string
	if req.Release != "" && Kind(req.Release) == "buildout" {
		profiles = append(profiles, a.abs(req.Release))
	}
	if sibling := filepath.Join(filepath.Dir(abs), "software.cfg"); len(profiles) == 0 || sibling != profiles[0] {
		if _, err := os.Stat(sibling); err == nil {
			profiles = append(profiles, sibling)
		}
	}
	for _, p := range profiles {
		if p == abs {
			break
		}
		c, err := buildout.Load(ctx, p, opts)
		if c == nil {
			continue
		}
		for _, f := range c.Files {
			if filepath.Clean(f) == abs {
				return c, err
			}
		}
	}
	return buildout.Load(ctx, abs, opts)
}

// Diagnostics returns the problems of req.Path, sorted by line. A missing
// file is an error; an unknown kind of file has no diagnostics.
func (a *Analyzer) Diagnostics(ctx context.Context, req Request) ([]Diagnostic, error) {
	switch Kind(req.Path) {
	case "jinja2":
		return a.jinjaDiagnostics(req)
	case "buildout":
		c, err := a.load(ctx, req)
		if c == nil {
			return nil, err
		}
		ds := a.filter(req.Path, buildoutDiagnostics(c))
		if src, err := a.content(req); err == nil {
			columns(ds, strings.Split(src, "\n"))
		}
		return ds, nil
	}
	return []Diagnostic{}, nil
}

func (a *Analyzer) jinjaDiagnostics(req Request) ([]Diagnostic, error) {
	src, err := a.content(req)
	if err != nil {
		return nil, err
	}
	env, err := jinja2.NewEnvironment([]string{jinja2.ExtDo, jinja2.ExtLoopControls}, nil)
	if err != nil {
		return nil, err
	}
	out := []Diagnostic{}
	var e *jinja2.Error
	if err := env.Check(req.Path, src); errors.As(err, &e) {
		out = append(out, Diagnostic{Path: req.Path, Line: max(e.Line, 1), Severity: SeverityError, Message: e.Type + ": " + e.Message})
	}
	return out, nil
}

func (a *Analyzer) content(req Request) (string, error) {
	if req.Content != nil {
		return *req.Content, nil
	}
	b, err := os.ReadFile(a.abs(req.Path))
	return string(b), err
}

// finding is a diagnostic before it is related to the requested file.
type finding struct {
	pos      buildout.Pos
	ref      string // the ${section:option} or part name at fault, if any
	severity string
	msg      string
}

// buildoutDiagnostics selects the configuration errors an editor reports:
// parse and merge errors, missing extends, unknown <= bases, references to
// sections defined nowhere, parts naming no section and circular
// references as errors; a missing
// option of another section as a warning, unless the referencing section
// is a macro base or the referenced one has a recipe (recipes set options
// such as location when they are constructed). A missing ${:option} of the section itself is not
// reported: that is how macros (sections used through <=, such as
// [jinja-template]) name the options the sections inheriting them provide.
func buildoutDiagnostics(c *buildout.Config) []finding {
	var out []finding
	seen := map[string]bool{}
	var ref string // of the error being added
	add := func(pos buildout.Pos, sev, msg string) {
		key := pos.String() + "\x00" + msg
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, finding{pos: pos, ref: ref, severity: sev, msg: msg})
	}
	for _, e := range c.Errors {
		add(e.Pos, SeverityError, e.Msg)
	}
	if c.Fatal != nil {
		add(c.Fatal.Pos, SeverityError, c.Fatal.Msg)
		return out
	}
	bases := macroBases(c)
	known := map[string]bool{}
	for _, name := range c.Sections() {
		known[name] = true
	}
	ref = ""
	for _, f := range missingParts(c, known) {
		ref = f.ref
		add(f.pos, f.severity, f.msg)
	}
	merge := len(c.Errors)
	for _, e := range c.Diagnostics()[merge:] {
		msg := strings.TrimSpace(e.Msg)
		ref = refOf(e)
		switch {
		case strings.HasPrefix(msg, "No section named"), strings.HasPrefix(msg, "Infinite extending loop"):
			add(e.Pos, SeverityError, msg) // unknown <= base or a loop of them
		case strings.HasPrefix(msg, "Circular reference"):
			add(e.Pos, SeverityError, "Circular reference in substitutions of ["+e.Section+"] "+e.Option)
		case strings.HasPrefix(msg, "The referenced section,"):
			if sec, _ := missingSection(msg, e.Section); !slapSections[sec] {
				add(e.Pos, SeverityError, msg)
			}
		case strings.HasPrefix(msg, "Referenced option does not exist"):
			sec, own := missingSection(msg, e.Section)
			switch {
			case slapSections[sec]:
			case !known[sec]:
				add(e.Pos, SeverityError, fmt.Sprintf("The referenced section, '%s', was not defined.", sec))
			case !own && !bases[e.Section] && !hasRecipe(c, sec):
				add(e.Pos, SeverityWarning, msg)
			}
		case strings.HasPrefix(msg, "The substitution,"), strings.HasPrefix(msg, "The section name in"), strings.HasPrefix(msg, "The option name in"):
			add(e.Pos, SeverityError, msg)
		}
	}
	return out
}

// missingParts returns an error for each [buildout] parts entry that
// names no section, at the assignment that added it.
func missingParts(c *buildout.Config, known map[string]bool) []finding {
	parts, ok := c.Resolve("buildout").Values["parts"]
	if !ok {
		return nil
	}
	var out []finding
	var ops []*buildout.Op
	var where buildout.Pos // of the value, for a part that comes from a substitution
	if b, ok := c.Section("buildout"); ok {
		if v, ok := b.Get("parts"); ok {
			ops, where = v.History(), v.Pos()
		}
	}
	for _, name := range strings.Fields(parts) {
		if known[name] {
			continue
		}
		pos := where
		for _, op := range ops { // the newest assignment naming it
			if (op.Kind == buildout.OpSet || op.Kind == buildout.OpAdd) && slices.Contains(strings.Fields(op.Value), name) {
				pos = op.Pos
			}
		}
		out = append(out, finding{pos: pos, ref: name, severity: SeverityError,
			msg: fmt.Sprintf("The part %s of [buildout] parts is not defined: no section [%s]", name, name)})
	}
	return out
}

// refOf returns the reference that err, or an error it wraps, could not
// resolve.
func refOf(err error) string {
	for err != nil {
		if e, ok := err.(*buildout.Error); ok && e.Ref != "" {
			return e.Ref
		}
		err = errors.Unwrap(err)
	}
	return ""
}

// slapSections are the sections that slapos node adds to the profiles it
// runs in a partition: a reference to them is never an error.
var slapSections = map[string]bool{"slap-connection": true, "slap_connection": true}

// missingSection returns the section of a "Referenced option does not
// exist: section option" or "The referenced section, 'name', was not
// defined." message, and whether it is the current one.
func missingSection(msg, current string) (string, bool) {
	if rest, ok := strings.CutPrefix(msg, "The referenced section, '"); ok {
		name, _, _ := strings.Cut(rest, "'")
		return name, name == current
	}
	f := strings.Fields(strings.TrimPrefix(msg, "Referenced option does not exist:"))
	if len(f) == 0 || f[0] == current {
		return current, true
	}
	return f[0], false
}

// hasRecipe reports whether section has a recipe, which may compute
// options at install time (location, target...).
func hasRecipe(c *buildout.Config, section string) bool {
	if s, _ := c.Expanded(section); s != nil { // after <=, even if substitution fails
		_, ok := s.Get("recipe")
		return ok
	}
	return false
}

// macroBases returns the sections named by a "<=" option of any section.
func macroBases(c *buildout.Config) map[string]bool {
	bases := map[string]bool{}
	for _, name := range c.Sections() {
		s, _ := c.Section(name)
		if v, ok := s.Get("<"); ok {
			for _, b := range strings.Fields(v.Text) {
				bases[b] = true
			}
		}
	}
	return bases
}

// filter keeps the findings in path and summarises the errors of other
// files as one diagnostic at line 1.
func (a *Analyzer) filter(path string, fs []finding) []Diagnostic {
	out := []Diagnostic{}
	var others []string
	n := 0
	for _, f := range fs {
		rel := a.rel(f.pos.File)
		if rel == path || (rel == "" && !f.pos.IsValid()) {
			out = append(out, Diagnostic{Path: path, Line: max(f.pos.Line, 1), Severity: f.severity, Message: f.msg, ref: f.ref})
			continue
		}
		if f.severity != SeverityError {
			continue // another file's warnings are for when it is open
		}
		name := rel
		if name == "" {
			name = f.pos.File
		}
		others = append(others, name)
		n++
	}
	if n > 0 {
		others = dedupe(others)
		list := strings.Join(others, ", ")
		if len(others) > 3 {
			list = fmt.Sprintf("%s and %d more", strings.Join(others[:3], ", "), len(others)-3)
		}
		out = append(out, Diagnostic{Path: path, Line: 1, Severity: SeverityError,
			Message: fmt.Sprintf("%d error(s) in extended file(s): %s", n, list)})
	}
	sortDiagnostics(out)
	return out
}

// columns sets the line and column of the diagnostics of a reference to
// where the reference is written: on the option's line or one of its
// continuation lines.
func columns(ds []Diagnostic, lines []string) {
	for i := range ds {
		d := &ds[i]
		if d.ref == "" {
			continue
		}
		for n := d.Line - 1; n >= 0 && n < len(lines); n++ {
			l := lines[n]
			if n > d.Line-1 && l != "" && l[0] != ' ' && l[0] != '\t' {
				break
			}
			if j := indexRef(l, d.ref); j >= 0 {
				d.Line = n + 1
				d.Column = utf16Len(l[:j]) + 1
				break
			}
		}
	}
}

// indexRef returns the index of ref in l: a ${section:option} anywhere,
// a name as a whole word (not inside "parts" or a longer name).
func indexRef(l, ref string) int {
	if strings.HasPrefix(ref, "${") {
		return strings.Index(l, ref)
	}
	for off := 0; ; {
		j := strings.Index(l[off:], ref)
		if j < 0 {
			return -1
		}
		j += off
		end := j + len(ref)
		if (j == 0 || isSpace(l[j-1])) && (end == len(l) || isSpace(l[end])) {
			return j
		}
		off = j + 1
	}
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' }

// utf16Len is the length of s in UTF-16 code units, as the browser counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// dedupe returns ss without repeated strings, in first-seen order.
func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// sortDiagnostics sorts ds by line, keeping the order of each line's.
func sortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Line < ds[j].Line })
}
