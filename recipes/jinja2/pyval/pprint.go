package pyval

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pformat returns Python's pprint.pformat(v): dict keys sorted, and
// containers longer than 80 columns split one item per line.
func Pformat(v Value) (string, error) { return PformatIndent(v, 1) }

// PformatIndent returns Python's pprint.pformat(v, indent=indent).
func PformatIndent(v Value, indent int) (string, error) {
	if indent < 1 {
		indent = 1
	}
	p := &pprinter{width: 80, indentPer: indent}
	if err := p.format(v, 0, 0, 1); err != nil {
		return "", err
	}
	return p.b.String(), nil
}

type pprinter struct {
	b         strings.Builder
	width     int
	indentPer int // pprint's _indent_per_level
}

// open writes the opening of a container split over lines: the bracket,
// then indent-1 spaces as pprint does.
func (p *pprinter) open(bracket string) {
	p.b.WriteString(bracket)
	p.b.WriteString(strings.Repeat(" ", p.indentPer-1))
}

// sortedItems returns the dict items sorted by key (then value) as pprint
// does; unorderable keys are ordered by type name.
func sortedItems(d *Dict) []Tuple {
	items := make([]Tuple, d.Len())
	for i, it := range d.Items() {
		items[i] = it.(Tuple)
	}
	sort.SliceStable(items, func(i, j int) bool { return safeLess(items[i][0], items[j][0]) })
	return items
}

func safeLess(a, b Value) bool {
	c, err := Compare(a, b)
	if err != nil {
		return TypeName(a) < TypeName(b)
	}
	return c < 0
}

// safeRepr is pprint's one-line repr: like repr, with dict keys sorted.
func safeRepr(v Value) (string, error) {
	switch x := v.(type) {
	case *Dict:
		var parts []string
		for _, it := range sortedItems(x) {
			k, err := safeRepr(it[0])
			if err != nil {
				return "", err
			}
			val, err := safeRepr(it[1])
			if err != nil {
				return "", err
			}
			parts = append(parts, k+": "+val)
		}
		return "{" + strings.Join(parts, ", ") + "}", nil
	case *List, Tuple:
		items, _ := Iterate(x)
		parts := make([]string, len(items))
		for i, it := range items {
			s, err := safeRepr(it)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		if _, ok := x.(Tuple); ok {
			if len(parts) == 1 {
				return "(" + parts[0] + ",)", nil
			}
			return "(" + strings.Join(parts, ", ") + ")", nil
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	return Repr(v)
}

func (p *pprinter) format(v Value, indent, allowance, level int) error {
	rep, err := safeRepr(v)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(rep) > p.width-indent-allowance {
		switch x := v.(type) {
		case *Dict:
			if x.Len() > 0 {
				p.open("{")
				p.dictItems(sortedItems(x), indent, allowance+1, level+1)
				p.b.WriteByte('}')
				return nil
			}
		case *List:
			p.open("[")
			if err := p.items(x.Items, indent, allowance+1, level+1); err != nil {
				return err
			}
			p.b.WriteByte(']')
			return nil
		case Tuple:
			end := ")"
			if len(x) == 1 {
				end = ",)"
			}
			p.open("(")
			if err := p.items(x, indent, allowance+len(end), level+1); err != nil {
				return err
			}
			p.b.WriteString(end)
			return nil
		case *Set:
			if x.Len() > 0 {
				items := x.Items()
				sort.SliceStable(items, func(i, j int) bool { return safeLess(items[i], items[j]) })
				open, end := "{", "}"
				if x.Frozen {
					open, end = "frozenset({", "})"
					indent += len("frozenset") + 1
				}
				p.open(open)
				if err := p.items(items, indent, allowance+len(end), level+1); err != nil {
					return err
				}
				p.b.WriteString(end)
				return nil
			}
		case string:
			p.str(x, indent, allowance, level+1)
			return nil
		}
	}
	p.b.WriteString(rep)
	return nil
}

func (p *pprinter) dictItems(items []Tuple, indent, allowance, level int) error {
	indent += p.indentPer
	delim := ",\n" + strings.Repeat(" ", indent)
	for i, it := range items {
		last := i == len(items)-1
		rep, err := safeRepr(it[0])
		if err != nil {
			return err
		}
		p.b.WriteString(rep)
		p.b.WriteString(": ")
		a := 1
		if last {
			a = allowance
		}
		if err := p.format(it[1], indent+utf8.RuneCountInString(rep)+2, a, level); err != nil {
			return err
		}
		if !last {
			p.b.WriteString(delim)
		}
	}
	return nil
}

func (p *pprinter) items(items []Value, indent, allowance, level int) error {
	indent += p.indentPer
	delim := ",\n" + strings.Repeat(" ", indent)
	for i, it := range items {
		if i > 0 {
			p.b.WriteString(delim)
		}
		a := 1
		if i == len(items)-1 {
			a = allowance
		}
		if err := p.format(it, indent, a, level); err != nil {
			return err
		}
	}
	return nil
}

var wordSpaceRe = regexp.MustCompile(`\S*\s*`)

// str splits a long string into implicitly concatenated chunks.
func (p *pprinter) str(s string, indent, allowance, level int) {
	if s == "" {
		p.b.WriteString("''")
		return
	}
	lines := splitLinesKeep(s)
	if level == 2 { // pformat's top level
		indent++
		allowance++
	}
	maxWidth := p.width - indent
	maxWidth1 := maxWidth
	var chunks []string
	for i, line := range lines {
		rep := QuoteString(line)
		if i == len(lines)-1 {
			maxWidth1 -= allowance
		}
		if utf8.RuneCountInString(rep) <= maxWidth1 {
			chunks = append(chunks, rep)
			continue
		}
		parts := wordSpaceRe.FindAllString(line, -1)
		maxWidth2 := maxWidth
		current := ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && i == len(lines)-1 {
				maxWidth2 -= allowance
			}
			if utf8.RuneCountInString(QuoteString(candidate)) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, QuoteString(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, QuoteString(current))
		}
	}
	if len(chunks) == 1 {
		p.b.WriteString(chunks[0])
		return
	}
	if level == 2 {
		p.b.WriteByte('(')
	}
	for i, c := range chunks {
		if i > 0 {
			p.b.WriteString("\n" + strings.Repeat(" ", indent))
		}
		p.b.WriteString(c)
	}
	if level == 2 {
		p.b.WriteByte(')')
	}
}

// splitLinesKeep is str.splitlines(True) for the line breaks pprint meets.
func splitLinesKeep(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexAny(s, "\n\r\v\f\x1c\x1d\x1e\u0085\u2028\u2029")
		if i < 0 {
			out = append(out, s)
			break
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			n = 2
		}
		out = append(out, s[:i+n])
		s = s[i+n:]
	}
	return out
}
