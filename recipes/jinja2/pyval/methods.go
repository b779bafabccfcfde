package pyval

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNoAttr is the AttributeError GetAttr returns for a missing attribute;
// the renderer turns it into an undefined value.
type ErrNoAttr struct {
	Obj  Value
	Attr string
}

// Error formats the error as Python's AttributeError.
func (e *ErrNoAttr) Error() string {
	return "AttributeError: '" + TypeName(e.Obj) + "' object has no attribute '" + e.Attr + "'"
}

// GetAttr returns the attribute name of v: a bound method of a str, list,
// dict or set, or an attribute of a module or other Attrer.
func GetAttr(v Value, name string) (Value, error) {
	var m Value
	switch o := v.(type) {
	case string:
		m = strMethod(o, name)
	case Markup:
		m = markupMethod(o, name)
	case *List:
		m = listMethod(o, name)
	case *Dict:
		m = dictMethod(o, name)
	case *Set:
		m = setMethod(o, name)
	case Tuple:
		m = seqMethod(o, name, "tuple")
	case Range:
		items, _ := Iterate(o)
		m = seqMethod(items, name, "range")
	case *Type:
		m = typeAttr(o, name)
	case *Iterator:
		if name == "__next__" {
			m = method(name, 0, 0, func([]Value, []KV) (Value, error) {
				v, ok := o.Next()
				if !ok {
					return nil, Errorf("StopIteration", "")
				}
				return v, nil
			})
		}
	case Attrer:
		if a, ok := o.Attr(name); ok {
			return a, nil
		}
	case *Undefined:
		if o.Strict {
			return nil, o.Err()
		}
	}
	if m == nil {
		return nil, &ErrNoAttr{Obj: v, Attr: name}
	}
	return m, nil
}

// Arity checks the number of positional arguments and that no keyword
// argument outside allowed was given.
func Arity(name string, args []Value, kwargs []KV, minArgs, maxArgs int, allowed ...string) error {
	for _, kv := range kwargs {
		ok := false
		for _, a := range allowed {
			ok = ok || a == kv.Key
		}
		if !ok {
			return Errorf("TypeError", "%s() got an unexpected keyword argument '%s'", name, kv.Key)
		}
	}
	if len(args) < minArgs {
		return Errorf("TypeError", "%s() takes at least %d argument(s) (%d given)", name, minArgs, len(args))
	}
	if maxArgs >= 0 && len(args) > maxArgs {
		return Errorf("TypeError", "%s() takes at most %d argument(s) (%d given)", name, maxArgs, len(args))
	}
	// An undefined argument is no error by itself: as in Python, it fails
	// only when used (printed, hashed, iterated, tested...).
	return nil
}

// Arg returns positional argument i, or keyword argument key, or dflt.
func Arg(args []Value, kwargs []KV, i int, key string, dflt Value) Value {
	if i < len(args) {
		return args[i]
	}
	for _, kv := range kwargs {
		if kv.Key == key {
			return kv.Value
		}
	}
	return dflt
}

func method(name string, minArgs, maxArgs int, f func(args []Value, kwargs []KV) (Value, error), kw ...string) *Func {
	return &Func{N: name, F: func(args []Value, kwargs []KV) (Value, error) {
		if err := Arity(name, args, kwargs, minArgs, maxArgs, kw...); err != nil {
			return nil, err
		}
		return f(args, kwargs)
	}}
}

// intArg converts an integer argument as Python's __index__ does.
func intArg(v Value) (int, error) {
	i, ok := ToInt(v)
	if !ok {
		return 0, Errorf("TypeError", "'%s' object cannot be interpreted as an integer", TypeName(v))
	}
	return i, nil
}

func strArg(fn string, v Value) (string, error) {
	s, ok := unmark(v).(string)
	if !ok {
		return "", Errorf("TypeError", "%s() argument must be str, not %s", fn, TypeName(v))
	}
	return s, nil
}

func optChars(fn string, args []Value) (string, bool, error) {
	if len(args) == 0 || args[0] == nil {
		return "", false, nil
	}
	s, err := strArg(fn, args[0])
	return s, true, err
}

