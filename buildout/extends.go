package buildout

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// An OpKind says how one step of an option's history changed its value.
type OpKind uint8

// The kinds of history steps, named like zc.buildout's annotations.
const (
	OpSet         OpKind = iota // key = value in a file
	OpAdd                       // key += value
	OpRemove                    // key -= value
	OpDefault                   // built-in [buildout] default
	OpComputed                  // computed by buildout (directory, versions pins)
	OpCommandLine               // section:option=value on the command line
	OpDirectory                 // made absolute relative to the buildout directory
	OpMacro                     // inherited through "<= section" (Value names the section)
)

// String returns the annotation name of k (SET, ADD, REMOVE…).
func (k OpKind) String() string {
	return [...]string{"SET", "ADD", "REMOVE", "DEFAULT", "COMPUTED", "COMMAND_LINE", "DIRECTORY", "MACRO"}[k]
}

// An Op is one step in the history of an option's merged value, newest
// first through Prev.
type Op struct {
	Kind  OpKind
	Value string // the assigned, added or removed text
	Pos   Pos    // where the step is written; zero for defaults and computed values
	Prev  *Op
}

// Source is how zc.buildout's annotate names where the step comes from.
func (o *Op) Source() string {
	switch o.Kind {
	case OpDefault:
		return "DEFAULT_VALUE"
	case OpComputed:
		return "COMPUTED_VALUE"
	case OpCommandLine:
		return "COMMAND_LINE_VALUE"
	}
	return o.Pos.File
}

// A Value is the merged (unsubstituted) value of one option with its history.
type Value struct {
	Text string
	Last *Op // newest step of the history
	// Data is the structured value of an option preset by the caller
	// (LoadOptions.Sections); Text is then its string form.
	Data any
	// Final values are already substituted: ${} in them is literal.
	Final bool
}

// Pos returns the position of the assignment that defined the value: the
// newest plain assignment, or the newest step if there is none.
func (v *Value) Pos() Pos {
	for o := v.Last; o != nil; o = o.Prev {
		if o.Kind != OpAdd && o.Kind != OpRemove && o.Kind != OpMacro {
			return o.Pos
		}
	}
	if v.Last != nil {
		return v.Last.Pos
	}
	return Pos{}
}

