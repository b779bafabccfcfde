package pyval

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// BuiltinNames lists the Python builtins of the recipe's default context,
// in the recipe's order.
var BuiltinNames = []string{"abs", "all", "any", "bin", "bool", "bytes", "callable", "chr", "complex", "dict",
	"divmod", "enumerate", "filter", "float", "format", "frozenset", "hex", "int",
	"isinstance", "iter", "len", "list", "map", "max", "min", "next", "oct", "ord", "pow",
	"range", "repr", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip"}

// builtins is built by a function so that package variables using
// Builtin (the six module) are initialised after it.
var builtins = makeBuiltins()

func makeBuiltins() map[string]Value {
	builtins := map[string]Value{}
	fn := func(name string, minArgs, maxArgs int, f func([]Value, []KV) (Value, error), kw ...string) {
		builtins[name] = method(name, minArgs, maxArgs, f, kw...)
	}
	typ := func(name string, is func(Value) bool, minArgs, maxArgs int, f func([]Value, []KV) (Value, error), kw ...string) {
		m := method(name, minArgs, maxArgs, f, kw...)
		builtins[name] = &Type{Func: *m, Is: is}
	}
	typ("bool", func(v Value) bool { _, ok := v.(bool); return ok }, 0, 1, func(a []Value, _ []KV) (Value, error) {
		if len(a) == 0 {
			return false, nil
		}
		return Truth(a[0])
	})
	typ("int", func(v Value) bool {
		switch v.(type) {
		case int, *big.Int, bool:
			return true
		}
		return false
	}, 0, 2, func(a []Value, kw []KV) (Value, error) {
		if len(a) == 0 {
			return 0, nil
		}
		base := -1
		if b := Arg(a, kw, 1, "base", nil); b != nil {
			var ok bool
			if base, ok = ToInt(b); !ok {
				return nil, Errorf("TypeError", "'%s' object cannot be interpreted as an integer", TypeName(b))
			}
			if base != 0 && (base < 2 || base > 36) {
				return nil, Errorf("ValueError", "int() base must be >= 2 and <= 36, or 0")
			}
			if _, isStr := unmark(a[0]).(string); !isStr {
				return nil, Errorf("TypeError", "int() can't convert non-string with explicit base")
			}
		}
		return ToPyInt(a[0], base)
	}, "base")
	typ("float", func(v Value) bool { _, ok := v.(float64); return ok }, 0, 1, func(a []Value, _ []KV) (Value, error) {
		if len(a) == 0 {
			return 0.0, nil
		}
		return ToPyFloat(a[0])
	})
	typ("str", func(v Value) bool { _, ok := unmark(v).(string); return ok }, 0, 1, func(a []Value, _ []KV) (Value, error) {
		if len(a) == 0 {
			return "", nil
		}
		return Str(a[0])
	})
	typ("bytes", func(v Value) bool { return false }, 0, 3, func(a []Value, _ []KV) (Value, error) {
		return nil, Errorf("TypeError", "bytes are not supported by this renderer")
	})
	typ("complex", func(v Value) bool { return false }, 0, 2, func(a []Value, _ []KV) (Value, error) {
		return nil, Errorf("TypeError", "complex numbers are not supported by this renderer")
	})
	typ("list", func(v Value) bool { _, ok := v.(*List); return ok }, 0, 1, func(a []Value, _ []KV) (Value, error) {
		if len(a) == 0 {
			return NewList(), nil
		}
		items, err := Iterate(a[0])
		return &List{Items: append([]Value{}, items...)}, err
	})
	typ("tuple", func(v Value) bool { _, ok := v.(Tuple); return ok }, 0, 1, func(a []Value, _ []KV) (Value, error) {
		if len(a) == 0 {
			return Tuple{}, nil
		}
		items, err := Iterate(a[0])
		return Tuple(append([]Value{}, items...)), err
	})
	setType := func(frozen bool) func(a []Value, _ []KV) (Value, error) {
		return func(a []Value, _ []KV) (Value, error) {
			var items []Value
			if len(a) > 0 {
				var err error
				if items, err = Iterate(a[0]); err != nil {
					return nil, err
				}
			}
			s, err := NewSet(items...)
			if err != nil {
				return nil, err
			}
			s.Frozen = frozen
			return s, nil
		}
	}
	typ("set", func(v Value) bool { s, ok := v.(*Set); return ok && !s.Frozen }, 0, 1, setType(false))
	typ("frozenset", func(v Value) bool { s, ok := v.(*Set); return ok && s.Frozen }, 0, 1, setType(true))
	builtins["dict"] = &Type{Func: Func{N: "dict", F: func(a []Value, kw []KV) (Value, error) {
		if len(a) > 1 {
			return nil, Errorf("TypeError", "dict expected at most 1 argument, got %d", len(a))
		}
		if err := checkUndef(a...); err != nil {
			return nil, err
		}
		d := NewDict()
		if len(a) == 1 {
			if err := d.update(a[0]); err != nil {
				return nil, err
			}
		}
		for _, p := range kw {
			d.SetStr(p.Key, p.Value)
		}
		return d, nil
	}}, Is: func(v Value) bool { _, ok := v.(*Dict); return ok }}
	typ("range", func(v Value) bool { _, ok := v.(Range); return ok }, 1, 3, func(a []Value, _ []KV) (Value, error) {
		var n [3]int
		for i, v := range a {
			x, ok := ToInt(v)
			if !ok {
				return nil, Errorf("TypeError", "'%s' object cannot be interpreted as an integer", TypeName(v))
			}
			n[i] = x
		}
		switch len(a) {
		case 1:
			return Range{0, n[0], 1}, nil
		case 2:
			return Range{n[0], n[1], 1}, nil
		}
		if n[2] == 0 {
			return nil, Errorf("ValueError", "range() arg 3 must not be zero")
		}
		return Range{n[0], n[1], n[2]}, nil
	})
	fn("abs", 1, 1, func(a []Value, _ []KV) (Value, error) {
		if b, ok := a[0].(bool); ok {
			return ToPyInt(b, -1)
		}
		if c, err := Compare(a[0], 0); err == nil && c < 0 {
			return Neg(a[0])
		}
		if _, _, k := numeric(a[0]); k == 0 {
			return nil, Errorf("TypeError", "bad operand type for abs(): '%s'", TypeName(a[0]))
		}
		return a[0], nil
	})
	fn("all", 1, 1, func(a []Value, _ []KV) (Value, error) {
		items, err := Iterate(a[0])
		for _, it := range items {
			if t, err := Truth(it); err != nil || !t {
				return false, err
			}
		}
		return err == nil, err
	})
	fn("any", 1, 1, func(a []Value, _ []KV) (Value, error) {
		items, err := Iterate(a[0])
		for _, it := range items {
			if t, err := Truth(it); err != nil || t {
				return t, err
			}
		}
		return false, err
	})
	radix := func(name, prefix string, base int) {
		fn(name, 1, 1, func(a []Value, _ []KV) (Value, error) {
			z, _, k := numeric(a[0])
			if k != 1 {
				return nil, Errorf("TypeError", "'%s' object cannot be interpreted as an integer", TypeName(a[0]))
			}
			s := prefix + new(big.Int).Abs(z).Text(base)
			if z.Sign() < 0 {
				s = "-" + s
			}
			return s, nil
		})
	}
	radix("bin", "0b", 2)
	radix("oct", "0o", 8)
	radix("hex", "0x", 16)
	fn("callable", 1, 1, func(a []Value, _ []KV) (Value, error) {
		_, ok := a[0].(Callable)
		_, undef := a[0].(*Undefined)
		return ok || undef, nil
	})
	fn("chr", 1, 1, func(a []Value, _ []KV) (Value, error) {
		i, ok := ToInt(a[0])
		if !ok {
			return nil, Errorf("TypeError", "'%s' object cannot be interpreted as an integer", TypeName(a[0]))
		}
		if i < 0 || i > unicode.MaxRune {
			return nil, Errorf("ValueError", "chr() arg not in range(0x110000)")
		}
		return string(rune(i)), nil
	})
	fn("ord", 1, 1, func(a []Value, _ []KV) (Value, error) {
		s, ok := a[0].(string)
		rs := []rune(s)
		if !ok || len(rs) != 1 {
			return nil, Errorf("TypeError", "ord() expected a character")
		}
		return int(rs[0]), nil
	})
	fn("divmod", 2, 2, func(a []Value, _ []KV) (Value, error) {
		q, err := FloorDiv(a[0], a[1])
		if err != nil {
			return nil, err
		}
		m, err := Mod(a[0], a[1])
		return Tuple{q, m}, err
	})
	fn("enumerate", 1, 2, func(a []Value, kw []KV) (Value, error) {
		items, err := Iterate(a[0])
		if err != nil {
			return nil, err
		}
		start, ok := ToInt(Arg(a, kw, 1, "start", 0))
		if !ok {
			return nil, Errorf("TypeError", "'%s' object cannot be interpreted as an integer", TypeName(Arg(a, kw, 1, "start", 0)))
		}
		out := make([]Value, len(items))
		for i, it := range items {
			out[i] = Tuple{start + i, it}
		}
		return &Iterator{Kind: "enumerate", Items: out}, nil
	}, "start")
	fn("filter", 2, 2, func(a []Value, _ []KV) (Value, error) {
		items, err := Iterate(a[1])
		if err != nil {
			return nil, err
		}
		var out []Value
		for _, it := range items {
			v := it
			if a[0] != nil {
				if v, err = call(a[0], it); err != nil {
					return nil, err
				}
			}
			if t, err := Truth(v); err != nil {
				return nil, err
			} else if t {
				out = append(out, it)
			}
		}
		return &Iterator{Kind: "filter", Items: out}, nil
	})
	fn("format", 1, 2, func(a []Value, _ []KV) (Value, error) {
		spec := ""
		if len(a) > 1 {
			var ok bool
			if spec, ok = unmark(a[1]).(string); !ok {
				return nil, Errorf("TypeError", "format() argument 2 must be str, not %s", TypeName(a[1]))
			}
		}
		return FormatSpec(a[0], spec)
	})
	fn("isinstance", 2, 2, func(a []Value, _ []KV) (Value, error) {
		types := []Value{a[1]}
		if t, ok := a[1].(Tuple); ok {
			types = t
		}
		for _, t := range types {
			ty, ok := t.(*Type)
			if !ok {
				return nil, Errorf("TypeError", "isinstance() arg 2 must be a type or tuple of types")
			}
			if ty.Is(a[0]) {
				return true, nil
			}
		}
		return false, nil
	})
	fn("iter", 1, 1, func(a []Value, _ []KV) (Value, error) {
		if it, ok := a[0].(*Iterator); ok {
			return it, nil
		}
		items, err := Iterate(a[0])
		return &Iterator{Kind: TypeName(a[0]) + "_iterator", Items: items}, err
	})
	fn("next", 1, 2, func(a []Value, _ []KV) (Value, error) {
		it, ok := a[0].(*Iterator)
		if !ok {
			return nil, Errorf("TypeError", "'%s' object is not an iterator", TypeName(a[0]))
		}
		v, ok := it.Next()
		if !ok {
			if len(a) > 1 {
				return a[1], nil
			}
			return nil, Errorf("StopIteration", "")
		}
		return v, nil
	})
	fn("len", 1, 1, func(a []Value, _ []KV) (Value, error) { return Len(a[0]) })
	fn("map", 2, -1, func(a []Value, _ []KV) (Value, error) {
		lists := make([][]Value, len(a)-1)
		n := -1
		for i, s := range a[1:] {
			items, err := Iterate(s)
			if err != nil {
				return nil, err
			}
			lists[i] = items
			if n < 0 || len(items) < n {
				n = len(items)
			}
		}
		out := make([]Value, n)
		for i := range n {
			args := make([]Value, len(lists))
			for j := range lists {
				args[j] = lists[j][i]
			}
			v, err := call(a[0], args...)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return &Iterator{Kind: "map", Items: out}, nil
	})
	minmax := func(name string, want int) {
		fn(name, 1, -1, func(a []Value, kw []KV) (Value, error) {
			items := a
			if len(a) == 1 {
				var err error
				if items, err = Iterate(a[0]); err != nil {
					return nil, err
				}
			}
			kf, err := keyFunc(Arg(nil, kw, 0, "key", nil))
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				for _, p := range kw {
					if p.Key == "default" {
						return p.Value, nil
					}
				}
				return nil, Errorf("ValueError", "%s() arg is an empty sequence", name)
			}
			best := items[0]
			bestKey := best
			if kf != nil {
				if bestKey, err = kf(best); err != nil {
					return nil, err
				}
			}
			for _, it := range items[1:] {
				k := it
				if kf != nil {
					if k, err = kf(it); err != nil {
						return nil, err
					}
				}
				c, err := Compare(k, bestKey)
				if err != nil {
					return nil, err
				}
				if c == want {
					best, bestKey = it, k
				}
			}
			return best, nil
		}, "key", "default")
	}
	minmax("max", 1)
	minmax("min", -1)
	fn("pow", 2, 3, func(a []Value, _ []KV) (Value, error) {
		r, err := Pow(a[0], a[1])
		if err != nil || len(a) == 2 {
			return r, err
		}
		return Mod(r, a[2])
	})
	fn("repr", 1, 1, func(a []Value, _ []KV) (Value, error) { return Repr(a[0]) })
	fn("reversed", 1, 1, func(a []Value, _ []KV) (Value, error) {
		switch a[0].(type) {
		case *List, Tuple, string, Markup, Range, *Dict, *View:
		default:
			if err := checkUndef(a[0]); err != nil {
				return nil, err
			}
			return nil, Errorf("TypeError", "'%s' object is not reversible", TypeName(a[0]))
		}
		items, err := Iterate(a[0])
		if err != nil {
			return nil, err
		}
		out := make([]Value, len(items))
		for i, it := range items {
			out[len(items)-1-i] = it
		}
		return &Iterator{Kind: "reversed", Items: out}, nil
	})
	fn("round", 1, 2, func(a []Value, kw []KV) (Value, error) {
		nd := Arg(a, kw, 1, "ndigits", nil)
		return Round(a[0], nd)
	}, "ndigits")
	fn("sorted", 1, 1, func(a []Value, kw []KV) (Value, error) {
		items, err := Iterate(a[0])
		if err != nil {
			return nil, err
		}
		out := append([]Value{}, items...)
		kf, err := keyFunc(Arg(nil, kw, 0, "key", nil))
		if err != nil {
			return nil, err
		}
		rev, _ := Truth(Arg(nil, kw, 0, "reverse", false))
		return &List{Items: out}, SortValues(out, kf, rev)
	}, "key", "reverse")
	fn("sum", 1, 2, func(a []Value, kw []KV) (Value, error) {
		items, err := Iterate(a[0])
		if err != nil {
			return nil, err
		}
		acc := Arg(a, kw, 1, "start", 0)
		if _, isStr := unmark(acc).(string); isStr {
			return nil, Errorf("TypeError", "sum() can't sum strings [use ''.join(seq) instead]")
		}
		for _, it := range items {
			if acc, err = Add(acc, it); err != nil {
				return nil, err
			}
		}
		return acc, nil
	}, "start")
	fn("zip", 0, -1, func(a []Value, _ []KV) (Value, error) {
		lists := make([][]Value, len(a))
		n := -1
		for i, s := range a {
			items, err := Iterate(s)
			if err != nil {
				return nil, err
			}
			lists[i] = items
			if n < 0 || len(items) < n {
				n = len(items)
			}
		}
		out := make([]Value, max(n, 0))
		for i := range out {
			t := make(Tuple, len(lists))
			for j := range lists {
				t[j] = lists[j][i]
			}
			out[i] = t
		}
		return &Iterator{Kind: "zip", Items: out}, nil
	})
	return builtins
}

// Builtin returns the Python builtin function or type name, or nil.
func Builtin(name string) Value { return builtins[name] }

// call calls a Callable value with positional arguments.
func call(f Value, args ...Value) (Value, error) {
	c, ok := f.(Callable)
	if !ok {
		return nil, Errorf("TypeError", "'%s' object is not callable", TypeName(f))
	}
	return c.Call(args, nil)
}

// ToPyInt returns Python's int(v) (int(v, base) when base >= 0).
func ToPyInt(v Value, base int) (Value, error) {
	switch x := unmark(v).(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int, *big.Int:
		return x, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, Errorf("OverflowError", "cannot convert float infinity to integer")
		}
		z, _ := new(big.Float).SetFloat64(math.Trunc(x)).Int(nil)
		return normInt(z), nil
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(x), "_", "")
		b := base
		if b < 0 {
			b = 10
		}
		neg := false
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			neg = s[0] == '-'
			s = s[1:]
		}
		if b == 0 || b == 16 || b == 8 || b == 2 {
			ls := strings.ToLower(s)
			for p, pb := range map[string]int{"0x": 16, "0o": 8, "0b": 2} {
				if strings.HasPrefix(ls, p) && (b == 0 || b == pb) {
					s, b = s[2:], pb
				}
			}
			if b == 0 {
				b = 10
			}
		}
		z, ok := new(big.Int).SetString(s, b)
		if !ok || s == "" {
			return nil, Errorf("ValueError", "invalid literal for int() with base %d: %s", max(b, 10), QuoteString(x))
		}
		if neg {
			z.Neg(z)
		}
		return normInt(z), nil
	}
	if err := checkUndef(v); err != nil {
		return nil, err
	}
	return nil, Errorf("TypeError", "int() argument must be a string, a bytes-like object or a real number, not '%s'", TypeName(v))
}