// prefixes returns the candidates of startswith/endswith (a str or tuple).
func prefixes(fn string, v Value) ([]string, error) {
	if t, ok := v.(Tuple); ok {
		out := make([]string, len(t))
		for i, it := range t {
			s, err := strArg(fn, it)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	s, err := strArg(fn, v)
	return []string{s}, err
}

func splitWhite(s string, n int, right bool) []Value {
	var out []Value
	if !right {
		rest := strings.TrimLeftFunc(s, IsSpace)
		for rest != "" {
			if n >= 0 && len(out) == n {
				out = append(out, rest)
				return out
			}
			i := strings.IndexFunc(rest, IsSpace)
			if i < 0 {
				out = append(out, rest)
				break
			}
			out = append(out, rest[:i])
			rest = strings.TrimLeftFunc(rest[i:], IsSpace)
		}
		if out == nil {
			out = []Value{}
		}
		return out
	}
	rest := strings.TrimRightFunc(s, IsSpace)
	for rest != "" {
		if n >= 0 && len(out) == n {
			out = append(out, rest)
			break
		}
		i := strings.LastIndexFunc(rest, IsSpace)
		if i < 0 {
			out = append(out, rest)
			break
		}
		_, sz := utf8.DecodeRuneInString(rest[i:])
		out = append(out, rest[i+sz:])
		rest = strings.TrimRightFunc(rest[:i], IsSpace)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	if out == nil {
		out = []Value{}
	}
	return out
}

func strValues(ss []string) []Value {
	out := make([]Value, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func isCased(s string, pred func(rune) bool, other func(rune) bool) bool {
	cased := false
	for _, r := range s {
		if other(r) {
			return false
		}
		if pred(r) {
			cased = true
		}
	}
	return cased
}

func allRunes(s string, pred func(rune) bool) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !pred(r) {
			return false
		}
	}
	return true
}

func find(s, sub string, args []Value, last bool) int {
	rs := []rune(s)
	idx, _ := SliceIndices(Arg(args, nil, 1, "", nil), Arg(args, nil, 2, "", nil), nil, len(rs))
	lo, hi := 0, 0
	if len(idx) > 0 {
		lo, hi = idx[0], idx[len(idx)-1]+1
	} else if len(args) > 1 {
		if sub == "" {
			if i, ok := ToInt(args[1]); ok && i <= len(rs) {
				return max(i, 0)
			}
		}
		return -1
	}
	if len(args) <= 1 {
		lo, hi = 0, len(rs)
	}
	hay := string(rs[lo:hi])
	var i int
	if last {
		i = strings.LastIndex(hay, sub)
	} else {
		i = strings.Index(hay, sub)
	}
	if i < 0 {
		return -1
	}
	return lo + utf8.RuneCountInString(hay[:i])
}

func strMethod(s string, name string) Value {
	switch name {
	case "startswith", "endswith":
		return method(name, 1, 3, func(args []Value, _ []KV) (Value, error) {
			ps, err := prefixes(name, args[0])
			if err != nil {
				return nil, err
			}
			hay := s
			if len(args) > 1 {
				// s[start:end], with Python's slice rules.
				sl, err := Slice(s, args[1], Arg(args, nil, 2, "", nil), nil)
				if err != nil {
					return nil, err
				}
				hay = sl.(string)
				if st, _ := ToInt(args[1]); st > utf8.RuneCountInString(s) {
					return false, nil
				}
			}
			for _, p := range ps {
				if (name == "startswith" && strings.HasPrefix(hay, p)) || (name == "endswith" && strings.HasSuffix(hay, p)) {
					return true, nil
				}
			}
			return false, nil
		})
	case "split", "rsplit":
		return method(name, 0, 2, func(args []Value, kwargs []KV) (Value, error) {
			sep := Arg(args, kwargs, 0, "sep", nil)
			n, err := intArg(Arg(args, kwargs, 1, "maxsplit", -1))
			if err != nil {
				return nil, err
			}
			if sep == nil {
				return &List{Items: splitWhite(s, n, name == "rsplit")}, nil
			}
			sp, err := strArg(name, sep)
			if err != nil {
				return nil, err
			}
			if sp == "" {
				return nil, Errorf("ValueError", "empty separator")
			}
			if name == "split" || n < 0 {
				return &List{Items: strValues(strings.SplitN(s, sp, n+1|(n>>63)))}, nil
			}
			parts := strings.Split(s, sp)
			if len(parts) > n+1 {
				head := strings.Join(parts[:len(parts)-n], sp)
				parts = append([]string{head}, parts[len(parts)-n:]...)
			}
			return &List{Items: strValues(parts)}, nil
		}, "sep", "maxsplit")
	case "splitlines":
		return method(name, 0, 1, func(args []Value, kwargs []KV) (Value, error) {
			k, err := intArg(Arg(args, kwargs, 0, "keepends", false))
			if err != nil {
				return nil, err
			}
			keep := k != 0
			var out []Value
			rest := s
			for rest != "" {
				i := strings.IndexAny(rest, "\n\r\v\f\x1c\x1d\x1e\u0085\u2028\u2029")
				if i < 0 {
					out = append(out, rest)
					break
				}
				_, sz := utf8.DecodeRuneInString(rest[i:])
				if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
					sz = 2
				}
				if keep {
					out = append(out, rest[:i+sz])
				} else {
					out = append(out, rest[:i])
				}
				rest = rest[i+sz:]
			}
			if out == nil {
				out = []Value{}
			}
			return &List{Items: out}, nil
		}, "keepends")
	case "join":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			items, err := Iterate(args[0])
			if err != nil {
				return nil, err
			}
			parts := make([]string, len(items))
			for i, it := range items {
				p, ok := unmark(it).(string)
				if !ok {
					return nil, Errorf("TypeError", "sequence item %d: expected str instance, %s found", i, TypeName(it))
				}
				parts[i] = p
			}
			return strings.Join(parts, s), nil
		})
	case "strip", "lstrip", "rstrip":
		return method(name, 0, 1, func(args []Value, _ []KV) (Value, error) {
			chars, ok, err := optChars(name, args)
			if err != nil {
				return nil, err
			}
			switch {
			case !ok && name == "strip":
				return strings.TrimFunc(s, IsSpace), nil
			case !ok && name == "lstrip":
				return strings.TrimLeftFunc(s, IsSpace), nil
			case !ok:
				return strings.TrimRightFunc(s, IsSpace), nil
			case name == "strip":
				return strings.Trim(s, chars), nil
			case name == "lstrip":
				return strings.TrimLeft(s, chars), nil
			}
			return strings.TrimRight(s, chars), nil
		})
	case "replace":
		return method(name, 2, 3, func(args []Value, kwargs []KV) (Value, error) {
			old, err := strArg(name, args[0])
			if err != nil {
				return nil, err
			}
			nw, err := strArg(name, args[1])
			if err != nil {
				return nil, err
			}
			n, err := intArg(Arg(args, kwargs, 2, "count", -1))
			if err != nil {
				return nil, err
			}
			return strings.Replace(s, old, nw, n), nil
		}, "count")
	case "upper":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return Upper(s), nil })
	case "lower":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return Lower(s), nil })
	case "casefold":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return Casefold(s), nil })
	case "title":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return Title(s), nil })
	case "capitalize":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return Capitalize(s), nil })
	case "swapcase":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return SwapCase(s), nil })
	case "format":
		return &Func{N: name, F: func(args []Value, kwargs []KV) (Value, error) { return StrFormat(s, args, kwargs) }}
	case "format_map":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			d, ok := args[0].(*Dict)
			if !ok {
				return nil, Errorf("TypeError", "format_map() argument must be a mapping")
			}
			var kw []KV
			for i, k := range d.keys {
				if ks, ok := k.(string); ok {
					kw = append(kw, KV{ks, d.vals[i]})
				}
			}
			return StrFormat(s, nil, kw)
		})
	case "find", "rfind", "index", "rindex", "count":
		return method(name, 1, 3, func(args []Value, _ []KV) (Value, error) {
			sub, err := strArg(name, args[0])
			if err != nil {
				return nil, err
			}
			for _, a := range args[1:] {
				if _, ok := ToInt(a); !ok && a != nil {
					return nil, Errorf("TypeError", "slice indices must be integers or None or have an __index__ method")
				}
			}
			if name == "count" {
				if sub == "" {
					return utf8.RuneCountInString(s) + 1, nil
				}
				return strings.Count(s, sub), nil
			}
			i := find(s, sub, args, name[0] == 'r')
			if i < 0 && strings.HasSuffix(name, "index") {
				return nil, Errorf("ValueError", "substring not found")
			}
			return i, nil
		})
	case "partition", "rpartition":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			sep, err := strArg(name, args[0])
			if err != nil {
				return nil, err
			}
			if sep == "" {
				return nil, Errorf("ValueError", "empty separator")
			}
			var i int
			if name == "partition" {
				i = strings.Index(s, sep)
				if i < 0 {
					return Tuple{s, "", ""}, nil
				}
			} else {
				i = strings.LastIndex(s, sep)
				if i < 0 {
					return Tuple{"", "", s}, nil
				}
			}
			return Tuple{s[:i], sep, s[i+len(sep):]}, nil
		})
	case "isdigit", "isdecimal", "isnumeric":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return allRunes(s, unicode.IsDigit), nil })
	case "isalpha":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return allRunes(s, unicode.IsLetter), nil })
	case "isalnum":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			return allRunes(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }), nil
		})
	case "isspace":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return allRunes(s, IsSpace), nil })
	case "islower":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			return isCased(s, unicode.IsLower, func(r rune) bool { return unicode.IsUpper(r) || unicode.IsTitle(r) }), nil
		})
	case "isupper":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			return isCased(s, unicode.IsUpper, func(r rune) bool { return unicode.IsLower(r) || unicode.IsTitle(r) }), nil
		})
	case "istitle":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			cased, prevCased := false, false
			for _, r := range s {
				switch {
				case unicode.IsUpper(r) || unicode.IsTitle(r):
					if prevCased {
						return false, nil
					}
					prevCased, cased = true, true
				case unicode.IsLower(r):
					if !prevCased {
						return false, nil
					}
					prevCased, cased = true, true
				default:
					prevCased = false
				}
			}
			return cased, nil
		})
	case "isidentifier":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			for i, r := range s {
				if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
					return false, nil
				}
			}
			return s != "", nil
		})
	case "zfill":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			w, err := intArg(args[0])
			if err != nil {
				return nil, err
			}
			n := utf8.RuneCountInString(s)
			if w <= n {
				return s, nil
			}
			sign := ""
			body := s
			if body != "" && (body[0] == '-' || body[0] == '+') {
				sign, body = body[:1], body[1:]
			}
			return sign + strings.Repeat("0", w-n) + body, nil
		})
	case "ljust", "rjust", "center":
		return method(name, 1, 2, func(args []Value, _ []KV) (Value, error) {
			w, err := intArg(args[0])
			if err != nil {
				return nil, err
			}
			fill := " "
			if len(args) > 1 {
				f, err := strArg(name, args[1])
				if err != nil {
					return nil, err
				}
				if utf8.RuneCountInString(f) != 1 {
					return nil, Errorf("TypeError", "The fill character must be exactly one character long")
				}
				fill = f
			}
			n := utf8.RuneCountInString(s)
			if w <= n {
				return s, nil
			}
			d := w - n
			switch name {
			case "ljust":
				return s + strings.Repeat(fill, d), nil
			case "rjust":
				return strings.Repeat(fill, d) + s, nil
			}
			left := d / 2
			if d%2 == 1 && w%2 == 1 {
				left++
			}
			return strings.Repeat(fill, left) + s + strings.Repeat(fill, d-left), nil
		})
	case "encode":
		return method(name, 0, 2, func(args []Value, _ []KV) (Value, error) {
			// bytes do not exist: the str stands for its encoding, once
			// the arguments are checked as CPython does.
			for i, a := range args {
				if _, ok := unmark(a).(string); !ok {
					return nil, Errorf("TypeError", "encode() argument '%s' must be str, not %s", []string{"encoding", "errors"}[i], TypeName(a))
				}
			}
			return s, nil
		}, "encoding", "errors")
	case "removeprefix":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			p, err := strArg(name, args[0])
			return strings.TrimPrefix(s, p), err
		})
	case "removesuffix":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			p, err := strArg(name, args[0])
			return strings.TrimSuffix(s, p), err
		})
	case "expandtabs":
		return method(name, 0, 1, func(args []Value, kwargs []KV) (Value, error) {
			ts, err := intArg(Arg(args, kwargs, 0, "tabsize", 8))
			if err != nil {
				return nil, err
			}
			var b strings.Builder
			col := 0
			for _, r := range s {
				switch r {
				case '\t':
					if ts > 0 {
						n := ts - col%ts
						b.WriteString(strings.Repeat(" ", n))
						col += n
					}
				case '\n', '\r':
					b.WriteRune(r)
					col = 0
				default:
					b.WriteRune(r)
					col++
				}
			}
			return b.String(), nil
		}, "tabsize")
	}
	return nil
}

