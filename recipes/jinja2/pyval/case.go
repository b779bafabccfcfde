package pyval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python uses the full Unicode case mappings (SpecialCasing.txt), where one
// character may map to several; Go's unicode package maps rune to rune.
var upperSpecial = map[rune]string{
	'ß': "SS", 'ŉ': "ʼN", 'ǰ': "J̌", 'ΐ': "Ϊ́", 'ΰ': "Ϋ́", 'և': "ԵՒ",
	'ﬀ': "FF", 'ﬁ': "FI", 'ﬂ': "FL", 'ﬃ': "FFI", 'ﬄ': "FFL", 'ﬅ': "ST", 'ﬆ': "ST",
}

var titleSpecial = map[rune]string{
	'ß': "Ss", 'ŉ': "ʼN", 'ﬀ': "Ff", 'ﬁ': "Fi", 'ﬂ': "Fl", 'ﬃ': "Ffi", 'ﬄ': "Ffl", 'ﬅ': "St", 'ﬆ': "St", 'և': "Եւ",
}

// isCasedRune reports whether r is a cased letter (upper, lower or title).
func isCasedRune(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
}

// Upper returns Python's str.upper().
func Upper(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	for _, r := range s {
		if m, ok := upperSpecial[r]; ok {
			b.WriteString(m)
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// Lower returns Python's str.lower(), with the final sigma rule.
func Lower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		switch r {
		case 'İ':
			b.WriteString("i̇")
		case 'Σ':
			if finalSigma(rs, i) {
				b.WriteRune('ς')
			} else {
				b.WriteRune('σ')
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma reports whether the capital sigma at i ends a word: preceded
// by a cased letter and not followed by one (case-ignorable marks skipped).
func finalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && unicode.Is(unicode.Mn, rs[j]) {
		j--
	}
	if j < 0 || !isCasedRune(rs[j]) {
		return false
	}
	k := i + 1
	for k < len(rs) && unicode.Is(unicode.Mn, rs[k]) {
		k++
	}
	return k >= len(rs) || !isCasedRune(rs[k])
}

// Casefold returns Python's str.casefold() for the common cases.
func Casefold(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(Lower(s), "ß", "ss"), "ς", "σ")
}

// titleRune writes the titlecase form of r.
func titleRune(b *strings.Builder, r rune) {
	if m, ok := titleSpecial[r]; ok {
		b.WriteString(m)
		return
	}
	b.WriteRune(unicode.ToTitle(r))
}

// Title returns Python's str.title(): a cased character following an
// uncased one is titlecased, the others lowercased.
func Title(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		switch {
		case isCasedRune(r) && prevCased:
			b.WriteString(Lower(string(r)))
		case isCasedRune(r):
			titleRune(&b, r)
		default:
			b.WriteRune(r)
		}
		prevCased = isCasedRune(r) || (prevCased && unicode.Is(unicode.Mn, r))
	}
	return b.String()
}

// Capitalize returns Python's str.capitalize(): the first character
// titlecased, the rest lowercased.
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	var b strings.Builder
	titleRune(&b, r)
	b.WriteString(Lower(s[n:]))
	return b.String()
}

// SwapCase returns Python's str.swapcase().
func SwapCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			b.WriteString(Lower(string(r)))
		case unicode.IsLower(r):
			b.WriteString(Upper(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IsSpace reports whether r is whitespace for Python's str methods.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
