package pyval

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// PercentFormat returns Python's (format % args): args is a tuple of
// positional arguments, a dict for %(name)s conversions, or a single value.
func PercentFormat(format string, args Value) (Value, error) {
	var pos []Value
	var mapping *Dict
	switch a := args.(type) {
	case Tuple:
		pos = a
	case *Dict:
		mapping = a
		pos = []Value{a}
	default:
		// A StrictUndefined argument fails only where it is used: it has
		// __getitem__ (so it counts as a mapping), and repr works.
		pos = []Value{a}
	}
	undef, _ := args.(*Undefined)
	next := 0
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return nil, Errorf("ValueError", "incomplete format")
		}
		var arg Value
		haveArg := false
		if format[i] == '(' {
			end := strings.IndexByte(format[i:], ')')
			if end < 0 {
				return nil, Errorf("ValueError", "incomplete format key")
			}
			if mapping == nil && undef != nil && undef.Strict {
				return nil, undef.Err()
			}
			if mapping == nil {
				return nil, Errorf("TypeError", "format requires a mapping")
			}
			key := format[i+1 : i+end]
			v, ok := mapping.GetStr(key)
			if !ok {
				return nil, Errorf("KeyError", "%s", QuoteString(key))
			}
			arg, haveArg = v, true
			i += end + 1
		}
		// Flags.
		var flags string
		for i < len(format) && strings.IndexByte("-+ #0", format[i]) >= 0 {
			flags += string(format[i])
			i++
		}
		takeArg := func() (Value, error) {
			if next >= len(pos) {
				return nil, Errorf("TypeError", "not enough arguments for format string")
			}
			next++
			return pos[next-1], nil
		}
		width, prec := -1, -1
		if i < len(format) && format[i] == '*' {
			w, err := takeArg()
			if err != nil {
				return nil, err
			}
			width, _ = ToInt(w)
			i++
		} else {
			start := i
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
			if i > start {
				width, _ = strconv.Atoi(format[start:i])
			}
		}
		if i < len(format) && format[i] == '.' {
			i++
			start := i
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
			prec, _ = strconv.Atoi(format[start:i])
		}
		for i < len(format) && strings.IndexByte("hlL", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return nil, Errorf("ValueError", "incomplete format")
		}
		conv := format[i]
		if conv == '%' {
			if haveArg || flags != "" || width >= 0 || prec >= 0 {
				// CPython fetches the argument before rejecting the '%'.
				if !haveArg {
					if _, err := takeArg(); err != nil {
						return nil, err
					}
				}
				return nil, Errorf("ValueError", "unsupported format character '%%' (0x25) at index %d", i)
			}
			b.WriteByte('%')
			continue
		}
		if !haveArg {
			v, err := takeArg()
			if err != nil {
				return nil, err
			}
			arg = v
		}
		s, err := formatOne(conv, flags, prec, arg)
		if err != nil {
			return nil, err
		}
		b.WriteString(pad(s, width, flags, conv))
	}
	// CPython skips this check for arguments with __getitem__ (list, dict).
	_, isList := args.(*List)
	_, isRange := args.(Range)
	if next < len(pos) && mapping == nil && !isList && !isRange && undef == nil {
		return nil, Errorf("TypeError", "not all arguments converted during string formatting")
	}
	return b.String(), nil
}

func pad(s string, width int, flags string, conv byte) string {
	n := len([]rune(s))
	if width <= n {
		return s
	}
	fill := width - n
	switch {
	case strings.Contains(flags, "-"):
		return s + strings.Repeat(" ", fill)
	case strings.Contains(flags, "0") && strings.IndexByte("diouxXeEfFgG", conv) >= 0:
		sign := ""
		if s != "" && (s[0] == '-' || s[0] == '+' || s[0] == ' ') {
			sign, s = s[:1], s[1:]
		}
		if len(s) > 2 && s[0] == '0' && strings.IndexByte("xXo", s[1]) >= 0 {
			sign, s = sign+s[:2], s[2:] // zeros go after the 0x prefix
		}
		return sign + strings.Repeat("0", fill) + s
	}
	return strings.Repeat(" ", fill) + s
}