func seqMethod(items []Value, name, typ string) Value {
	switch name {
	case "index":
		return method(name, 1, 3, func(args []Value, _ []KV) (Value, error) {
			for _, a := range args[1:] {
				if _, ok := ToInt(a); !ok {
					return nil, Errorf("TypeError", "slice indices must be integers or have an __index__ method")
				}
			}
			lo, hi := 0, len(items)
			if len(args) > 1 {
				idx, _ := SliceIndices(args[1], Arg(args, nil, 2, "", nil), nil, len(items))
				lo, hi = len(items), len(items)
				if len(idx) > 0 {
					lo, hi = idx[0], idx[len(idx)-1]+1
				}
			}
			for i := lo; i < hi; i++ {
				it := items[i]
				if Equal(it, args[0]) {
					return i, nil
				}
			}
			r, _ := Repr(args[0])
			return nil, Errorf("ValueError", "%s is not in %s", r, typ)
		})
	case "count":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			n := 0
			for _, it := range items {
				if Equal(it, args[0]) {
					n++
				}
			}
			return n, nil
		})
	}
	return nil
}

// SortValues sorts items in place as Python's sorted(), with an optional
// key function and reverse order; it is stable.
func SortValues(items []Value, key func(Value) (Value, error), reverse bool) error {
	keys := items
	if key != nil {
		keys = make([]Value, len(items))
		for i, it := range items {
			k, err := key(it)
			if err != nil {
				return err
			}
			keys[i] = k
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var err error
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := keys[idx[a]], keys[idx[b]]
		if reverse {
			x, y = y, x
		}
		c, e := Compare(x, y)
		if e != nil && err == nil {
			err = e
		}
		return c < 0
	})
	if err != nil {
		return err
	}
	sorted := make([]Value, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
	return nil
}

// keyFunc turns a key= argument into a Go function.
func keyFunc(v Value) (func(Value) (Value, error), error) {
	if v == nil {
		return nil, nil
	}
	c, ok := v.(Callable)
	if !ok {
		return nil, Errorf("TypeError", "'%s' object is not callable", TypeName(v))
	}
	return func(x Value) (Value, error) { return c.Call([]Value{x}, nil) }, nil
}

func listMethod(l *List, name string) Value {
	switch name {
	case "append":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			l.Items = append(l.Items, args[0])
			return nil, nil
		})
	case "extend":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			items, err := Iterate(args[0])
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, items...)
			return nil, nil
		})
	case "insert":
		return method(name, 2, 2, func(args []Value, _ []KV) (Value, error) {
			i, ok := ToInt(args[0])
			if !ok {
				return nil, Errorf("TypeError", "'%s' object cannot be interpreted as an integer", TypeName(args[0]))
			}
			n := len(l.Items)
			if i < 0 {
				i = max(i+n, 0)
			}
			i = min(i, n)
			l.Items = append(l.Items[:i], append([]Value{args[1]}, l.Items[i:]...)...)
			return nil, nil
		})
	case "pop":
		return method(name, 0, 1, func(args []Value, _ []KV) (Value, error) {
			if len(l.Items) == 0 {
				return nil, Errorf("IndexError", "pop from empty list")
			}
			i := len(l.Items) - 1
			if len(args) > 0 {
				j, err := index(args[0], len(l.Items), "pop")
				if err != nil {
					return nil, err
				}
				i = j
			}
			v := l.Items[i]
			l.Items = append(l.Items[:i], l.Items[i+1:]...)
			return v, nil
		})
	case "remove":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			for i, it := range l.Items {
				if Equal(it, args[0]) {
					l.Items = append(l.Items[:i], l.Items[i+1:]...)
					return nil, nil
				}
			}
			return nil, Errorf("ValueError", "list.remove(x): x not in list")
		})
	case "sort":
		return method(name, 0, 0, func(args []Value, kwargs []KV) (Value, error) {
			kf, err := keyFunc(Arg(nil, kwargs, 0, "key", nil))
			if err != nil {
				return nil, err
			}
			rev, _ := Truth(Arg(nil, kwargs, 0, "reverse", false))
			return nil, SortValues(l.Items, kf, rev)
		}, "key", "reverse")
	case "reverse":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			for i, j := 0, len(l.Items)-1; i < j; i, j = i+1, j-1 {
				l.Items[i], l.Items[j] = l.Items[j], l.Items[i]
			}
			return nil, nil
		})
	case "copy":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			return &List{Items: append([]Value{}, l.Items...)}, nil
		})
	case "clear":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			l.Items = []Value{}
			return nil, nil
		})
	case "__getitem__":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) { return GetItem(l, args[0]) })
	case "__setitem__":
		return method(name, 2, 2, func(args []Value, _ []KV) (Value, error) {
			i, err := index(args[0], len(l.Items), "list assignment")
			if err != nil {
				return nil, err
			}
			l.Items[i] = args[1]
			return nil, nil
		})
	case "__contains__":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) { return Contains(l, args[0]) })
	}
	return seqMethod(l.Items, name, "list")
}

