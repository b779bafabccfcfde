package pyval

import (
	"html"
	"regexp"
	"strings"
)

// Markup is markupsafe.Markup, the str subclass Jinja2's escape, safe and
// tojson filters return. It prints as its text, but its repr is
// Markup('...'), concatenation and %-formatting escape the other operand,
// and most str methods return Markup again.
type Markup string

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

// Escape is markupsafe.escape: a Markup is returned unchanged, anything
// else is converted with str() and HTML-escaped.
func Escape(v Value) (Markup, error) {
	if m, ok := v.(Markup); ok {
		return m, nil
	}
	s, err := Str(v)
	if err != nil {
		return "", err
	}
	return Markup(htmlEscaper.Replace(s)), nil
}

// unmark returns a Markup as a plain str, other values unchanged: for the
// operations where Markup behaves as any str.
func unmark(v Value) Value {
	if m, ok := v.(Markup); ok {
		return string(m)
	}
	return v
}

// markupWrap converts a str method result to Markup (lists and tuples of
// str element by element).
func markupWrap(v Value) Value {
	switch x := v.(type) {
	case string:
		return Markup(x)
	case *List:
		out := make([]Value, len(x.Items))
		for i, it := range x.Items {
			out[i] = markupWrap(it)
		}
		return &List{Items: out}
	case Tuple:
		out := make(Tuple, len(x))
		for i, it := range x {
			out[i] = markupWrap(it)
		}
		return out
	}
	return v
}

var tagRe = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)

// markupMethod returns the method name of m, or nil.
func markupMethod(m Markup, name string) Value {
	s := string(m)
	switch name {
	case "__getitem__", "capitalize", "title", "lower", "upper", "ljust", "rjust", "lstrip", "rstrip",
		"center", "strip", "expandtabs", "swapcase", "zfill", "casefold", "removeprefix", "removesuffix",
		"split", "rsplit", "splitlines", "partition", "rpartition":
		f, _ := GetAttr(s, name)
		if f == nil {
			if name != "__getitem__" {
				return nil
			}
			f = &Func{N: name, F: func(args []Value, _ []KV) (Value, error) {
				if len(args) != 1 {
					return nil, Errorf("TypeError", "__getitem__ expects one argument")
				}
				return GetItem(s, args[0])
			}}
		}
		return &Func{N: name, F: func(args []Value, kwargs []KV) (Value, error) {
			r, err := f.(Callable).Call(args, kwargs)
			return markupWrap(r), err
		}}
	case "replace":
		return &Func{N: name, F: func(args []Value, kwargs []KV) (Value, error) {
			if len(args) >= 2 {
				e, err := Escape(args[1])
				if err != nil {
					return nil, err
				}
				args = append([]Value{args[0], string(e)}, args[2:]...)
			}
			f, _ := GetAttr(s, name)
			r, err := f.(Callable).Call(args, kwargs)
			return markupWrap(r), err
		}}
	case "join":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			items, err := Iterate(args[0])
			if err != nil {
				return nil, err
			}
			parts := make([]string, len(items))
			for i, it := range items {
				e, err := Escape(it)
				if err != nil {
					return nil, err
				}
				parts[i] = string(e)
			}
			return Markup(strings.Join(parts, s)), nil
		})
	case "format":
		return &Func{N: name, F: func(args []Value, kwargs []KV) (Value, error) {
			ea := make([]Value, len(args))
			for i, a := range args {
				e, err := escapeArg(a)
				if err != nil {
					return nil, err
				}
				ea[i] = e
			}
			ek := make([]KV, len(kwargs))
			for i, kv := range kwargs {
				e, err := escapeArg(kv.Value)
				if err != nil {
					return nil, err
				}
				ek[i] = KV{kv.Key, e}
			}
			r, err := StrFormat(s, ea, ek)
			return Markup(r), err
		}}
	case "striptags":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			t := html.UnescapeString(tagRe.ReplaceAllString(s, ""))
			return strings.Join(strings.Fields(t), " "), nil
		})
	case "unescape":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) { return html.UnescapeString(s), nil })
	}
	// Other methods (find, startswith, isdigit...) act as on a str.
	f, _ := GetAttr(s, name)
	return f
}

// escapeArg escapes a str argument for Markup formatting; numbers are left
// alone so that %d and {:.2f} still work.
func escapeArg(v Value) (Value, error) {
	switch v.(type) {
	case nil, bool, int, float64:
		return v, nil
	}
	if _, ok := v.(Markup); ok {
		return string(v.(Markup)), nil
	}
	if s, ok := v.(string); ok {
		return htmlEscaper.Replace(s), nil
	}
	e, err := Escape(v)
	return string(e), err
}

// markupAdd implements + when an operand is a Markup.
func markupAdd(a, b Value) (Value, error) {
	am, aIsM := a.(Markup)
	bm, bIsM := b.(Markup)
	switch {
	case aIsM:
		if _, ok := unmark(b).(string); !ok {
			return nil, Errorf("TypeError", "can only concatenate str (not \"%s\") to str", TypeName(b))
		}
		e, _ := Escape(b)
		return am + e, nil
	case bIsM:
		if _, ok := a.(string); !ok {
			return nil, Errorf("TypeError", "unsupported operand type(s) for +: '%s' and 'Markup'", TypeName(a))
		}
		e, _ := Escape(a)
		return e + bm, nil
	}
	return nil, nil
}

// markupMod implements Markup % args, escaping the arguments.
func markupMod(m Markup, args Value) (Value, error) {
	var esc Value
	switch a := args.(type) {
	case Tuple:
		t := make(Tuple, len(a))
		for i, x := range a {
			e, err := escapeArg(x)
			if err != nil {
				return nil, err
			}
			t[i] = e
		}
		esc = t
	case *Dict:
		d := NewDict()
		for _, it := range a.Items() {
			kv := it.(Tuple)
			e, err := escapeArg(kv[1])
			if err != nil {
				return nil, err
			}
			d.Set(kv[0], e)
		}
		esc = d
	default:
		e, err := escapeArg(a)
		if err != nil {
			return nil, err
		}
		esc = e
	}
	r, err := PercentFormat(string(m), esc)
	if err != nil {
		return nil, err
	}
	return Markup(r.(string)), nil
}
