// Package pyfmt prints strings, string dicts and string tuples the way
// Python's repr and pprint.pformat do, for the files that recipes generate
// as Python source.
package pyfmt

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Repr returns Python's repr of the str s.
func Repr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case r == unicode.ReplacementChar:
			b.WriteRune(r)
		case r <= 0xff && !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case !unicode.IsPrint(r) && r != ' ':
			if r <= 0xffff {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// An Item is one key, value pair of a dict.
type Item struct {
	Key, Value string
}

const (
	width        = 80
	indentPerLvl = 2
)

// DictRepr returns Python's repr of a dict of str, with sorted keys.
func DictRepr(items []Item) string {
	items = sorted(items)
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = Repr(it.Key) + ": " + Repr(it.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func sorted(items []Item) []Item {
	items = append([]Item(nil), items...)
	sort.SliceStable(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	return items
}

// PformatDict returns pprint.pformat(d, indent=2) of a dict of str.
func PformatDict(items []Item) string {
	rep := DictRepr(items)
	if len([]rune(rep)) <= width {
		return rep
	}
	items = sorted(items)
	var b strings.Builder
	b.WriteString("{" + strings.Repeat(" ", indentPerLvl-1))
	indent := indentPerLvl
	for i, it := range items {
		last := i == len(items)-1
		k := Repr(it.Key)
		b.WriteString(k + ": ")
		// Every value leaves room for a comma or the closing brace.
		b.WriteString(formatStr(it.Value, indent+len([]rune(k))+2, 1))
		if !last {
			b.WriteString(",\n" + strings.Repeat(" ", indent))
		}
	}
	b.WriteString("}")
	return b.String()
}

// PformatTuple returns pprint.pformat(t, indent=2) of a tuple of str.
func PformatTuple(t []string) string {
	parts := make([]string, len(t))
	for i, s := range t {
		parts[i] = Repr(s)
	}
	end := ")"
	if len(t) == 1 {
		end = ",)"
	}
	rep := "(" + strings.Join(parts, ", ") + end
	if len([]rune(rep)) <= width {
		return rep
	}
	indent := indentPerLvl
	var b strings.Builder
	b.WriteString("(" + strings.Repeat(" ", indentPerLvl-1))
	delim := ""
	for i, s := range t {
		allowance := 1
		if i == len(t)-1 {
			allowance = len(end)
		}
		b.WriteString(delim)
		delim = ",\n" + strings.Repeat(" ", indent)
		b.WriteString(formatStr(s, indent, allowance))
	}
	b.WriteString(end)
	return b.String()
}

var wordRE = regexp.MustCompile(`\S*\s*`)

// formatStr is pprint's _format of a str nested in a container (level > 1).
func formatStr(s string, indent, allowance int) string {
	rep := Repr(s)
	if len([]rune(rep)) <= width-indent-allowance || s == "" {
		return rep
	}
	var chunks []string
	lines := splitLinesKeepEnds(s)
	maxWidth1, maxWidth := width-indent, width-indent
	for i, line := range lines {
		r := Repr(line)
		if i == len(lines)-1 {
			maxWidth1 -= allowance
		}
		if len([]rune(r)) <= maxWidth1 {
			chunks = append(chunks, r)
			continue
		}
		parts := wordRE.FindAllString(line, -1)
		maxWidth2 := maxWidth
		current := ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && i == len(lines)-1 {
				maxWidth2 -= allowance
			}
			if len([]rune(Repr(candidate))) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, Repr(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, Repr(current))
		}
	}
	if len(chunks) == 1 {
		return rep
	}
	return strings.Join(chunks, "\n"+strings.Repeat(" ", indent))
}

// splitLinesKeepEnds is Python's str.splitlines(True) for \n, \r\n and \r.
func splitLinesKeepEnds(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			out = append(out, s)
			break
		}
		end := i + 1
		if s[i] == '\r' && end < len(s) && s[end] == '\n' {
			end++
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}