func dictMethod(d *Dict, name string) Value {
	switch name {
	case "get":
		return method(name, 1, 2, func(args []Value, _ []KV) (Value, error) {
			v, ok, err := d.Get(args[0])
			if err != nil {
				return nil, err
			}
			if !ok {
				return Arg(args, nil, 1, "", nil), nil
			}
			return v, nil
		})
	case "keys":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return &View{Kind: "keys", Dict: d}, nil })
	case "values":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return &View{Kind: "values", Dict: d}, nil })
	case "items":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return &View{Kind: "items", Dict: d}, nil })
	case "pop":
		return method(name, 1, 2, func(args []Value, _ []KV) (Value, error) {
			v, ok, err := d.Delete(args[0])
			if err != nil {
				return nil, err
			}
			if !ok {
				if len(args) > 1 {
					return args[1], nil
				}
				r, _ := Repr(args[0])
				return nil, Errorf("KeyError", "%s", r)
			}
			return v, nil
		})
	case "popitem":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			if d.Len() == 0 {
				return nil, Errorf("KeyError", "'popitem(): dictionary is empty'")
			}
			k := d.keys[len(d.keys)-1]
			v, _, _ := d.Delete(k)
			return Tuple{k, v}, nil
		})
	case "setdefault":
		return method(name, 1, 2, func(args []Value, _ []KV) (Value, error) {
			v, ok, err := d.Get(args[0])
			if err != nil {
				return nil, err
			}
			if ok {
				return v, nil
			}
			dflt := Arg(args, nil, 1, "", nil)
			return dflt, d.Set(args[0], dflt)
		})
	case "update":
		return &Func{N: name, F: func(args []Value, kwargs []KV) (Value, error) {
			if len(args) > 1 {
				return nil, Errorf("TypeError", "update expected at most 1 argument, got %d", len(args))
			}
			if err := checkUndef(args...); err != nil {
				return nil, err
			}
			if len(args) == 1 {
				if err := d.update(args[0]); err != nil {
					return nil, err
				}
			}
			for _, kv := range kwargs {
				d.SetStr(kv.Key, kv.Value)
			}
			return nil, nil
		}}
	case "copy":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return d.Copy(), nil })
	case "clear":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			d.Clear()
			return nil, nil
		})
	case "__getitem__":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) { return GetItem(d, args[0]) })
	case "__setitem__":
		return method(name, 2, 2, func(args []Value, _ []KV) (Value, error) { return nil, d.Set(args[0], args[1]) })
	case "__delitem__":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			_, ok, err := d.Delete(args[0])
			if err == nil && !ok {
				r, _ := Repr(args[0])
				err = Errorf("KeyError", "%s", r)
			}
			return nil, err
		})
	case "__contains__":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) { return Contains(d, args[0]) })
	}
	return nil
}

