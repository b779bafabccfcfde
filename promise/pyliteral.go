package promise

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"webrunner/recipes/jinja2/pyval"
)

// pyItem is one key/value pair of a Python dict literal, in source order.
type pyItem struct {
	Key   string
	Value any // string, int64, float64, bool, nil, []any
}

// pyStr returns str(v) for a value read from a Python literal.
func pyStr(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return pyFloat(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyValueRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// pyValueRepr returns repr(v) for a value read from a Python literal.
func pyValueRepr(v any) string {
	if s, ok := v.(string); ok {
		return pyval.QuoteString(s)
	}
	return pyStr(v)
}

// pyDictRepr returns repr(d) of a dict with string keys.
func pyDictRepr(items []pyItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = pyval.QuoteString(it.Key) + ": " + pyValueRepr(it.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// literalParser reads the subset of Python literals that
// slapos.cookbook:promise.plugin writes with pprint: dicts with string keys,
// strings (with implicit concatenation and parentheses), numbers, booleans,
// None, lists and tuples.
type literalParser struct {
	src  string
	pos  int
	line int // line of src[0] in the file
}

type literalError struct {
	line int
	msg  string
}

func (e *literalError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func (p *literalParser) errorf(format string, args ...any) error {
	return &literalError{line: p.line + strings.Count(p.src[:p.pos], "\n"), msg: fmt.Sprintf(format, args...)}
}

// skip skips white space, comments and backslash-newline continuations.
func (p *literalParser) skip() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			p.pos++
		case c == '\\' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '\n':
			p.pos += 2
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *literalParser) peek() byte {
	p.skip()
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *literalParser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("expected %q", c)
	}
	p.pos++
	return nil
}

// dict parses a dict literal with string keys.
func (p *literalParser) dict() ([]pyItem, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	var items []pyItem
	for {
		if p.peek() == '}' {
			p.pos++
			return items, nil
		}
		k, err := p.value()
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, p.errorf("dict key %s is not a string", pyValueRepr(k))
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		replaced := false
		for i := range items {
			if items[i].Key == key {
				items[i].Value = v // a later duplicate wins, as in Python
				replaced = true
			}
		}
		if !replaced {
			items = append(items, pyItem{key, v})
		}
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
		default:
			return nil, p.errorf("expected ',' or '}' in dict")
		}
	}
}

// value parses one literal value.
func (p *literalParser) value() (any, error) {
	c := p.peek()
	switch {
	case c == 0:
		return nil, p.errorf("unexpected end of literal")
	case c == '(' || c == '[':
		p.pos++
		closing := byte(')')
		if c == '[' {
			closing = ']'
		}
		var list []any
		trailingComma := false
		for p.peek() != closing {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			trailingComma = false
			if p.peek() == ',' {
				p.pos++
				trailingComma = true
			} else if p.peek() != closing {
				return nil, p.errorf("expected ',' or %q", closing)
			}
		}
		p.pos++
		if c == '(' && len(list) == 1 && !trailingComma {
			return list[0], nil // parenthesised expression
		}
		if list == nil {
			list = []any{}
		}
		return list, nil
	case c == '\'' || c == '"' || isStringPrefix(p.src[p.pos:]):
		var b strings.Builder
		for {
			s, err := p.str()
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
			c := p.peek()
			if c != '\'' && c != '"' && !isStringPrefix(p.src[p.pos:]) {
				return b.String(), nil
			}
		}
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789abcdefxXoOjJ._+-", p.src[p.pos]) >= 0 {
			if (p.src[p.pos] == '+' || p.src[p.pos] == '-') && p.src[p.pos-1] != 'e' && p.src[p.pos-1] != 'E' {
				break
			}
			p.pos++
		}
		text := strings.ReplaceAll(p.src[start:p.pos], "_", "")
		if i, err := strconv.ParseInt(text, 0, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f, nil
		}
		return nil, p.errorf("unsupported number %q", text)
	}
	for _, kw := range []struct {
		name string
		v    any
	}{{"True", true}, {"False", false}, {"None", nil}} {
		if strings.HasPrefix(p.src[p.pos:], kw.name) && !isIdentByte(p.src, p.pos+len(kw.name)) {
			p.pos += len(kw.name)
			return kw.v, nil
		}
	}
	return nil, p.errorf("unsupported expression starting with %q", c)
}

func isIdentByte(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// isStringPrefix reports whether s starts with a string prefix (r, u, b…)
// followed by a quote.
func isStringPrefix(s string) bool {
	i := 0
	for i < len(s) && i < 2 && strings.IndexByte("rRuUbB", s[i]) >= 0 {
		i++
	}
	return i > 0 && i < len(s) && (s[i] == '\'' || s[i] == '"')
}

// str parses one string literal (any quote style, r/u/b prefixes).
func (p *literalParser) str() (string, error) {
	raw := false
	for p.pos < len(p.src) && strings.IndexByte("rRuUbB", p.src[p.pos]) >= 0 {
		if p.src[p.pos] == 'r' || p.src[p.pos] == 'R' {
			raw = true
		}
		p.pos++
	}
	q := p.src[p.pos]
	quote := string(q)
	if strings.HasPrefix(p.src[p.pos:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	p.pos += len(quote)
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf("unterminated string")
		}
		if strings.HasPrefix(p.src[p.pos:], quote) {
			p.pos += len(quote)
			return b.String(), nil
		}
		c := p.src[p.pos]
		if c == '\n' && len(quote) == 1 {
			return "", p.errorf("unterminated string")
		}
		if c != '\\' {
			b.WriteByte(c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.src) {
			return "", p.errorf("unterminated string")
		}
		e := p.src[p.pos+1]
		if raw {
			b.WriteByte('\\')
			b.WriteByte(e)
			p.pos += 2
			continue
		}
		p.pos += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if p.pos+n > len(p.src) {
				return "", p.errorf("truncated \\%c escape", e)
			}
			r, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
			if err != nil {
				return "", p.errorf("bad \\%c escape", e)
			}
			b.WriteRune(rune(r))
			p.pos += n
		case '0', '1', '2', '3', '4', '5', '6', '7':
			end := p.pos - 1
			for end < len(p.src) && end < p.pos+2 && p.src[end] >= '0' && p.src[end] <= '7' {
				end++
			}
			r, _ := strconv.ParseUint(p.src[p.pos-1:end], 8, 32)
			b.WriteRune(rune(r))
			p.pos = end
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
}

// pyOSError returns the Python exception class name and str() of an
// OSError equivalent to err, e.g. ("ConnectionRefusedError",
// "[Errno 111] Connection refused"). ok is false when err carries no errno.
func pyOSError(err error) (name, text string, ok bool) {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return "", "", false
	}
	name = pyErrnoName[int(errno)]
	if name == "" {
		name = "OSError"
	}
	return name, fmt.Sprintf("[Errno %d] %s", int(errno), pyStrerror(errno.Error())), true
}