func signed(s string, neg bool, flags string) string {
	switch {
	case neg:
		return "-" + s
	case strings.Contains(flags, "+"):
		return "+" + s
	case strings.Contains(flags, " "):
		return " " + s
	}
	return s
}

func formatOne(conv byte, flags string, prec int, arg Value) (string, error) {
	switch conv {
	case 's':
		s, err := Str(arg)
		if err == nil && prec >= 0 && len([]rune(s)) > prec {
			s = string([]rune(s)[:prec])
		}
		return s, err
	case 'r', 'a':
		s, err := Repr(arg)
		if err == nil && prec >= 0 && len([]rune(s)) > prec {
			s = string([]rune(s)[:prec])
		}
		return s, err
	case 'c':
		if s, ok := unmark(arg).(string); ok {
			if len([]rune(s)) != 1 {
				return "", Errorf("TypeError", "%%c requires int or char")
			}
			return s, nil
		}
		z, _, k := numeric(arg)
		if k != 1 {
			return "", Errorf("TypeError", "%%c requires int or char")
		}
		if z.Sign() < 0 || z.Cmp(big.NewInt(0x10ffff)) > 0 {
			return "", Errorf("OverflowError", "%%c arg not in range(0x110000)")
		}
		return string(rune(z.Int64())), nil
	case 'd', 'i', 'u', 'x', 'X', 'o':
		var z *big.Int
		switch a := arg.(type) {
		case float64:
			if math.IsInf(a, 0) || math.IsNaN(a) {
				return "", Errorf("OverflowError", "cannot convert float infinity to integer")
			}
			if conv != 'd' && conv != 'i' && conv != 'u' {
				return "", Errorf("TypeError", "%%%c format: an integer is required, not float", conv)
			}
			z, _ = new(big.Float).SetFloat64(math.Trunc(a)).Int(nil)
		default:
			zi, _, k := numeric(arg)
			if k != 1 {
				if err := checkUndef(arg); err != nil {
					return "", err
				}
				return "", Errorf("TypeError", "%%%c format: a real number is required, not %s", conv, TypeName(arg))
			}
			z = zi
		}
		neg := z.Sign() < 0
		abs := new(big.Int).Abs(z)
		var s, prefix string
		switch conv {
		case 'x':
			s, prefix = abs.Text(16), "0x"
		case 'X':
			s, prefix = strings.ToUpper(abs.Text(16)), "0X"
		case 'o':
			s, prefix = abs.Text(8), "0o"
		default:
			s = abs.String()
		}
		if prec > len(s) {
			s = strings.Repeat("0", prec-len(s)) + s
		}
		if strings.Contains(flags, "#") {
			s = prefix + s
		}
		return signed(s, neg, flags), nil
	case 'f', 'F', 'e', 'E', 'g', 'G':
		f, ok := ToFloat(arg)
		if !ok {
			if err := checkUndef(arg); err != nil {
				return "", err
			}
			return "", Errorf("TypeError", "must be real number, not %s", TypeName(arg))
		}
		if prec < 0 {
			prec = 6
		}
		return signed(formatFloatConv(math.Abs(f), conv, prec, strings.Contains(flags, "#")), math.Signbit(f) && !math.IsNaN(f), flags), nil
	}
	return "", Errorf("ValueError", "unsupported format character '%c'", conv)
}