func setMethod(s *Set, name string) Value {
	switch name {
	case "add":
		if s.Frozen {
			return nil
		}
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) { return nil, s.Add(args[0]) })
	case "update":
		if s.Frozen {
			return nil
		}
		return method(name, 0, -1, func(args []Value, _ []KV) (Value, error) {
			for _, a := range args {
				items, err := Iterate(a)
				if err != nil {
					return nil, err
				}
				for _, it := range items {
					if err := s.Add(it); err != nil {
						return nil, err
					}
				}
			}
			return nil, nil
		})
	case "discard", "remove":
		if s.Frozen {
			return nil
		}
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			_, ok, err := s.d.Delete(args[0])
			if err == nil && !ok && name == "remove" {
				r, _ := Repr(args[0])
				err = Errorf("KeyError", "%s", r)
			}
			return nil, err
		})
	case "union", "intersection", "difference":
		return method(name, 0, -1, func(args []Value, _ []KV) (Value, error) {
			out, _ := NewSet()
			out.Frozen = s.Frozen
			switch name {
			case "union":
				for _, it := range s.Items() {
					out.Add(it)
				}
				for _, a := range args {
					items, err := Iterate(a)
					if err != nil {
						return nil, err
					}
					for _, it := range items {
						if err := out.Add(it); err != nil {
							return nil, err
						}
					}
				}
			default:
				for _, it := range s.Items() {
					keep := true
					for _, a := range args {
						in, err := Contains(a, it)
						if err != nil {
							return nil, err
						}
						if in != (name == "intersection") {
							keep = false
						}
					}
					if keep {
						out.Add(it)
					}
				}
			}
			return out, nil
		})
	case "copy":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			out, _ := NewSet(s.Items()...)
			out.Frozen = s.Frozen
			return out, nil
		})
	case "pop":
		if s.Frozen {
			return nil
		}
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			if s.Len() == 0 {
				return nil, Errorf("KeyError", "'pop from an empty set'")
			}
			k := s.d.keys[0]
			s.d.Delete(k)
			return k, nil
		})
	}
	return nil
}

