package jinja2

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF tokKind = iota
	tData
	tVarBegin
	tVarEnd
	tBlockBegin
	tBlockEnd
	tName
	tString
	tInt
	tFloat
	tOp
)

var tokNames = [...]string{"end of template", "template data", "begin of print statement", "end of print statement",
	"begin of statement block", "end of statement block", "name", "string", "integer", "float", "operator"}

type token struct {
	kind tokKind
	val  string // name, operator, decoded string, data text, number text
	line int
}

func (t token) String() string {
	switch t.kind {
	case tName, tOp, tInt, tFloat:
		return "'" + t.val + "'"
	case tString:
		return "string"
	}
	return tokNames[t.kind]
}

// normalize applies the environment's newline rules to a template source:
// "\r\n" and "\r" become "\n", and one trailing newline is dropped
// (keep_trailing_newline=False).
func normalize(src string) string {
	if strings.IndexByte(src, '\r') >= 0 {
		src = strings.ReplaceAll(src, "\r\n", "\n")
		src = strings.ReplaceAll(src, "\r", "\n")
	}
	return strings.TrimSuffix(src, "\n")
}

type lexer struct {
	name string
	src  string
	pos  int
	line int
	toks []token
}

func (l *lexer) errorf(line int, format string, args ...any) error {
	return &Error{Type: "TemplateSyntaxError", Message: fmt.Sprintf(format, args...), Template: l.name, Line: line}
}

func (l *lexer) emit(kind tokKind, val string, line int) {
	l.toks = append(l.toks, token{kind, val, line})
}