// formatFloatConv formats a non-negative float with a printf-style
// conversion as Python does.
func formatFloatConv(f float64, conv byte, prec int, alt bool) string {
	if math.IsInf(f, 0) {
		if conv >= 'A' && conv <= 'Z' {
			return "INF"
		}
		return "inf"
	}
	if math.IsNaN(f) {
		if conv >= 'A' && conv <= 'Z' {
			return "NAN"
		}
		return "nan"
	}
	switch conv {
	case 'f', 'F':
		s := strconv.FormatFloat(f, 'f', prec, 64)
		if alt && prec == 0 {
			s += "."
		}
		return s
	case 'e', 'E':
		s := fixExp(strconv.FormatFloat(f, byte(conv), prec, 64))
		if alt && prec == 0 {
			i := strings.IndexAny(s, "eE")
			s = s[:i] + "." + s[i:]
		}
		return s
	}
	// %g: precision 0 is 1; scientific when exp < -4 or exp >= prec.
	if prec == 0 {
		prec = 1
	}
	s := strconv.FormatFloat(f, 'e', prec-1, 64)
	mant, ex, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(ex)
	if e < -4 || e >= prec {
		if !alt && strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		if alt && !strings.Contains(mant, ".") {
			mant += "."
		}
		out := fixExp(mant + "e" + ex)
		if conv == 'G' {
			out = strings.ToUpper(out)
		}
		return out
	}
	out := strconv.FormatFloat(f, 'f', max(prec-1-e, 0), 64)
	if !alt && strings.Contains(out, ".") {
		out = strings.TrimRight(strings.TrimRight(out, "0"), ".")
	}
	if alt && !strings.Contains(out, ".") {
		out += "."
	}
	return out
}

// fixExp rewrites Go's exponent (e+06, e-07) to Python's two-digit minimum.
func fixExp(s string) string {
	i := strings.LastIndexAny(s, "eE")
	if i < 0 {
		return s
	}
	mant, exp := s[:i+1], s[i+1:]
	sign := exp[:1]
	digits := strings.TrimLeft(exp[1:], "0")
	for len(digits) < 2 {
		digits = "0" + digits
	}
	return mant + sign + digits
}

// StrFormat implements str.format for the common replacement fields:
// {}, {0}, {name}, {name.attr}, {0[key]}, with !r/!s conversions and a
// format spec.
func StrFormat(format string, args []Value, kwargs []KV) (string, error) {
	auto := 0
	return strFormatAuto(format, args, kwargs, &auto)
}