// History returns the steps that produced the value, oldest first.
func (v *Value) History() []*Op {
	var out []*Op
	for o := v.Last; o != nil; o = o.Prev {
		out = append(out, o)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// A Section is a merged section: all files folded, before macros (<=) and
// substitution. Option keys keep file order; pending "key +" / "key -"
// keys remain only in macro sections, as in zc.buildout.
type Section struct {
	Name  string
	Pos   Pos // first header that opened it
	keys  []string
	vals  map[string]*Value
	owner int // the tree fold allowed to change it in place
	// hasMarkers says some value may hold a directory marker.
	hasMarkers bool
	// pending says some key is a pending "x +" or "x -".
	pending bool
}

func newSection(name string, pos Pos) *Section {
	return &Section{Name: name, Pos: pos, vals: map[string]*Value{}}
}

// Keys returns the option names in merge order.
func (s *Section) Keys() []string { return s.keys }

// Get returns the merged value of option key.
func (s *Section) Get(key string) (*Value, bool) {
	v, ok := s.vals[key]
	return v, ok
}

func (s *Section) set(key string, v *Value) {
	if _, ok := s.vals[key]; !ok {
		s.keys = append(s.keys, key)
		if _, op := splitKey(key); op != '=' {
			s.pending = true
		}
	}
	s.vals[key] = v
}

func (s *Section) del(key string) {
	if _, ok := s.vals[key]; !ok {
		return
	}
	delete(s.vals, key)
	for i, k := range s.keys {
		if k == key {
			s.keys = append(s.keys[:i:i], s.keys[i+1:]...)
			break
		}
	}
}

func (s *Section) clone() *Section {
	c := &Section{Name: s.Name, Pos: s.Pos, owner: s.owner, hasMarkers: s.hasMarkers, pending: s.pending, keys: append([]string(nil), s.keys...), vals: make(map[string]*Value, len(s.vals))}
	for k, v := range s.vals {
		c.vals[k] = v
	}
	return c
}

// addLines and removeLines are zc.buildout's += and -= on values.
func addLines(base, added string) string { return base + "\n" + added }

func removeLines(base, removed string) string {
	rm := strings.Split(removed, "\n")
	lines := strings.Split(base, "\n")
	out := lines[:0:0]
	for _, l := range lines {
		keep := true
		for _, r := range rm {
			if l == r {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// splitKey splits a merged key into option name and operator: "x +" is
// ("x", '+'), "x -" is ("x", '-'), anything else is (key, '=').
func splitKey(k string) (string, byte) {
	if n := len(k); n > 2 && k[n-2] == ' ' && (k[n-1] == '+' || k[n-1] == '-') {
		return k[:n-2], k[n-1]
	}
	return k, '='
}

func joinKey(key string, op byte) string {
	if op == '=' {
		return key
	}
	return key + " " + string(op)
}

// updateSection is zc.buildout's _update_section: the pending += and -=
// of s2 apply to s2's own value of the option, else s1's, else ""; then
// every key of s2 overrides s1. Pending keys of s1 stay. s1 is changed in
// place (the caller owns it).
func updateSection(s1, s2 *Section) {
	var pend []string
	for _, k := range s2.keys {
		if _, op := splitKey(k); op != '=' {
			pend = append(pend, k)
		}
	}
	if len(pend) == 0 {
		for _, k := range s2.keys {
			override(s1, k, s2.vals[k])
		}
		return
	}
	plain := make(map[string]*Value, len(s2.keys))
	var order []string
	for _, k := range s2.keys {
		if _, op := splitKey(k); op == '=' {
			plain[k] = s2.vals[k]
			order = append(order, k)
		}
	}
	for _, want := range []byte{'+', '-'} {
		for _, k := range pend {
			key, op := splitKey(k)
			if op != want {
				continue
			}
			added := s2.vals[k]
			base, ok := plain[key]
			if !ok {
				base, ok = s1.vals[key]
			}
			var text string
			var prev *Op
			if ok {
				text, prev = base.Text, base.Last
			}
			kind := OpAdd
			if op == '+' {
				text = addLines(text, added.Text)
			} else {
				kind = OpRemove
				text = removeLines(text, added.Text)
			}
			if _, seen := plain[key]; !seen {
				order = append(order, key)
			}
			plain[key] = &Value{Text: text, Last: &Op{Kind: kind, Value: added.Text, Pos: added.Last.Pos, Prev: prev}}
		}
	}
	for _, k := range order {
		override(s1, k, plain[k])
	}
}

// override sets s1[k] = v, keeping the overridden history behind a plain
// assignment so that annotations show it.
func override(s1 *Section, k string, v *Value) {
	if s1.vals[k] == v {
		return
	}
	if old, ok := s1.vals[k]; ok && v.Last != nil && v.Last.Prev == nil && v.Last.Kind != OpAdd && v.Last.Kind != OpRemove {
		v = &Value{Text: v.Text, Data: v.Data, Final: v.Final, Last: &Op{Kind: v.Last.Kind, Value: v.Last.Value, Pos: v.Last.Pos, Prev: old.Last}}
	}
	s1.set(k, v)
}

// A tree is a set of merged sections: what zc.buildout's _open returns for
// a file (the file folded over its extends). Trees are shared between the
// places that reach the same file the same way; a section is cloned before
// it is changed by a fold that does not own it.
type tree struct {
	sections   map[string]*Section
	order      []string
	owner      int
	hasMarkers bool // some value holds a directory marker
}

func (t *tree) clone(owner int) *tree {
	c := &tree{sections: make(map[string]*Section, len(t.sections)), order: append([]string(nil), t.order...), owner: owner, hasMarkers: t.hasMarkers}
	for k, v := range t.sections {
		c.sections[k] = v
	}
	return c
}

// update is zc.buildout's _update(t, d2), in place: sections of d2 merge
// into those of t, new ones are taken verbatim.
func (t *tree) update(d2 *tree) {
	t.hasMarkers = t.hasMarkers || d2.hasMarkers
	for _, name := range d2.order {
		s2 := d2.sections[name]
		s1, ok := t.sections[name]
		if !ok {
			t.sections[name] = s2
			t.order = append(t.order, name)
			continue
		}
		if !s2.pending && (s1 == s2 || sameValues(s1, s2)) {
			// Re-applying values already there (a file reached twice)
			// changes nothing.
			continue
		}
		if s1.owner != t.owner {
			s1 = s1.clone()
			s1.owner = t.owner
			t.sections[name] = s1
		}
		updateSection(s1, s2)
		s1.hasMarkers = s1.hasMarkers || s2.hasMarkers
	}
}

// sameValues reports whether every option of s2 has, in s1, the very
// same value.
func sameValues(s1, s2 *Section) bool {
	for _, k := range s2.keys {
		if s1.vals[k] != s2.vals[k] {
			return false
		}
	}
	return true
}

// fileTree turns a parsed file into a tree, with
// ${:_profile_base_location_} replaced by a marker for the file's directory.
func fileTree(f *File) *tree {
	t := &tree{sections: make(map[string]*Section, len(f.Sections))}
	for _, fs := range f.Sections {
		n := len(fs.Options)
		s := &Section{Name: fs.Name, Pos: fs.Pos, owner: -1, keys: make([]string, 0, n), vals: make(map[string]*Value, n)}
		// One allocation for the values and one for their history.
		vals, ops := make([]Value, n), make([]Op, n)
		for i, o := range fs.Options {
			if fs.Name == "buildout" && o.Op == '=' && (o.Key == "extends" || o.Key == "optional-extends") {
				continue
			}
			text := o.Value
			if o.baseRef {
				text = strings.ReplaceAll(text, profileBaseRef, baseMarker)
			}
			kind := OpSet
			switch o.Op {
			case '+':
				kind = OpAdd
			case '-':
				kind = OpRemove
			}
			ops[i] = Op{Kind: kind, Value: text, Pos: o.Pos}
			vals[i] = Value{Text: text, Last: &ops[i]}
			s.set(joinKey(o.Key, o.Op), &vals[i])
			if o.baseRef {
				s.hasMarkers, t.hasMarkers = true, true
			}
		}
		t.sections[fs.Name] = s
		t.order = append(t.order, fs.Name)
	}
	return t
}

var urlRE = regexp.MustCompile(`^[a-zA-Z0-9+.-]+://`)

func isURL(s string) bool { return urlRE.MatchString(s) }

// pyJoin is Python's os.path.join for two components (no cleaning).
func pyJoin(a, b string) string {
	if strings.HasPrefix(b, "/") || a == "" {
		return b
	}
	if strings.HasSuffix(a, "/") {
		return a + b
	}
	return a + "/" + b
}

// pyDirname is Python's os.path.dirname (no cleaning).
func pyDirname(p string) string {
	i := strings.LastIndexByte(p, '/') + 1
	head := p[:i]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head
}

// loader reads profiles for one Load, parsing each file once.
type loader struct {
	ctx          context.Context
	env          *Environment
	cache        *FileCache
	offline      bool
	overlay      map[string][]byte
	extendsCache string
	errs         ErrorList
	fatal        *Error
	files        []string // every file read, in first-read order
	seenFiles    map[string]bool
	memo         map[string]*tree
	rerooted     map[rerootKey]*tree
	owners       int
	fileTrees    map[*File]*tree
}

// fileTree returns the tree of a file's own sections, built once.
func (l *loader) fileTree(f *File) *tree {
	if t, ok := l.fileTrees[f]; ok {
		return t
	}
	t := fileTree(f)
	l.fileTrees[f] = t
	return t
}

// A FileCache holds parsed files by path, so that a file reached many
// times through extends (and across Loads that share the cache) is read
// and parsed once; a file changed on disk is parsed again. It is safe for
// concurrent use.
type FileCache struct {
	mu    sync.Mutex
	files map[string]*cachedFile
}

type cachedFile struct {
	file    *File
	errs    ErrorList
	err     error
	modTime time.Time
	size    int64
}

// NewFileCache returns an empty cache.
func NewFileCache() *FileCache { return &FileCache{files: map[string]*cachedFile{}} }

func (l *loader) read(path string, env *Environment) (*File, ErrorList, error) {
	l.cache.mu.Lock()
	defer l.cache.mu.Unlock()
	key := filepath.Clean(path)
	if b, ok := l.overlay[key]; ok {
		f, errs := Parse(key, b, env)
		return f, errs, nil
	}
	fi, statErr := os.Stat(key)
	if c, ok := l.cache.files[key]; ok {
		if statErr == nil && c.err == nil && fi.ModTime().Equal(c.modTime) && fi.Size() == c.size {
			return c.file, c.errs, nil
		}
	}
	if statErr != nil {
		return nil, nil, statErr
	}
	b, err := os.ReadFile(key)
	if err != nil {
		return nil, nil, err
	}
	f, errs := Parse(key, b, env)
	l.cache.files[key] = &cachedFile{file: f, errs: errs, modTime: fi.ModTime(), size: fi.Size()}
	return f, errs, nil
}

// open is zc.buildout's _open: it reads filename relative to base and
// returns the tree of the file folded over its extends (each extends
// folded left to right, then the file itself).
//
// zc.buildout re-reads a file each time it is reached, and the values it
// yields differ only by the directory spelled for
// ${:_profile_base_location_}. So trees are memoised by file, with that
// directory kept as a marker relative to the file's own directory
// (see reroot); the root's directory is substituted once at the end.
func (l *loader) open(base, filename string, from Pos, stack []string) (t *tree, seg string) {
	if l.fatal != nil {
		return nil, ""
	}
	var path string
	switch {
	case isURL(filename):
		path = filename
		seg = filename[:strings.LastIndexByte(filename, '/')]
	case isURL(base) && !strings.HasPrefix(filename, "/"):
		path = base + "/" + filename
		seg = relDir(filename)
	case strings.HasPrefix(filename, "/"):
		path = filename
		seg = pyDirname(filename)
	default:
		path = pyJoin(base, filename)
		seg = relDir(filename)
	}
	key := path
	if !isURL(path) {
		key = filepath.Clean(path)
	}
	for _, s := range stack {
		if s == key {
			l.fatal = &Error{Pos: from, Msg: fmt.Sprintf("Recursive file include %v %s", stack, path)}
			return nil, ""
		}
	}
	if t, ok := l.memo[key]; ok {
		return t, seg
	}
	dir := pyDirname(path)
	var f *File
	var perrs ErrorList
	var err error
	if isURL(path) {
		f, perrs, err = l.download(path)
	} else {
		f, perrs, err = l.read(key, l.env)
	}
	if err != nil {
		msg := err.Error()
		if pe, ok := err.(*os.PathError); ok {
			msg = pe.Error()
			if os.IsNotExist(pe) {
				msg = fmt.Sprintf("[Errno 2] No such file or directory: %s", pyRepr(path))
			}
		}
		l.fatal = &Error{Pos: from, Msg: msg}
		return nil, ""
	}
	if !l.seenFiles[f.Path] {
		l.seenFiles[f.Path] = true
		l.files = append(l.files, f.Path)
		l.errs = append(l.errs, perrs...)
	}
	if len(perrs) > 0 {
		l.fatal = perrs[0]
		return nil, ""
	}
	root := len(stack) == 0
	stack = append(stack, key)
	var extends []string
	var extendsPos Pos
	if bs := f.Section("buildout"); bs != nil {
		if o := bs.Option("extended-by", '='); o != nil {
			l.fatal = &Error{Pos: o.Pos, Section: "buildout", Option: "extended-by", Msg: fmt.Sprintf("No-longer supported \"extended-by\" option found in %s.", path)}
			return nil, ""
		}
		if root {
			if o := bs.Option("offline", '='); o != nil && o.Value == "true" {
				l.offline = true
			}
			if o := bs.Option("extends-cache", '='); o != nil && l.extendsCache == "" {
				l.extendsCache = o.Value
				if !strings.HasPrefix(l.extendsCache, "/") {
					l.extendsCache = pyJoin(dir, l.extendsCache)
				}
			}
		}
		if o := bs.Option("extends", '='); o != nil {
			extends = strings.Fields(strings.ReplaceAll(o.Value, profileBaseRef+"/", ""))
			extendsPos = o.Pos
		}
		if o := bs.Option("optional-extends", '='); o != nil {
			for _, name := range strings.Fields(o.Value) {
				// zc.buildout tests existence relative to the working
				// directory, which is the profile's directory when run
				// as "buildout"; the engine may run elsewhere, so the
				// extending file's directory is used.
				if _, err := os.Stat(pyJoin(dir, name)); err == nil || isURL(name) {
					extends = append(extends, name)
				}
			}
		}
	}
	own := l.fileTree(f)
	var result *tree
	if len(extends) == 0 {
		result = own
	} else {
		l.owners++
		owner := l.owners
		for i, e := range extends {
			t, seg := l.open(dir, e, extendsPos, stack)
			if l.fatal != nil {
				return nil, ""
			}
			t = l.reroot(t, seg)
			if i == 0 {
				result = t.clone(owner)
				continue
			}
			result.update(t)
		}
		result.update(own)
	}
	l.memo[key] = result
	return result, seg
}

// relDir is the directory part of a relative extends entry, as
// os.path.dirname(os.path.join(base, name)) adds it to base.
func relDir(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ""
	}
	return strings.TrimRight(name[:i], "/")
}

// The directory of ${:_profile_base_location_} is kept in values as
// baseOpen + path relative to the tree's file directory + baseClose.
const (
	baseOpen   = "\x00"
	baseClose  = "\x01"
	baseMarker = baseOpen + baseClose
)

// reroot returns t with its directory markers made relative to the
// directory of a file that reaches t's file through seg.
func (l *loader) reroot(t *tree, seg string) *tree {
	if seg == "" || !t.hasMarkers {
		return t
	}
	k := rerootKey{t, seg}
	if r, ok := l.rerooted[k]; ok {
		return r
	}
	r := &tree{sections: make(map[string]*Section, len(t.sections)), order: t.order, hasMarkers: true, owner: -2}
	for name, s := range t.sections {
		if !s.hasMarkers {
			r.sections[name] = s
			continue
		}
		c := s.clone()
		c.owner = -2
		for k, v := range c.vals {
			if strings.Contains(v.Text, baseOpen) {
				c.vals[k] = &Value{Text: rerootText(v.Text, seg), Last: v.Last}
			}
		}
		r.sections[name] = c
	}
	l.rerooted[k] = r
	return r
}

type rerootKey struct {
	t   *tree
	seg string
}

func rerootText(text, seg string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, baseOpen)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.Index(text[i:], baseClose) + i
		rel := text[i+1 : j]
		b.WriteString(text[:i+1])
		switch {
		case rel == "":
			b.WriteString(seg)
		case strings.HasPrefix(rel, "/") || isURL(rel):
			b.WriteString(rel)
		default:
			b.WriteString(seg + "/" + rel)
		}
		b.WriteString(baseClose)
		text = text[j+1:]
	}
}

// expandBase replaces the directory markers of text, relative to dir.
func expandBase(text, dir string) string {
	if !strings.Contains(text, baseOpen) {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, baseOpen)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.Index(text[i:], baseClose) + i
		rel := text[i+1 : j]
		b.WriteString(text[:i])
		switch {
		case rel == "":
			b.WriteString(dir)
		case strings.HasPrefix(rel, "/") || isURL(rel):
			b.WriteString(rel)
		default:
			b.WriteString(pyJoin(dir, rel))
		}
		text = text[j+1:]
	}
}

// A reached file is a parsed file and its directory as spelled when reached.
type reached struct {
	file *File
	dir  string
}

func (l *loader) download(url string) (*File, ErrorList, error) {
	name := url
	if l.extendsCache != "" {
		sum := md5.Sum([]byte(url))
		cached := filepath.Join(l.extendsCache, hex.EncodeToString(sum[:]))
		if b, err := os.ReadFile(cached); err == nil {
			f, errs := Parse(name, b, l.env)
			return f, errs, nil
		}
	}
	if l.offline {
		return nil, nil, fmt.Errorf("Couldn't download '%s' in offline mode.", url)
	}
	ctx, cancel := context.WithTimeout(l.ctx, 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("Error downloading extends for URL %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, nil, fmt.Errorf("Error downloading extends for URL %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("Error downloading extends for URL %s: %v", url, err)
	}
	if l.extendsCache != "" {
		sum := md5.Sum([]byte(url))
		if os.MkdirAll(l.extendsCache, 0o755) == nil {
			_ = os.WriteFile(filepath.Join(l.extendsCache, hex.EncodeToString(sum[:])), b, 0o644)
		}
	}
	f, errs := Parse(name, b, l.env)
	return f, errs, nil
}

// An Override is a command-line assignment section:option=value.
type Override struct {
	Section, Option, Value string
}

// ParseOverride parses "section:option=value" ("option=value" means
// section buildout), as buildout's command line does.
func ParseOverride(arg string) (Override, error) {
	i := strings.IndexByte(arg, '=')
	if i < 0 {
		return Override{}, fmt.Errorf("invalid assignment %q: no '='", arg)
	}
	left, val := arg[:i], strings.TrimSpace(arg[i+1:])
	parts := strings.Split(left, ":")
	switch len(parts) {
	case 1:
		return Override{"buildout", strings.TrimSpace(parts[0]), val}, nil
	case 2:
		return Override{strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), val}, nil
	}
	return Override{}, fmt.Errorf("Invalid option: %s", arg)
}

// defaultOptions are zc.buildout's _buildout_default_options.
var defaultOptions = [][2]string{
	{"allow-hosts", "*"},
	{"allow-picked-versions", "true"},
	{"allow-unknown-extras", "false"},
	{"bin-directory", "bin"},
	{"develop-eggs-directory", "develop-eggs"},
	{"eggs-directory", "eggs"},
	{"executable", ""},
	{"find-links", ""},
	{"install-from-cache", "false"},
	{"installed", ".installed.cfg"},
	{"log-format", ""},
	{"log-level", "INFO"},
	{"newest", "true"},
	{"offline", "false"},
	{"parts-directory", "parts"},
	{"prefer-final", "true"},
	{"python", "buildout"},
	{"show-picked-versions", "false"},
	{"socket-timeout", ""},
	{"update-versions-file", ""},
	{"use-dependency-links", "true"},
}

// Executable is the interpreter path reported as ${buildout:executable}.
var defaultExecutable = "/usr/bin/python3"

func sortedOverrides(ovs []Override) []Override {
	out := append([]Override(nil), ovs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Section < out[j].Section })
	return out
}