// advance moves pos to p, counting newlines.
func (l *lexer) advance(p int) {
	l.line += strings.Count(l.src[l.pos:p], "\n")
	l.pos = p
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func skipSpace(s string, p int) int {
	for p < len(s) && isSpace(s[p]) {
		p++
	}
	return p
}

// rawBegin reports whether a {% raw %} tag starts at p and returns its end.
func rawTag(s string, p int, word string) (end int, lstrip bool, ok bool) {
	if !strings.HasPrefix(s[p:], "{%") {
		return 0, false, false
	}
	q := p + 2
	if q < len(s) && (s[q] == '-' || s[q] == '+') {
		lstrip = s[q] == '-'
		q++
	}
	q = skipSpace(s, q)
	if !strings.HasPrefix(s[q:], word) {
		return 0, false, false
	}
	q = skipSpace(s, q+len(word))
	switch {
	case strings.HasPrefix(s[q:], "-%}"):
		return skipSpace(s, q+3), lstrip, true
	case strings.HasPrefix(s[q:], "%}"):
		return q + 2, lstrip, true
	}
	return 0, false, false
}

func tokenize(name, src string) ([]token, error) {
	l := &lexer{name: name, src: src, line: 1}
	for l.pos < len(l.src) {
		// Data up to the next tag.
		i := l.pos
		for {
			j := strings.IndexByte(l.src[i:], '{')
			if j < 0 {
				i = len(l.src)
				break
			}
			i += j
			if i+1 < len(l.src) && (l.src[i+1] == '{' || l.src[i+1] == '%' || l.src[i+1] == '#') {
				break
			}
			i++
		}
		data := l.src[l.pos:i]
		if i < len(l.src) && i+2 < len(l.src) && l.src[i+2] == '-' {
			data = strings.TrimRightFunc(data, unicode.IsSpace)
		}
		if data != "" {
			l.emit(tData, data, l.line)
		}
		l.advance(i)
		if i >= len(l.src) {
			break
		}
		switch l.src[i+1] {
		case '#':
			end := strings.Index(l.src[i+2:], "#}")
			if end < 0 {
				return nil, l.errorf(l.line, "Missing end of comment tag")
			}
			e := i + 2 + end
			next := e + 2
			if e > i+2 && l.src[e-1] == '-' {
				next = skipSpace(l.src, next)
			}
			l.advance(next)
		case '%':
			if end, _, ok := rawTag(l.src, i, "raw"); ok {
				startLine := l.line
				l.advance(end)
				// Find {% endraw %}.
				k := l.pos
				for {
					j := strings.Index(l.src[k:], "{%")
					if j < 0 {
						return nil, l.errorf(startLine, "Missing end of raw directive")
					}
					k += j
					if e2, lstrip, ok := rawTag(l.src, k, "endraw"); ok {
						body := l.src[l.pos:k]
						if lstrip {
							body = strings.TrimRightFunc(body, unicode.IsSpace)
						}
						if body != "" {
							l.emit(tData, body, l.line)
						}
						l.advance(e2)
						break
					}
					k += 2
				}
				continue
			}
			if err := l.tag(tBlockBegin, tBlockEnd, "%}"); err != nil {
				return nil, err
			}
		case '{':
			if err := l.tag(tVarBegin, tVarEnd, "}}"); err != nil {
				return nil, err
			}
		}
	}
	l.emit(tEOF, "", l.line)
	return l.toks, nil
}

var operators = []string{"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=",
	"(", ")", "[", "]", "{", "}", ",", ".", ":", "|", ";"}

// tag lexes the inside of {{ }} or {% %} starting at l.pos.
func (l *lexer) tag(begin, end tokKind, closer string) error {
	l.emit(begin, "", l.line)
	p := l.pos + 2
	if p < len(l.src) && (l.src[p] == '-' || l.src[p] == '+') {
		p++
	}
	l.advance(p)
	depth := 0
	for {
		l.advance(skipSpace(l.src, l.pos))
		s := l.src[l.pos:]
		if s == "" {
			what := "print statement"
			if begin == tBlockBegin {
				what = "block statement"
			}
			return l.errorf(l.line, "unexpected end of template, expected end of %s", what)
		}
		if depth == 0 {
			if strings.HasPrefix(s, "-"+closer) {
				l.emit(end, "", l.line)
				l.advance(skipSpace(l.src, l.pos+3))
				return nil
			}
			if strings.HasPrefix(s, closer) {
				l.emit(end, "", l.line)
				l.advance(l.pos + 2)
				return nil
			}
			if closer == "%}" && strings.HasPrefix(s, "+%}") {
				// "+%}" disables trim_blocks, which is off anyway.
				l.emit(end, "", l.line)
				l.advance(l.pos + 3)
				return nil
			}
		}
		c := s[0]
		switch {
		case c == '\'' || c == '"':
			j := 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return l.errorf(l.line, "unexpected char %s at %d", strconv.QuoteRune(rune(c)), l.pos)
			}
			l.emit(tString, unescape(s[1:j]), l.line)
			l.advance(l.pos + j + 1)
		case c >= '0' && c <= '9':
			j, kind := scanNumber(s)
			if n := len(l.toks); kind == tFloat && n > 0 && l.toks[n-1].kind == tOp && l.toks[n-1].val == "." {
				// After a dot, "1.0" is two subscripts, not a float.
				j, kind = digitsUnderscore(s, 0, isDigit), tInt
			}
			l.emit(kind, strings.ReplaceAll(s[:j], "_", ""), l.line)
			l.advance(l.pos + j)
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			j := 0
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if !(r == '_' || unicode.IsLetter(r) || (j > 0 && unicode.IsDigit(r))) {
					break
				}
				j += n
			}
			if j == 0 {
				return l.errorf(l.line, "unexpected char %s at %d", strconv.QuoteRune(rune(c)), l.pos)
			}
			l.emit(tName, s[:j], l.line)
			l.advance(l.pos + j)
		default:
			op := ""
			for _, o := range operators {
				if strings.HasPrefix(s, o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(s)
				return l.errorf(l.line, "unexpected char %s at %d", strconv.QuoteRune(r), l.pos)
			}
			switch op {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth == 0 {
					return l.errorf(l.line, "unexpected '%s'", op)
				}
				depth--
			}
			l.emit(tOp, op, l.line)
			l.advance(l.pos + len(op))
		}
	}
}

func digitsUnderscore(s string, j int, ok func(byte) bool) int {
	for j < len(s) && (ok(s[j]) || s[j] == '_' && j+1 < len(s) && ok(s[j+1])) {
		j++
	}
	return j
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func scanNumber(s string) (int, tokKind) {
	if len(s) > 2 && s[0] == '0' {
		var ok func(byte) bool
		switch s[1] {
		case 'x', 'X':
			ok = func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
		case 'o', 'O':
			ok = func(c byte) bool { return c >= '0' && c <= '7' }
		case 'b', 'B':
			ok = func(c byte) bool { return c == '0' || c == '1' }
		}
		if ok != nil {
			return digitsUnderscore(s, 2, ok), tInt
		}
	}
	j := digitsUnderscore(s, 0, isDigit)
	kind := tInt
	if j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		j = digitsUnderscore(s, j+1, isDigit)
		kind = tFloat
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			j = digitsUnderscore(s, k, isDigit)
			kind = tFloat
		}
	}
	return j, kind
}

// unescape decodes a string literal body as Python's unicode-escape codec.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n <= len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		default:
			if e >= '0' && e <= '7' {
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(s[i:j], 8, 32)
				b.WriteRune(rune(v))
				i = j - 1
				continue
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}