// strFormatAuto is StrFormat with the automatic field counter shared with
// the caller (for nested replacement fields).
func strFormatAuto(format string, args []Value, kwargs []KV, autoPtr *int) (string, error) {
	var b strings.Builder
	auto := *autoPtr
	defer func() { *autoPtr = auto }()
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '}' {
			if i+1 < len(format) && format[i+1] == '}' {
				i++
			}
			b.WriteByte('}')
			continue
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		// The field ends at the matching brace: a format spec may hold
		// nested replacement fields ("{:>{}}").
		depth, end := 0, -1
		for j := i; j < len(format); j++ {
			if format[j] == '{' {
				depth++
			} else if format[j] == '}' {
				depth--
				if depth == 0 {
					end = j - i
					break
				}
			}
		}
		if end < 0 {
			return "", Errorf("ValueError", "expected '}' before end of string")
		}
		field := format[i+1 : i+end]
		i += end
		field, spec, _ := strings.Cut(field, ":")
		field, convs, _ := strings.Cut(field, "!")
		name := field
		rest := ""
		if j := strings.IndexAny(field, ".["); j >= 0 {
			name, rest = field[:j], field[j:]
		}
		var v Value
		if name == "" {
			if auto >= len(args) {
				return "", Errorf("IndexError", "Replacement index %d out of range for positional args tuple", auto)
			}
			v = args[auto]
			auto++
		} else if n, err := strconv.Atoi(name); err == nil {
			if n >= len(args) {
				return "", Errorf("IndexError", "Replacement index %d out of range for positional args tuple", n)
			}
			v = args[n]
		} else {
			found := false
			for _, kv := range kwargs {
				if kv.Key == name {
					v, found = kv.Value, true
				}
			}
			if !found {
				return "", Errorf("KeyError", "%s", QuoteString(name))
			}
		}
		if strings.IndexByte(spec, '{') >= 0 {
			// Expand nested fields, continuing automatic numbering.
			expanded, err := strFormatAuto(spec, args, kwargs, &auto)
			if err != nil {
				return "", err
			}
			spec = expanded
		}
		for rest != "" {
			if rest[0] == '.' {
				j := strings.IndexAny(rest[1:], ".[")
				attr := rest[1:]
				if j >= 0 {
					attr, rest = rest[1:j+1], rest[j+1:]
				} else {
					rest = ""
				}
				a, err := GetAttr(v, attr)
				if err != nil {
					return "", err
				}
				v = a
			} else {
				j := strings.IndexByte(rest, ']')
				if j < 0 {
					return "", Errorf("ValueError", "Missing ']' in format string")
				}
				key := rest[1:j]
				rest = rest[j+1:]
				var k Value = key
				if n, err := strconv.Atoi(key); err == nil {
					k = n
				}
				it, err := GetItem(v, k)
				if err != nil {
					return "", err
				}
				v = it
			}
		}
		if convs == "r" {
			s, err := Repr(v)
			if err != nil {
				return "", err
			}
			v = s
		} else if convs == "s" {
			s, err := Str(v)
			if err != nil {
				return "", err
			}
			v = s
		}
		s, err := FormatSpec(v, spec)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// FormatSpec returns Python's format(v, spec) for the format
// mini-language: [[fill]align][sign][z][#][0][width][,|_][.precision][type],
// with CPython's errors for specs a type does not accept.
func FormatSpec(v Value, spec string) (string, error) {
	v = unmark(v)
	if spec == "" {
		return Str(v)
	}
	var fs fmtSpec
	if err := fs.parse(spec); err != nil {
		return "", err
	}
	if b, ok := v.(bool); ok {
		v, _ = ToPyInt(b, -1)
	}
	switch x := v.(type) {
	case string:
		return fs.formatStr(x)
	case int, *big.Int:
		return fs.formatInt(x)
	case float64:
		return fs.formatFloat(x)
	case *Undefined:
		if x.Strict {
			return "", x.Err()
		}
	}
	return "", Errorf("TypeError", "unsupported format string passed to %s.__format__", TypeName(v))
}

type fmtSpec struct {
	fill               string
	align              byte // 0 when not given
	sign               byte // 0, '+', '-' or ' '
	z, alt, zero       bool
	width, prec        int // -1 when not given
	grouping           byte
	typ                byte
	explicitAlignGiven bool
	fillGiven          bool
}

func (f *fmtSpec) parse(spec string) error {
	f.fill, f.width, f.prec = " ", -1, -1
	rs := []rune(spec)
	if len(rs) >= 2 && strings.ContainsRune("<>^=", rs[1]) {
		f.fill, f.align, f.fillGiven = string(rs[0]), byte(rs[1]), true
		spec = string(rs[2:])
	} else if spec != "" && strings.IndexByte("<>^=", spec[0]) >= 0 {
		f.align = spec[0]
		spec = spec[1:]
	}
	f.explicitAlignGiven = f.align != 0
	if spec != "" && strings.IndexByte("+- ", spec[0]) >= 0 {
		f.sign = spec[0]
		spec = spec[1:]
	}
	if spec != "" && spec[0] == 'z' {
		f.z = true
		spec = spec[1:]
	}
	if spec != "" && spec[0] == '#' {
		f.alt = true
		spec = spec[1:]
	}
	if spec != "" && spec[0] == '0' {
		f.zero = true
		spec = spec[1:]
	}
	j := 0
	for j < len(spec) && spec[j] >= '0' && spec[j] <= '9' {
		j++
	}
	if j > 0 {
		f.width, _ = strconv.Atoi(spec[:j])
		spec = spec[j:]
	}
	if spec != "" && (spec[0] == ',' || spec[0] == '_') {
		f.grouping = spec[0]
		spec = spec[1:]
	}
	if spec != "" && spec[0] == '.' {
		k := 1
		for k < len(spec) && spec[k] >= '0' && spec[k] <= '9' {
			k++
		}
		if k == 1 {
			return Errorf("ValueError", "Format specifier missing precision")
		}
		f.prec, _ = strconv.Atoi(spec[1:k])
		spec = spec[k:]
	}
	if len(spec) > 1 {
		return Errorf("ValueError", "Invalid format specifier")
	}
	if spec != "" {
		f.typ = spec[0]
	}
	return nil
}

func (f *fmtSpec) formatStr(s string) (string, error) {
	switch {
	case f.typ != 0 && f.typ != 's':
		return "", Errorf("ValueError", "Unknown format code '%c' for object of type 'str'", f.typ)
	case f.sign != 0:
		return "", Errorf("ValueError", "Sign not allowed in string format specifier")
	case f.alt:
		return "", Errorf("ValueError", "Alternate form (#) not allowed in string format specifier")
	case f.grouping != 0:
		return "", Errorf("ValueError", "Cannot specify '%c' with 's'.", f.grouping)
	case f.align == '=':
		return "", Errorf("ValueError", "'=' alignment not allowed in string format specifier")
	}
	if f.zero {
		if !f.fillGiven {
			f.fill = "0"
		}
		if f.align == 0 {
			f.align = '<'
		}
	}
	if f.prec >= 0 && len([]rune(s)) > f.prec {
		s = string([]rune(s)[:f.prec])
	}
	return f.pad("", s, '<'), nil
}

func (f *fmtSpec) formatInt(v Value) (string, error) {
	if f.typ != 0 && strings.IndexByte("eEfFgG%", f.typ) >= 0 {
		fv, _ := ToFloat(v)
		return f.formatFloat(fv)
	}
	if f.typ == 0 {
		f.typ = 'd'
	}
	if strings.IndexByte("bcdoxXn", f.typ) < 0 {
		return "", Errorf("ValueError", "Unknown format code '%c' for object of type 'int'", f.typ)
	}
	if f.prec >= 0 {
		return "", Errorf("ValueError", "Precision not allowed in integer format specifier")
	}
	if f.z {
		return "", Errorf("ValueError", "Negative zero coercion (z) not allowed in integer format specifier")
	}
	if f.grouping == ',' && f.typ != 'd' {
		return "", Errorf("ValueError", "Cannot specify ',' with '%c'.", f.typ)
	}
	z, _, _ := numeric(v)
	neg := z.Sign() < 0
	abs := new(big.Int).Abs(z)
	var digits, prefix string
	group := 3
	switch f.typ {
	case 'c':
		if f.sign != 0 {
			return "", Errorf("ValueError", "Sign not allowed with integer format specifier 'c'")
		}
		return f.pad("", string(rune(z.Int64())), '<'), nil
	case 'b':
		digits, prefix, group = abs.Text(2), "0b", 4
	case 'o':
		digits, prefix, group = abs.Text(8), "0o", 4
	case 'x':
		digits, prefix, group = abs.Text(16), "0x", 4
	case 'X':
		digits, prefix, group = strings.ToUpper(abs.Text(16)), "0X", 4
	default:
		digits = abs.String()
	}
	if !f.alt {
		prefix = ""
	}
	return f.number(neg, prefix, digits, "", group), nil
}

func (f *fmtSpec) formatFloat(x float64) (string, error) {
	if f.typ != 0 && strings.IndexByte("eEfFgGn%", f.typ) < 0 {
		return "", Errorf("ValueError", "Unknown format code '%c' for object of type 'float'", f.typ)
	}
	if f.grouping == ',' && f.typ == 'n' {
		return "", Errorf("ValueError", "Cannot specify ',' with 'n'.")
	}
	neg := math.Signbit(x) && !math.IsNaN(x)
	a := math.Abs(x)
	var body string
	switch f.typ {
	case 0:
		if f.prec < 0 {
			body = FormatFloat(a)
			if i := strings.IndexByte(body, 'e'); f.alt && i >= 0 && !strings.Contains(body[:i], ".") {
				body = body[:i] + "." + body[i:]
			}
		} else {
			body = formatNoneType(a, f.prec, f.alt)
		}
	case '%':
		prec := f.prec
		if prec < 0 {
			prec = 6
		}
		body = formatFloatConv(a*100, 'f', prec, f.alt) + "%"
	case 'n':
		prec := f.prec
		if prec < 0 {
			prec = 6
		}
		body = formatFloatConv(a, 'g', prec, f.alt)
	default:
		prec := f.prec
		if prec < 0 {
			prec = 6
		}
		body = formatFloatConv(a, f.typ, prec, f.alt)
	}
	if f.z && neg && strings.Trim(body, "0.%eE+-") == "" {
		neg = false
	}
	// Split the integer digits (grouped) from the rest.
	i := 0
	for i < len(body) && body[i] >= '0' && body[i] <= '9' {
		i++
	}
	return f.number(neg, "", body[:i], body[i:], 3), nil
}

// formatNoneType formats a float for an omitted type with a precision:
// like 'g', but scientific from exponent p-1 on and with at least one digit
// after the point.
func formatNoneType(a float64, prec int, alt bool) string {
	if math.IsInf(a, 0) || math.IsNaN(a) {
		return formatFloatConv(a, 'g', prec, false)
	}
	p := max(prec, 1)
	s := strconv.FormatFloat(a, 'e', p-1, 64)
	mant, ex, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(ex)
	// CPython: use_exp if decpt <= -4 || decpt > precision-1 (decpt = e+1).
	if e < -4 || e >= p-1 {
		if strings.Contains(mant, ".") && !alt {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		if alt && !strings.Contains(mant, ".") {
			mant += "."
		}
		return fixExp(mant + "e" + ex)
	}
	out := strconv.FormatFloat(a, 'f', max(p-1-e, 0), 64)
	if alt {
		if !strings.Contains(out, ".") {
			out += "."
		}
		return out
	}
	if strings.Contains(out, ".") {
		out = strings.TrimRight(strings.TrimRight(out, "0"), ".")
	}
	if !strings.Contains(out, ".") {
		out += ".0"
	}
	return out
}

// number assembles sign, prefix, grouped digits and the rest, padded.
func (f *fmtSpec) number(neg bool, prefix, digits, rest string, group int) string {
	sign := ""
	switch {
	case neg:
		sign = "-"
	case f.sign == '+':
		sign = "+"
	case f.sign == ' ':
		sign = " "
	}
	if f.zero {
		// The 0 flag sets the fill (unless given) and, without an
		// explicit alignment, sign-aware padding.
		if !f.fillGiven {
			f.fill = "0"
		}
		if !f.explicitAlignGiven {
			f.align = '='
		}
	}
	lead := sign + prefix
	if f.fill == "0" && f.align == '=' && f.width > 0 {
		// Zero padding is part of the digits, grouped as they are.
		minDigits := f.width - len([]rune(lead)) - len([]rune(rest))
		for {
			g := groupDigits(digits, f.grouping, group)
			if len(g) >= minDigits {
				return lead + g + rest
			}
			digits = "0" + digits
		}
	}
	return f.pad(lead, groupDigits(digits, f.grouping, group)+rest, '>')
}

// pad applies fill, alignment and width; lead (sign, prefix) goes before
// the fill with '=' alignment.
func (f *fmtSpec) pad(lead, body string, dflt byte) string {
	align := f.align
	if align == 0 {
		align = dflt
	}
	n := len([]rune(lead)) + len([]rune(body))
	if f.width <= n {
		return lead + body
	}
	fill := f.width - n
	switch align {
	case '<':
		return lead + body + strings.Repeat(f.fill, fill)
	case '^':
		return strings.Repeat(f.fill, fill/2) + lead + body + strings.Repeat(f.fill, fill-fill/2)
	case '=':
		return lead + strings.Repeat(f.fill, fill) + body
	}
	return strings.Repeat(f.fill, fill) + lead + body
}

// groupDigits inserts sep every n digits from the right.
func groupDigits(digits string, sep byte, n int) string {
	if sep == 0 || len(digits) <= n {
		return digits
	}
	var b strings.Builder
	first := len(digits) % n
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += n {
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(digits[i : i+n])
	}
	return b.String()
}