// typeAttr returns an attribute of a builtin type: dict.fromkeys, or an
// unbound method such as str.upper (called with the instance first).
func typeAttr(t *Type, name string) Value {
	if t.N == "dict" && name == "fromkeys" {
		return method(name, 1, 2, func(args []Value, _ []KV) (Value, error) {
			keys, err := Iterate(args[0])
			if err != nil {
				return nil, err
			}
			d := NewDict()
			for _, k := range keys {
				if err := d.Set(k, Arg(args, nil, 1, "", nil)); err != nil {
					return nil, err
				}
			}
			return d, nil
		})
	}
	var zero Value
	switch t.N {
	case "str":
		zero = ""
	case "list":
		zero = NewList()
	case "dict":
		zero = NewDict()
	case "tuple":
		zero = Tuple{}
	case "set":
		zero, _ = NewSet()
	default:
		return nil
	}
	if _, err := GetAttr(zero, name); err != nil {
		return nil
	}
	return &Func{N: t.N + "." + name, F: func(args []Value, kwargs []KV) (Value, error) {
		if len(args) == 0 || !t.Is(args[0]) {
			return nil, Errorf("TypeError", "descriptor '%s' of '%s' object needs an argument", name, t.N)
		}
		m, err := GetAttr(args[0], name)
		if err != nil {
			return nil, err
		}
		return m.(Callable).Call(args[1:], kwargs)
	}}
}
