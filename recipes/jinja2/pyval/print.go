package pyval

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Str returns Python's str(v). Using a strict Undefined is an error.
func Str(v Value) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case Markup:
		return string(v), nil
	case *Undefined:
		if v.Strict {
			return "", v.Err()
		}
		return "", nil
	case interface{ PyStr() (string, error) }:
		return v.PyStr()
	}
	return Repr(v)
}

// Repr returns Python's repr(v).
func Repr(v Value) (string, error) {
	var b strings.Builder
	if err := writeRepr(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// FormatFloat returns Python's repr of a float: the shortest representation
// that round-trips, with ".0" for integral values and exponent notation
// outside [1e-4, 1e16).
func FormatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(s, "e")
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	e, _ := strconv.Atoi(exp)
	decpt := e + 1 // value = 0.digits * 10**decpt
	var out string
	if decpt > -4 && decpt <= 16 {
		switch {
		case decpt <= 0:
			out = "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			out = digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			out = digits[:decpt] + "." + digits[decpt:]
		}
	} else {
		out = digits[:1]
		if len(digits) > 1 {
			out += "." + digits[1:]
		}
		sign := "+"
		if e < 0 {
			sign, e = "-", -e
		}
		out += fmt.Sprintf("e%s%02d", sign, e)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// QuoteString returns Python's repr of a str.
func QuoteString(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			// Python decodes such bytes with surrogateescape.
			fmt.Fprintf(&b, `\udc%02x`, s[i])
			i++
			continue
		}
		i += n
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x7f || isPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

func writeSeq(b *strings.Builder, open, close string, items []Value) error {
	b.WriteString(open)
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := writeRepr(b, it); err != nil {
			return err
		}
	}
	b.WriteString(close)
	return nil
}

func writeRepr(b *strings.Builder, v Value) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int:
		b.WriteString(strconv.Itoa(v))
	case *big.Int:
		b.WriteString(v.String())
	case float64:
		b.WriteString(FormatFloat(v))
	case string:
		b.WriteString(QuoteString(v))
	case Markup:
		b.WriteString("Markup(" + QuoteString(string(v)) + ")")
	case *List:
		return writeSeq(b, "[", "]", v.Items)
	case Tuple:
		if len(v) == 1 {
			return writeSeq(b, "(", ",)", v)
		}
		return writeSeq(b, "(", ")", v)
	case *Dict:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := writeRepr(b, k); err != nil {
				return err
			}
			b.WriteString(": ")
			if err := writeRepr(b, v.vals[i]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case *Set:
		name := "set"
		if v.Frozen {
			name = "frozenset"
		}
		if v.Len() == 0 {
			b.WriteString(name + "()")
			return nil
		}
		if v.Frozen {
			b.WriteString("frozenset(")
			defer b.WriteString(")")
		}
		return writeSeq(b, "{", "}", v.Items())
	case *View:
		b.WriteString("dict_" + v.Kind)
		return writeSeq(b, "([", "])", v.Items())
	case Range:
		if v.Step == 1 {
			fmt.Fprintf(b, "range(%d, %d)", v.Start, v.Stop)
		} else {
			fmt.Fprintf(b, "range(%d, %d, %d)", v.Start, v.Stop, v.Step)
		}
	case *Undefined:
		// repr never fails, even for StrictUndefined.
		b.WriteString("Undefined")
	case *Type:
		fmt.Fprintf(b, "<class '%s'>", v.N)
	case *Module:
		fmt.Fprintf(b, "<module '%s'>", v.N)
	case *Iterator:
		if v.Repr != nil {
			b.WriteString(v.Repr())
			break
		}
		fmt.Fprintf(b, "<%s object>", v.Kind)
	case interface{ PyRepr() (string, error) }:
		s, err := v.PyRepr()
		if err != nil {
			return err
		}
		b.WriteString(s)
	case *Func:
		fmt.Fprintf(b, "<built-in function %s>", v.N)
	case Callable:
		fmt.Fprintf(b, "<function %s>", v.Name())
	default:
		fmt.Fprintf(b, "<%s object>", TypeName(v))
	}
	return nil
}

func stringOf(v Value) string {
	s, err := Str(v)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return s
}

// String returns Python's str(l), so that fmt prints lists as Python does.
func (l *List) String() string { return stringOf(l) }

// String returns Python's str(t).
func (t Tuple) String() string { return stringOf(t) }

// String returns Python's str(d).
func (d *Dict) String() string { return stringOf(d) }

// String returns Python's str(s).
func (s *Set) String() string { return stringOf(s) }

// String returns Python's str(v).
func (v *View) String() string { return stringOf(v) }

// isPrintable approximates Python's str.isprintable for non-ASCII runes:
// Go's printable runes less the no-break space and the soft hyphen.
func isPrintable(r rune) bool {
	return unicode.IsPrint(r) && r != 0xa0 && r != 0xad
}