// ToPyFloat returns Python's float(v).
func ToPyFloat(v Value) (Value, error) {
	if f, ok := ToFloat(v); ok {
		return f, nil
	}
	if s, ok := unmark(v).(string); ok {
		t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
		switch strings.TrimLeft(t, "+-") {
		case "inf", "infinity", "nan":
		default:
			if strings.ContainsAny(t, "xp") || t == "" {
				return nil, Errorf("ValueError", "could not convert string to float: %s", QuoteString(s))
			}
		}
		f, err := strconv.ParseFloat(t, 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return nil, Errorf("ValueError", "could not convert string to float: %s", QuoteString(s))
		}
		return f, nil
	}
	if err := checkUndef(v); err != nil {
		return nil, err
	}
	return nil, Errorf("TypeError", "float() argument must be a string or a real number, not '%s'", TypeName(v))
}

// Round returns Python's round(v, ndigits); ndigits nil rounds to an int
// with ties to even.
func Round(v, ndigits Value) (Value, error) {
	if ndigits == nil {
		switch x := v.(type) {
		case int, *big.Int, bool:
			return ToPyInt(x, -1)
		case float64:
			return ToPyInt(math.RoundToEven(x), -1)
		}
		return nil, Errorf("TypeError", "type %s doesn't define __round__ method", TypeName(v))
	}
	n, ok := ToInt(ndigits)
	if !ok {
		return nil, Errorf("TypeError", "'%s' object cannot be interpreted as an integer", TypeName(ndigits))
	}
	switch x := v.(type) {
	case int:
		if n >= 0 {
			return x, nil
		}
		p := int(math.Pow10(-n))
		f, _ := Round(float64(x)/float64(p), nil)
		fi, _ := f.(int)
		return fi * p, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) || n > 300 {
			return x, nil
		}
		if n >= 0 {
			f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', n, 64), 64)
			return f, nil
		}
		p := math.Pow10(-n)
		return math.RoundToEven(x/p) * p, nil
	}
	return nil, Errorf("TypeError", "type %s doesn't define __round__ method", TypeName(v))
}
