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
		if err := checkUndef(a); err != nil {
			return nil, err
		}
		pos = []Value{a}
	}
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
	if next < len(pos) && mapping == nil && !isList && !isRange {
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
		if s, ok := arg.(string); ok {
			return s, nil
		}
		i, _ := ToInt(arg)
		return string(rune(i)), nil
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
		var s string
		switch conv {
		case 'x':
			s = abs.Text(16)
			if strings.Contains(flags, "#") {
				s = "0x" + s
			}
		case 'X':
			s = strings.ToUpper(abs.Text(16))
			if strings.Contains(flags, "#") {
				s = "0X" + s
			}
		case 'o':
			s = abs.Text(8)
			if strings.Contains(flags, "#") {
				s = "0o" + s
			}
		default:
			s = abs.String()
		}
		if prec > len(s) {
			s = strings.Repeat("0", prec-len(s)) + s
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
		return strconv.FormatFloat(f, 'f', prec, 64)
	case 'e', 'E':
		s := strconv.FormatFloat(f, byte(conv), prec, 64)
		return fixExp(s)
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
// mini-language: [[fill]align][sign][#][0][width][,][.precision][type].
func FormatSpec(v Value, spec string) (string, error) {
	if spec == "" {
		return Str(v)
	}
	fill, align := " ", byte(0)
	rs := []rune(spec)
	if len(rs) >= 2 && strings.ContainsRune("<>^=", rs[1]) {
		fill, align = string(rs[0]), byte(rs[1])
		spec = string(rs[2:])
	} else if len(spec) >= 1 && strings.IndexByte("<>^=", spec[0]) >= 0 {
		align = spec[0]
		spec = spec[1:]
	}
	flags := ""
	if spec != "" && strings.IndexByte("+- ", spec[0]) >= 0 {
		flags += spec[:1]
		spec = spec[1:]
	}
	if spec != "" && spec[0] == '#' {
		flags += "#"
		spec = spec[1:]
	}
	if spec != "" && spec[0] == '0' {
		if align == 0 {
			fill, align = "0", '='
		}
		spec = spec[1:]
	}
	j := 0
	for j < len(spec) && spec[j] >= '0' && spec[j] <= '9' {
		j++
	}
	width := -1
	if j > 0 {
		width, _ = strconv.Atoi(spec[:j])
	}
	spec = spec[j:]
	comma := false
	if spec != "" && (spec[0] == ',' || spec[0] == '_') {
		comma = true
		spec = spec[1:]
	}
	prec := -1
	if spec != "" && spec[0] == '.' {
		k := 1
		for k < len(spec) && spec[k] >= '0' && spec[k] <= '9' {
			k++
		}
		prec, _ = strconv.Atoi(spec[1:k])
		spec = spec[k:]
	}
	typ := byte(0)
	if spec != "" {
		typ = spec[0]
	}
	var s string
	var err error
	numericV := false
	switch v.(type) {
	case int, bool, *big.Int, float64:
		numericV = true
	}
	switch {
	case typ == 0 && !numericV:
		s, err = Str(v)
		if err == nil && prec >= 0 && len([]rune(s)) > prec {
			s = string([]rune(s)[:prec])
		}
	case typ == 0:
		if f, ok := v.(float64); ok && prec >= 0 {
			s, err = formatOne('g', flags, prec, f)
		} else {
			s, err = Str(v)
			if err == nil && strings.Contains(flags, "+") && !strings.HasPrefix(s, "-") {
				s = "+" + s
			}
		}
	case typ == 's':
		s, err = Str(v)
	case typ == 'n':
		s, err = formatOne('d', flags, prec, v)
	case typ == '%':
		f, _ := ToFloat(v)
		if prec < 0 {
			prec = 6
		}
		s, err = formatOne('f', flags, prec, f*100)
		s += "%"
	case typ == 'b':
		z, _, _ := numeric(v)
		if z == nil {
			return "", Errorf("ValueError", "Unknown format code 'b' for object of type '%s'", TypeName(v))
		}
		s = signed(new(big.Int).Abs(z).Text(2), z.Sign() < 0, flags)
	default:
		s, err = formatOne(typ, flags, prec, v)
	}
	if err != nil {
		return "", err
	}
	if comma && numericV {
		s = groupThousands(s)
	}
	if align == 0 {
		align = '<'
		if numericV {
			align = '>'
		}
	}
	n := len([]rune(s))
	if width <= n {
		return s, nil
	}
	f := width - n
	switch align {
	case '<':
		return s + strings.Repeat(fill, f), nil
	case '^':
		return strings.Repeat(fill, f/2) + s + strings.Repeat(fill, f-f/2), nil
	case '=':
		sign := ""
		if s != "" && strings.IndexByte("+- ", s[0]) >= 0 {
			sign, s = s[:1], s[1:]
		}
		return sign + strings.Repeat(fill, f) + s, nil
	}
	return strings.Repeat(fill, f) + s, nil
}

func groupThousands(s string) string {
	sign := ""
	if s != "" && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := sign + b.String()
	if hasFrac {
		out += "." + frac
	}
	return out
}
