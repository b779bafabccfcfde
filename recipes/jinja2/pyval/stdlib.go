package pyval

import (
	"strings"
	"unicode/utf8"
)

// itertoolsModule holds itertools.count (an endless iterator for next())
// and itertools.chain.
var itertoolsModule = &Module{N: "itertools", Attrs: map[string]Value{
	"count": &Func{N: "count", F: func(args []Value, kw []KV) (Value, error) {
		if err := Arity("count", args, kw, 0, 2, "start", "step"); err != nil {
			return nil, err
		}
		cur, step := Arg(args, kw, 0, "start", 0), Arg(args, kw, 1, "step", 1)
		// bool arguments count as ints: count(True) gives 1, 2...
		if b, ok := cur.(bool); ok {
			cur, _ = ToPyInt(b, -1)
		}
		if b, ok := step.(bool); ok {
			step, _ = ToPyInt(b, -1)
		}
		for _, v := range []Value{cur, step} {
			if _, ok := v.(*Undefined); ok {
				// Undefined has __int__: count accepts it, and its
				// first next() gives it, to fail where it is used.
				continue
			}
			if _, _, kind := numeric(v); kind == 0 {
				return nil, Errorf("TypeError", "a number is required")
			}
		}
		return &Iterator{Kind: "itertools.count",
			Gen: func() Value {
				v := cur
				if next, err := Add(cur, step); err == nil {
					cur = next
				}
				return v
			},
			Repr: func() string {
				s, _ := Repr(cur)
				if i, ok := step.(int); ok && i == 1 {
					return "count(" + s + ")"
				}
				st, _ := Repr(step)
				return "count(" + s + ", " + st + ")"
			}}, nil
	}},
	"chain": &Func{N: "chain", F: func(args []Value, kw []KV) (Value, error) {
		if err := Arity("chain", nil, kw, 0, 0); err != nil {
			return nil, err
		}
		var out []Value
		for _, a := range args {
			items, err := Iterate(a)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
		return &Iterator{Kind: "itertools.chain", Items: out}, nil
	}},
}}

// functoolsModule holds functools.partial.
var functoolsModule = &Module{N: "functools", Attrs: map[string]Value{
	"partial": &Func{N: "partial", F: func(args []Value, kw []KV) (Value, error) {
		if len(args) == 0 {
			return nil, Errorf("TypeError", "type 'partial' takes at least one argument")
		}
		f, ok := args[0].(Callable)
		if !ok {
			return nil, Errorf("TypeError", "the first argument must be callable")
		}
		bound := append([]Value{}, args[1:]...)
		boundKw := append([]KV{}, kw...)
		return &Func{N: f.Name(), F: func(a []Value, k []KV) (Value, error) {
			all := append(append([]Value{}, bound...), a...)
			allKw := append([]KV{}, boundKw...)
			for _, kv := range k {
				replaced := false
				for i := range allKw {
					if allKw[i].Key == kv.Key {
						allKw[i], replaced = kv, true
					}
				}
				if !replaced {
					allKw = append(allKw, kv)
				}
			}
			return f.Call(all, allKw)
		}}, nil
	}},
}}

// operatorModule holds operator.itemgetter and operator.attrgetter.
var operatorModule = &Module{N: "operator", Attrs: map[string]Value{
	"itemgetter": &Func{N: "itemgetter", F: func(args []Value, kw []KV) (Value, error) {
		if len(args) == 0 {
			return nil, Errorf("TypeError", "itemgetter expected 1 argument, got 0")
		}
		if err := Arity("itemgetter", nil, kw, 0, 0); err != nil {
			return nil, err
		}
		keys := append([]Value{}, args...)
		return &Func{N: "itemgetter", F: func(a []Value, k []KV) (Value, error) {
			if err := Arity("itemgetter", a, k, 1, 1); err != nil {
				return nil, err
			}
			return getMany(a[0], keys, GetItem)
		}}, nil
	}},
	"attrgetter": &Func{N: "attrgetter", F: func(args []Value, kw []KV) (Value, error) {
		if len(args) == 0 {
			return nil, Errorf("TypeError", "attrgetter expected 1 argument, got 0")
		}
		for _, a := range args {
			if _, ok := a.(string); !ok {
				return nil, Errorf("TypeError", "attribute name must be a string")
			}
		}
		keys := append([]Value{}, args...)
		return &Func{N: "attrgetter", F: func(a []Value, k []KV) (Value, error) {
			if err := Arity("attrgetter", a, k, 1, 1); err != nil {
				return nil, err
			}
			return getMany(a[0], keys, func(v, name Value) (Value, error) {
				for _, part := range strings.Split(name.(string), ".") {
					r, err := GetAttr(v, part)
					if err != nil {
						return nil, err
					}
					v = r
				}
				return v, nil
			})
		}}, nil
	}},
}}

// getMany applies get to v for each key: one value, or a tuple of them.
func getMany(v Value, keys []Value, get func(v, key Value) (Value, error)) (Value, error) {
	out := make(Tuple, len(keys))
	for i, k := range keys {
		r, err := get(v, k)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}

// Unquote is Python's urllib.parse.unquote: %XX escapes are decoded as
// UTF-8 bytes (invalid sequences become U+FFFD), a malformed escape stays
// as written.
func Unquote(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return decodeReplace(b)
}

// decodeReplace decodes UTF-8 as Python's errors="replace": one U+FFFD
// for each invalid byte, or for each truncated multi-byte sequence.
func decodeReplace(b []byte) string {
	var out strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			out.Write(b[:n])
			b = b[n:]
			continue
		}
		out.WriteRune(utf8.RuneError)
		need := 0
		switch c := b[0]; {
		case 0xc2 <= c && c <= 0xdf:
			need = 1
		case 0xe0 <= c && c <= 0xef:
			need = 2
		case 0xf0 <= c && c <= 0xf4:
			need = 3
		}
		b = b[1:]
		for ; need > 0 && len(b) > 0 && b[0]&0xc0 == 0x80; need-- {
			b = b[1:]
		}
	}
	return out.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
