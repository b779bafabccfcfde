package promise

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The toolbox plugins build their messages with Python's %r; these helpers
// reproduce the repr of the few value kinds they format.

// pyBytesRepr returns the Python repr of a bytes value, e.g. b'out\n'.
func pyBytesRepr(p []byte) string {
	quote := byte('\'')
	if strings.IndexByte(string(p), '\'') >= 0 && strings.IndexByte(string(p), '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.WriteString("b")
	b.WriteByte(quote)
	for _, c := range p {
		switch {
		case c == quote || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// pyFloat returns the Python repr of a float: the shortest round-trip
// digits, always with a fraction or an exponent.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity" // json.dumps spelling
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes e+16 / e-05; Python writes e+16 / e-05 too.
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// pyErrnoName maps an errno to the OSError subclass Python raises for it.
var pyErrnoName = map[int]string{
	1: "PermissionError", 13: "PermissionError",
	2: "FileNotFoundError", 3: "ProcessLookupError", 4: "InterruptedError",
	10: "ChildProcessError", 11: "BlockingIOError", 114: "BlockingIOError", 115: "BlockingIOError",
	17: "FileExistsError", 20: "NotADirectoryError", 21: "IsADirectoryError",
	32: "BrokenPipeError", 108: "BrokenPipeError", 103: "ConnectionAbortedError",
	104: "ConnectionResetError", 110: "TimeoutError", 111: "ConnectionRefusedError",
}

// pyStrerror capitalises a Go errno text the way glibc's strerror spells it.
func pyStrerror(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
