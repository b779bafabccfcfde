package buildout

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A File is one parsed configuration file, before extends and merging.
type File struct {
	Path     string
	Sections []*FileSection // in order of first header

	index map[string]*FileSection
}

// Section returns the named section of the file, or nil.
func (f *File) Section(name string) *FileSection { return f.index[name] }

// A FileSection is a section as one file writes it; repeated headers of the
// same name in one file continue the same section.
type FileSection struct {
	Name    string
	Pos     Pos // first header
	Options []*FileOption

	index map[opKey]int
}

// Option returns the option key with operator op ('=', '+' or '-'), or nil.
func (s *FileSection) Option(key string, op byte) *FileOption {
	if i, ok := s.index[opKey{key, op}]; ok {
		return s.Options[i]
	}
	return nil
}

type opKey struct {
	key string
	op  byte
}

// A FileOption is one option assignment of a file: "key = value",
// "key += value" or "key -= value".
type FileOption struct {
	Key   string
	Op    byte // '=', '+' (+=) or '-' (-=)
	Value string
	Pos   Pos // line of the assignment
	End   int // last line of the value

	baseRef bool // value contains ${:_profile_base_location_}
}

const profileBaseRef = "${:_profile_base_location_}"

var sectionHeaderRE = regexp.MustCompile(`^\[\s*([^\s#[\]:;{}]+)\s*(:([^#;]*))?\s*](\s*([#;].*)?)$`)

// matchHeader matches a section header line, as zc.buildout's regexp.
func matchHeader(s string) []string {
	if s == "" || s[0] != '[' {
		return nil
	}
	return sectionHeaderRE.FindStringSubmatch(s)
}

// matchOption matches an option line, as zc.buildout's regexp
// ^([^\s{}[\]=:]+\s*[-+]?)=(.*)$: it returns the name part (with its
// operator) and the value.
func matchOption(s string) (name, value string, ok bool) {
	i := 0
	for i < len(s) && !strings.ContainsRune(" \t\n\r\f\v{}[]=:", rune(s[i])) {
		i++
	}
	if i == 0 {
		return "", "", false
	}
	j := i
	for j < len(s) && strings.IndexByte(" \t\n\r\f\v", s[j]) >= 0 {
		j++
	}
	if j < len(s) && (s[j] == '+' || s[j] == '-') && j > i {
		j++
	}
	if j >= len(s) || s[j] != '=' {
		return "", "", false
	}
	return s[:j], s[j+1:], true
}

// Parse parses the buildout configuration text src of file path. Conditional
// section expressions are evaluated with env (nil means DefaultEnvironment).
// It returns every error found, each with its line.
func Parse(path string, src []byte, env *Environment) (*File, ErrorList) {
	if env == nil {
		env = DefaultEnvironment()
	}
	f := &File{Path: path, index: map[string]*FileSection{}}
	var errs ErrorList
	var (
		cur       *FileSection // nil before the first header
		skipped   bool         // inside a false conditional section
		opt       *FileOption  // option receiving continuation lines
		blockmode bool
		cont      []string // continuation lines of opt not yet joined
	)
	flush := func() {
		if opt != nil && len(cont) > 0 {
			opt.Value += "\n" + strings.Join(cont, "\n")
		}
		cont = cont[:0]
	}
	lineno := 0
	text := string(src) // one copy; lines are substrings of it
	for len(text) > 0 {
		var s string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			s, text = text[:i], text[i+1:]
		} else {
			s, text = text, ""
		}
		s = strings.TrimSuffix(s, "\r")
		lineno++
		if s != "" && (s[0] == '#' || s[0] == ';') {
			continue
		}
		firstSpace := s == ""
		if !firstSpace {
			r, _ := utf8.DecodeRuneInString(s)
			firstSpace = unicode.IsSpace(r)
		}
		if firstSpace && (cur != nil || skipped) && opt != nil {
			if blockmode {
				s = strings.TrimRightFunc(s, unicode.IsSpace)
			} else {
				s = strings.TrimSpace(s)
				if s == "" {
					continue
				}
			}
			cont = append(cont, s)
			opt.End = lineno
			continue
		}
		flush()
		if m := matchHeader(s); m != nil {
			name := m[1]
			opt = nil
			if m[2] != "" {
				expr := strings.NewReplacer(`\x23`, "#", `\x3b`, ";").Replace(m[3])
				ok, err := env.Eval(expr)
				if err != nil {
					errs.Add(Pos{path, lineno}, name, "", fmt.Sprintf("invalid section condition %q: %v", strings.TrimSpace(m[3]), err))
				}
				if !ok {
					cur, skipped = nil, true
					continue
				}
			}
			skipped = false
			cur = f.index[name]
			if cur == nil {
				cur = &FileSection{Name: name, Pos: Pos{path, lineno}, index: map[opKey]int{}}
				f.index[name] = cur
				f.Sections = append(f.Sections, cur)
			}
			continue
		}
		if cur == nil && !skipped {
			if strings.TrimSpace(s) == "" {
				continue
			}
			errs.Add(Pos{path, lineno}, "", "", fmt.Sprintf("File contains no section headers.\nfile: %s, line: %d\n%s", path, lineno, pyRepr(s+"\n")))
			// zc.buildout stops at this error.
			return f, errs
		}
		if strings.HasPrefix(s, "=>") {
			s = "<part-dependencies> = " + s[2:]
		}
		rawName, rawVal, isOption := matchOption(s)
		if !isOption {
			if opt == nil && strings.TrimSpace(s) == "" {
				continue
			}
			errs.Add(Pos{path, lineno}, sectionName(cur), "", fmt.Sprintf("File contains parsing errors: %s\n\t[line %2d]: %s", path, lineno, pyRepr(s+"\n")))
			continue
		}
		name := strings.TrimRightFunc(rawName, unicode.IsSpace)
		val := strings.TrimSpace(rawVal)
		op := byte('=')
		if c := name[len(name)-1]; c == '+' || c == '-' {
			op = c
			name = strings.TrimRight(name[:len(name)-1], " \t")
			if name == "" {
				name, op = rawName[:1], '='
			}
		}
		blockmode = val == ""
		if skipped {
			// Lines of a false conditional section are dropped.
			opt = &FileOption{Key: name, Op: op}
			continue
		}
		opt = cur.set(name, op, val, Pos{path, lineno})
	}
	flush()
	for _, sec := range f.Sections {
		for _, o := range sec.Options {
			if o.Value != "" && isSpaceStart(o.Value) {
				o.Value = dedent(strings.TrimRightFunc(o.Value, unicode.IsSpace))
			}
			o.baseRef = strings.Contains(o.Value, profileBaseRef)
		}
	}
	return f, errs
}

