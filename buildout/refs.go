package buildout

import "strings"

// A Ref is one ${section:option} reference inside a value, for an
// editor's hover and go-to-definition.
type Ref struct {
	Section string // "" for ${:option}, the current section
	Option  string
	Offset  int // byte offset of "${" in the value
	Len     int // length of the reference text
}

// References returns the ${section:option} references of value, in
// order, as substitution finds them (pieces between "$$" escapes; a
// reference escaped as "$${...}" is not one).
func References(value string) []Ref {
	var refs []Ref
	if !strings.Contains(value, "${") {
		return nil
	}
	base := 0
	for i, piece := range strings.Split(value, "$$") {
		if i > 0 {
			base += 2
		}
		last := 0
		for {
			j := strings.Index(piece[last:], "${")
			if j < 0 {
				break
			}
			k := strings.IndexByte(piece[last+j:], '}')
			if k < 0 {
				break
			}
			start, end := last+j, last+j+k+1
			if sec, opt, ok := strings.Cut(piece[start+2:end-1], ":"); ok && !strings.Contains(opt, ":") {
				refs = append(refs, Ref{Section: sec, Option: opt, Offset: base + start, Len: end - start})
			}
			last = end
		}
		base += len(piece)
	}
	return refs
}

// Definition returns where option of section is defined, after macros:
// the newest plain assignment, following <= to the macro that provides
// it. It initializes the section if needed.
func (c *Config) Definition(section, option string) (Pos, bool) {
	if section == "" {
		return Pos{}, false
	}
	s, _ := c.Expanded(section)
	if s == nil {
		return Pos{}, false
	}
	v, ok := s.vals[option]
	if !ok {
		return Pos{}, false
	}
	p := v.Pos()
	return p, p.IsValid()
}