func sectionName(s *FileSection) string {
	if s == nil {
		return ""
	}
	return s.Name
}

// set records an option line of a section, with zc.buildout's same-file
// rules: repeated += or -= concatenate, a plain = drops pending ones.
func (s *FileSection) set(key string, op byte, val string, pos Pos) *FileOption {
	k := opKey{key, op}
	if i, ok := s.index[k]; ok {
		o := s.Options[i]
		if op != '=' {
			o.Value += "\n" + val
		} else {
			o.Value = val
			o.Pos = pos
		}
		o.End = pos.Line
		if op == '=' {
			s.remove(opKey{key, '+'})
			s.remove(opKey{key, '-'})
		}
		return o
	}
	if op == '=' {
		s.remove(opKey{key, '+'})
		s.remove(opKey{key, '-'})
	}
	o := &FileOption{Key: key, Op: op, Value: val, Pos: pos, End: pos.Line}
	s.index[k] = len(s.Options)
	s.Options = append(s.Options, o)
	return o
}

func (s *FileSection) remove(k opKey) {
	i, ok := s.index[k]
	if !ok {
		return
	}
	s.Options = append(s.Options[:i:i], s.Options[i+1:]...)
	delete(s.index, k)
	for j := i; j < len(s.Options); j++ {
		s.index[opKey{s.Options[j].Key, s.Options[j].Op}] = j
	}
}

func isSpaceStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// dedent is Python's textwrap.dedent followed by the removal of leading
// blank lines, as zc.buildout applies to block values.
func dedent(text string) string {
	lines := strings.Split(text, "\n")
	margin := ""
	first := true
	for i, l := range lines {
		if strings.Trim(l, " \t") == "" {
			lines[i] = ""
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		switch {
		case first:
			margin, first = indent, false
		case strings.HasPrefix(indent, margin):
		case strings.HasPrefix(margin, indent):
			margin = indent
		default:
			n := 0
			for n < len(margin) && n < len(indent) && margin[n] == indent[n] {
				n++
			}
			margin = margin[:n]
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, margin)
	}
	// Leading lines that are blank (only whitespace) are removed.
	for len(lines) > 1 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	if len(lines) == 1 && strings.TrimSpace(lines[0]) == "" {
		return ""
	}
	return strings.Join(lines, "\n")
}

// pyRepr approximates Python's repr of a str.
func pyRepr(s string) string {
	q := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = `"`
	}
	var b strings.Builder
	b.WriteString(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case string(r) == q:
			b.WriteString(`\` + q)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(q)
	return b.String()
}
