package jinja2

import (
	"html"
	"math"
	"math/big"
	"regexp"
	"strings"
	"unicode/utf8"

	"webrunner/recipes/jinja2/pyval"
)

// filterFunc is a Jinja2 filter: the value, then the call arguments.
type filterFunc func(x *exec, sc *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error)

var filters map[string]filterFunc

func (x *exec) filter(sc *scope, f *filterExpr, v pyval.Value) (pyval.Value, error) {
	fn, ok := filters[f.name]
	if !ok {
		return nil, &Error{Type: "TemplateAssertionError", Message: "No filter named '" + f.name + "'.", Template: x.tmpl.name, Line: f.line}
	}
	args, kw, err := x.evalArgs(sc, f.args, f.kwargs, f.star, f.dstar)
	if err != nil {
		return nil, err
	}
	if f.name != "default" && f.name != "d" && f.name != "pprint" {
		if err := strictErr(v); err != nil {
			return nil, err
		}
	}
	return fn(x, sc, v, args, kw)
}

func arg(args []pyval.Value, kw []pyval.KV, i int, name string, dflt pyval.Value) pyval.Value {
	return pyval.Arg(args, kw, i, name, dflt)
}

func truthArg(args []pyval.Value, kw []pyval.KV, i int, name string, dflt bool) bool {
	t, _ := pyval.Truth(arg(args, kw, i, name, dflt))
	return t
}

func toStr(v pyval.Value) (string, error) { return pyval.Str(v) }

// multiAttrGetter implements Jinja2's make_multi_attrgetter (the sort
// filter's key): "a,b.c" gives the list of the values of each
// comma-separated attribute path.
func multiAttrGetter(attribute pyval.Value, lower bool) func(pyval.Value) (pyval.Value, error) {
	var gets []func(pyval.Value) (pyval.Value, error)
	if s, ok := attribute.(string); ok {
		for _, a := range strings.Split(s, ",") {
			gets = append(gets, attrGetter(a, lower, nil))
		}
	} else {
		gets = append(gets, attrGetter(attribute, lower, nil))
	}
	return func(item pyval.Value) (pyval.Value, error) {
		vs := make([]pyval.Value, len(gets))
		for i, get := range gets {
			var err error
			if vs[i], err = get(item); err != nil {
				return nil, err
			}
		}
		return pyval.NewList(vs...), nil
	}
}

// attrGetter implements Jinja2's make_attrgetter: "a.b" and "0" paths.
func attrGetter(attribute pyval.Value, lower bool, dflt pyval.Value) func(pyval.Value) (pyval.Value, error) {
	var parts []pyval.Value
	if s, ok := attribute.(string); ok {
		for _, p := range strings.Split(s, ".") {
			if n, err := pyval.ToPyInt(p, 10); err == nil && p != "" && strings.Trim(p, "0123456789") == "" {
				parts = append(parts, n)
			} else {
				parts = append(parts, p)
			}
		}
	} else if attribute != nil {
		parts = []pyval.Value{attribute}
	}
	return func(item pyval.Value) (pyval.Value, error) {
		v := item
		for _, p := range parts {
			var err error
			if v, err = getItem(v, p); err != nil {
				return nil, err
			}
		}
		if dflt != nil {
			if _, ok := v.(*pyval.Undefined); ok {
				v = dflt
			}
		}
		if s, ok := v.(string); ok && lower {
			return pyval.Lower(s), nil
		}
		return v, nil
	}
}

func lowerKey(caseSensitive bool) func(pyval.Value) (pyval.Value, error) {
	return func(v pyval.Value) (pyval.Value, error) {
		if s, ok := v.(string); ok && !caseSensitive {
			return pyval.Lower(s), nil
		}
		return v, nil
	}
}

func list(v pyval.Value) ([]pyval.Value, error) {
	items, err := pyval.Iterate(v)
	return append([]pyval.Value(nil), items...), err
}

// selectOrReject implements select/reject/selectattr/rejectattr.
func selectOrReject(x *exec, sc *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV, withAttr, keep bool) (pyval.Value, error) {
	if t, err := pyval.Truth(v); err != nil || !t {
		return &pyval.Iterator{Kind: "generator", Items: []pyval.Value{}}, err // Jinja2: "if value:"
	}
	items, err := pyval.Iterate(v)
	if err != nil {
		return nil, err
	}
	get := func(it pyval.Value) (pyval.Value, error) { return it, nil }
	if withAttr {
		if len(args) == 0 {
			return nil, pyval.Errorf("FilterArgumentError", "Missing parameter for attribute name")
		}
		get = attrGetter(args[0], false, nil)
		args = args[1:]
	}
	var check func(pyval.Value) (bool, error)
	if len(args) == 0 {
		check = pyval.Truth
	} else {
		name, _ := args[0].(string)
		t, ok := tests[name]
		if !ok {
			return nil, pyval.Errorf("TemplateRuntimeError", "No test named %s.", pyval.QuoteString(name))
		}
		targs := args[1:]
		check = func(v pyval.Value) (bool, error) { return t(v, targs) }
	}
	out := []pyval.Value{}
	for _, it := range items {
		a, err := get(it)
		if err != nil {
			return nil, err
		}
		ok, err := check(a)
		if err != nil {
			return nil, err
		}
		if ok == keep {
			out = append(out, it)
		}
	}
	return &pyval.Iterator{Kind: "generator", Items: out}, nil
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}_]+`)

var striptagsRe = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)

func init() {
	filters = map[string]filterFunc{
		"abs": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			return pyval.Builtin("abs").(pyval.Callable).Call([]pyval.Value{v}, nil)
		},
		"attr": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			name, _ := arg(args, nil, 0, "", "").(string)
			a, err := pyval.GetAttr(v, name)
			if err != nil {
				return &pyval.Undefined{Strict: true, Hint: "'" + objectTypeRepr(v) + "' has no attribute '" + name + "'"}, nil
			}
			return a, nil
		},
		"batch": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			items, err := pyval.Iterate(v)
			if err != nil {
				return nil, err
			}
			n, _ := pyval.ToInt(arg(args, kw, 0, "linecount", 1))
			if n <= 0 {
				return nil, pyval.Errorf("ValueError", "linecount must be positive")
			}
			fill := arg(args, kw, 1, "fill_with", nil)
			hasFill := len(args) > 1
			for _, p := range kw {
				hasFill = hasFill || p.Key == "fill_with"
			}
			var out []pyval.Value
			for i := 0; i < len(items); i += n {
				chunk := append([]pyval.Value(nil), items[i:min(i+n, len(items))]...)
				for hasFill && len(chunk) < n {
					chunk = append(chunk, fill)
				}
				out = append(out, pyval.NewList(chunk...))
			}
			return &pyval.Iterator{Kind: "generator", Items: out}, nil
		},
		"capitalize": strFilter(pyval.Capitalize),
		"center": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			if err != nil {
				return nil, err
			}
			m, _ := pyval.GetAttr(s, "center")
			r, err := m.(pyval.Callable).Call([]pyval.Value{arg(args, kw, 0, "width", 80)}, nil)
			if err != nil {
				return nil, err
			}
			return keepMarkup(v, r.(string)), nil
		},
		"default": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			dflt := arg(args, kw, 0, "default_value", "")
			if _, ok := v.(*pyval.Undefined); ok {
				return dflt, nil
			}
			if truthArg(args, kw, 1, "boolean", false) {
				if t, err := pyval.Truth(v); err != nil || !t {
					return dflt, err
				}
			}
			return v, nil
		},
		"dictsort": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			d, ok := v.(*pyval.Dict)
			if !ok {
				if u, ok := v.(*pyval.Undefined); ok && u.Strict {
					return nil, u.Err()
				}
				return nil, pyval.Errorf("AttributeError", "'%s' object has no attribute 'items'", pyval.TypeName(v))
			}
			cs := truthArg(args, kw, 0, "case_sensitive", false)
			by, _ := arg(args, kw, 1, "by", "key").(string)
			pos := 0
			switch by {
			case "key":
			case "value":
				pos = 1
			default:
				return nil, pyval.Errorf("FilterArgumentError", "You can only sort by either \"key\" or \"value\"")
			}
			items := d.Items()
			lk := lowerKey(cs)
			err := pyval.SortValues(items, func(it pyval.Value) (pyval.Value, error) {
				return lk(it.(pyval.Tuple)[pos])
			}, truthArg(args, kw, 2, "reverse", false))
			return pyval.NewList(items...), err
		},
		"escape": escapeFilter,
		"e":      escapeFilter,
		"filesizeformat": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			fv, err := pyval.ToPyFloat(v)
			if err != nil {
				return nil, err
			}
			n := fv.(float64)
			binary := truthArg(args, kw, 0, "binary", false)
			base := 1000.0
			prefixes := []string{"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
			if binary {
				base = 1024
				prefixes = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
			}
			switch {
			case n == 1:
				return "1 Byte", nil
			case n < base:
				i, _ := pyval.ToPyInt(n, -1)
				return pyval.PercentFormat("%s Bytes", i)
			}
			unit := base
			for i, prefix := range prefixes {
				unit = math.Pow(base, float64(i+2))
				if n < unit || i == len(prefixes)-1 {
					return pyval.PercentFormat("%.1f "+prefix, base*n/unit)
				}
			}
			return nil, nil
		},
		"xmlattr": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			d, ok := v.(*pyval.Dict)
			if !ok {
				return nil, pyval.Errorf("AttributeError", "'%s' object has no attribute 'items'", pyval.TypeName(v))
			}
			var parts []string
			for _, it := range d.Items() {
				kv := it.(pyval.Tuple)
				if kv[1] == nil || isUndefined(kv[1]) {
					continue
				}
				k, err := toStr(kv[0])
				if err != nil {
					return nil, err
				}
				if strings.ContainsAny(k, " />=\t\n\f") {
					return nil, pyval.Errorf("ValueError", "Invalid character in attribute name: %s", pyval.QuoteString(k))
				}
				val, err := toStr(kv[1])
				if err != nil {
					return nil, err
				}
				parts = append(parts, htmlEscape(k)+`="`+htmlEscape(val)+`"`)
			}
			out := strings.Join(parts, " ")
			if out != "" && truthArg(args, kw, 0, "autospace", true) {
				out = " " + out
			}
			return out, nil
		},
		"first": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			items, err := pyval.Iterate(v)
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				return &pyval.Undefined{Strict: true, Hint: "No first item, sequence was empty."}, nil
			}
			return items[0], nil
		},
		"float": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			f, err := pyval.ToPyFloat(v)
			if err != nil {
				return arg(args, kw, 0, "default", 0.0), nil
			}
			return f, nil
		},
		"forceescape": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			if err != nil {
				return nil, err
			}
			return pyval.Escape(s)
		},
		"format": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			if err != nil {
				return nil, err
			}
			if len(args) > 0 && len(kw) > 0 {
				return nil, pyval.Errorf("FilterArgumentError", "can't handle positional and keyword arguments at the same time")
			}
			var fargs pyval.Value = pyval.Tuple(args)
			if len(kw) > 0 {
				fargs = pyval.DictOf(kw...)
			}
			if m, ok := v.(pyval.Markup); ok {
				return pyval.Mod(m, fargs)
			}
			return pyval.PercentFormat(s, fargs)
		},
		"groupby": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			items, err := list(v)
			if err != nil {
				return nil, err
			}
			cs := truthArg(nil, kw, 9, "case_sensitive", false)
			get := attrGetter(arg(args, kw, 0, "attribute", nil), !cs, arg(args, kw, 1, "default", nil))
			if err := pyval.SortValues(items, get, false); err != nil {
				return nil, err
			}
			var out []pyval.Value
			var curKey pyval.Value
			var cur []pyval.Value
			for i, it := range items {
				k, err := get(it)
				if err != nil {
					return nil, err
				}
				if i > 0 && !pyval.Equal(k, curKey) {
					out = append(out, groupTuple(curKey, cur))
					cur = nil
				}
				curKey = k
				cur = append(cur, it)
			}
			if len(cur) > 0 {
				out = append(out, groupTuple(curKey, cur))
			}
			return pyval.NewList(out...), nil
		},
		"indent": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			// Jinja2 does s += "\n" then s.splitlines(): only a str works.
			s, ok := v.(string)
			if m, isMarkup := v.(pyval.Markup); isMarkup {
				s, ok = string(m), true
			}
			if !ok {
				if _, isList := v.(*pyval.List); isList {
					return nil, pyval.Errorf("AttributeError", "'list' object has no attribute 'splitlines'")
				}
				return nil, pyval.Errorf("TypeError", "unsupported operand type(s) for +=: '%s' and 'str'", pyval.TypeName(v))
			}
			width := arg(args, kw, 0, "width", 4)
			ind, ok := width.(string)
			if !ok {
				n, _ := pyval.ToInt(width)
				ind = strings.Repeat(" ", max(n, 0))
			}
			first := truthArg(args, kw, 1, "first", false)
			blank := truthArg(args, kw, 2, "blank", false)
			s += "\n"
			lv, _ := pyval.GetAttr(s, "splitlines")
			lr, _ := lv.(pyval.Callable).Call(nil, nil)
			lines := lr.(*pyval.List).Items
			var rv string
			if blank {
				parts := make([]string, len(lines))
				for i, l := range lines {
					parts[i] = l.(string)
				}
				rv = strings.Join(parts, "\n"+ind)
			} else {
				rv = lines[0].(string)
				if len(lines) > 1 {
					parts := make([]string, 0, len(lines)-1)
					for _, l := range lines[1:] {
						ls := l.(string)
						if ls != "" {
							ls = ind + ls
						}
						parts = append(parts, ls)
					}
					rv += "\n" + strings.Join(parts, "\n")
				}
			}
			if first {
				rv = ind + rv
			}
			return keepMarkup(v, rv), nil
		},
		"int": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			dflt := arg(args, kw, 0, "default", 0)
			base, _ := pyval.ToInt(arg(args, kw, 1, "base", 10))
			if s, ok := v.(string); ok {
				if r, err := pyval.ToPyInt(s, base); err == nil {
					return r, nil
				}
			} else if r, err := pyval.ToPyInt(v, -1); err == nil {
				return r, nil
			}
			f, err := pyval.ToPyFloat(v)
			if err != nil {
				return dflt, nil
			}
			r, err := pyval.ToPyInt(f, -1)
			if err != nil {
				return dflt, nil
			}
			return r, nil
		},
		"items": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			d, ok := v.(*pyval.Dict)
			if !ok {
				return nil, pyval.Errorf("TypeError", "Can only get item pairs from a mapping.")
			}
			return &pyval.Iterator{Kind: "generator", Items: d.Items()}, nil
		},
		"join": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			items, err := pyval.Iterate(v)
			if err != nil {
				return nil, err
			}
			sep, err := toStr(arg(args, kw, 0, "d", ""))
			if err != nil {
				return nil, err
			}
			var get func(pyval.Value) (pyval.Value, error)
			if a := arg(args, kw, 1, "attribute", nil); a != nil {
				get = attrGetter(a, false, nil)
			}
			parts := make([]string, len(items))
			for i, it := range items {
				if get != nil {
					if it, err = get(it); err != nil {
						return nil, err
					}
				}
				if parts[i], err = toStr(it); err != nil {
					return nil, err
				}
			}
			return strings.Join(parts, sep), nil
		},
		"last": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			items, err := pyval.Iterate(v)
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				return &pyval.Undefined{Strict: true, Hint: "No last item, sequence was empty."}, nil
			}
			return items[len(items)-1], nil
		},
		"length": lengthFilter,
		"count":  lengthFilter,
		"list": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			items, err := list(v)
			if items == nil {
				items = []pyval.Value{}
			}
			return &pyval.List{Items: items}, err
		},
		"lower": strFilter(pyval.Lower),
		"upper": strFilter(pyval.Upper),
		"title": strFilter(titleFilter),
		"map": func(x *exec, sc *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			if t, err := pyval.Truth(v); err != nil || !t {
				return &pyval.Iterator{Kind: "generator", Items: []pyval.Value{}}, err // Jinja2: "if value:"
			}
			items, err := pyval.Iterate(v)
			if err != nil {
				return nil, err
			}
			var fn func(pyval.Value) (pyval.Value, error)
			if len(args) == 0 {
				a := arg(nil, kw, 0, "attribute", nil)
				if a == nil {
					return &pyval.Iterator{Kind: "generator", Items: append([]pyval.Value(nil), items...)}, nil
				}
				fn = attrGetter(a, false, arg(nil, kw, 0, "default", nil))
			} else {
				name, _ := args[0].(string)
				f, ok := filters[name]
				if !ok {
					return nil, pyval.Errorf("TemplateRuntimeError", "No filter named %s.", pyval.QuoteString(name))
				}
				fargs := args[1:]
				fn = func(it pyval.Value) (pyval.Value, error) {
					if name != "default" && name != "d" {
						if err := strictErr(it); err != nil {
							return nil, err
						}
					}
					return f(x, sc, it, fargs, kw)
				}
			}
			out := make([]pyval.Value, len(items))
			for i, it := range items {
				if out[i], err = fn(it); err != nil {
					return nil, err
				}
			}
			return &pyval.Iterator{Kind: "generator", Items: out}, nil
		},
		"max": minMaxFilter(1),
		"min": minMaxFilter(-1),
		"pprint": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			return pyval.Pformat(v)
		},
		"reject": func(x *exec, sc *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			return selectOrReject(x, sc, v, args, kw, false, false)
		},
		"rejectattr": func(x *exec, sc *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			return selectOrReject(x, sc, v, args, kw, true, false)
		},
		"select": func(x *exec, sc *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			return selectOrReject(x, sc, v, args, kw, false, true)
		},
		"selectattr": func(x *exec, sc *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			return selectOrReject(x, sc, v, args, kw, true, true)
		},
		"replace": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			if err != nil {
				return nil, err
			}
			old, err := toStr(arg(args, kw, 0, "old", ""))
			if err != nil {
				return nil, err
			}
			nw, err := toStr(arg(args, kw, 1, "new", ""))
			if err != nil {
				return nil, err
			}
			n := -1
			if c := arg(args, kw, 2, "count", nil); c != nil {
				n, _ = pyval.ToInt(c)
			}
			return strings.Replace(s, old, nw, n), nil
		},
		"reverse": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			if s, ok := v.(string); ok {
				rs := []rune(s)
				for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
					rs[i], rs[j] = rs[j], rs[i]
				}
				return string(rs), nil
			}
			if m, ok := v.(pyval.Markup); ok {
				return pyval.Slice(m, nil, nil, -1)
			}
			items, err := list(v)
			if err != nil {
				return nil, pyval.Errorf("FilterArgumentError", "argument must be iterable")
			}
			for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
				items[i], items[j] = items[j], items[i]
			}
			return &pyval.Iterator{Kind: "list_reverseiterator", Items: items}, nil
		},
		"round": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			prec, _ := pyval.ToInt(arg(args, kw, 0, "precision", 0))
			method, _ := arg(args, kw, 1, "method", "common").(string)
			f, ok := pyval.ToFloat(v)
			if !ok {
				return nil, pyval.Errorf("TypeError", "must be real number, not %s", pyval.TypeName(v))
			}
			switch method {
			case "common":
				if b, isBool := v.(bool); isBool {
					v, _ = pyval.ToPyInt(b, -1)
				}
				return pyval.Round(v, prec)
			case "ceil", "floor":
				p := math.Pow10(prec)
				op := math.Ceil
				if method == "floor" {
					op = math.Floor
				}
				return op(f*p) / p, nil
			}
			return nil, pyval.Errorf("FilterArgumentError", "method must be common, ceil or floor")
		},
		"safe": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			return pyval.Markup(s), err
		},
		"slice": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			items, err := pyval.Iterate(v)
			if err != nil {
				return nil, err
			}
			n, _ := pyval.ToInt(arg(args, kw, 0, "slices", 1))
			if n <= 0 {
				return nil, pyval.Errorf("ValueError", "slices must be positive")
			}
			fill := arg(args, kw, 1, "fill_with", nil)
			hasFill := len(args) > 1
			per, extra := len(items)/n, len(items)%n
			offset := 0
			var out []pyval.Value
			for i := range n {
				start := offset + i*per
				if i < extra {
					offset++
				}
				end := offset + (i+1)*per
				chunk := append([]pyval.Value(nil), items[start:end]...)
				if hasFill && i >= extra {
					chunk = append(chunk, fill)
				}
				out = append(out, pyval.NewList(chunk...))
			}
			return &pyval.Iterator{Kind: "generator", Items: out}, nil
		},
		"sort": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			items, err := list(v)
			if err != nil {
				return nil, err
			}
			rev := truthArg(args, kw, 0, "reverse", false)
			cs := truthArg(args, kw, 1, "case_sensitive", false)
			var key func(pyval.Value) (pyval.Value, error)
			if a := arg(args, kw, 2, "attribute", nil); a != nil {
				key = multiAttrGetter(a, !cs)
			} else {
				key = lowerKey(cs)
			}
			if items == nil {
				items = []pyval.Value{}
			}
			return &pyval.List{Items: items}, pyval.SortValues(items, key, rev)
		},
		"string": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			if m, ok := v.(pyval.Markup); ok {
				return m, nil
			}
			return toStr(v)
		},
		"striptags": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			if err != nil {
				return nil, err
			}
			s = html.UnescapeString(striptagsRe.ReplaceAllString(s, ""))
			return strings.Join(strings.Fields(s), " "), nil
		},
		"sum": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			items, err := pyval.Iterate(v)
			if err != nil {
				return nil, err
			}
			var get func(pyval.Value) (pyval.Value, error)
			if a := arg(args, kw, 0, "attribute", nil); a != nil {
				get = attrGetter(a, false, nil)
			}
			acc := arg(args, kw, 1, "start", 0)
			for _, it := range items {
				if get != nil {
					if it, err = get(it); err != nil {
						return nil, err
					}
				}
				if acc, err = pyval.Add(acc, it); err != nil {
					return nil, err
				}
			}
			return acc, nil
		},
		"tojson": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			o := pyval.JSONOptions{SortKeys: true, EnsureASCII: true}
			if ind := arg(args, kw, 0, "indent", nil); ind != nil {
				n, _ := pyval.ToInt(ind)
				o.Indent, o.HasIndent = strings.Repeat(" ", n), true
			}
			s, err := pyval.JSONDumps(v, o)
			if err != nil {
				return nil, err
			}
			return pyval.Markup(strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`, "'", `\u0027`).Replace(s)), nil
		},
		"trim": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			if err != nil {
				return nil, err
			}
			if c := arg(args, kw, 0, "chars", nil); c != nil {
				cs, _ := c.(string)
				return keepMarkup(v, strings.Trim(s, cs)), nil
			}
			return keepMarkup(v, strings.TrimFunc(s, pyval.IsSpace)), nil
		},
		"truncate": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			n, err := pyval.Len(v)
			if err != nil {
				return nil, err
			}
			length, _ := pyval.ToInt(arg(args, kw, 0, "length", 255))
			killwords := truthArg(args, kw, 1, "killwords", false)
			end, _ := arg(args, kw, 2, "end", "...").(string)
			leeway := 5
			if l := arg(args, kw, 3, "leeway", nil); l != nil {
				leeway, _ = pyval.ToInt(l)
			}
			if n <= length+leeway {
				return v, nil // unchanged, whatever its type
			}
			cut := max(length-len([]rune(end)), 0)
			s, ok := v.(string)
			if m, isMarkup := v.(pyval.Markup); isMarkup {
				// Markup + end escapes end.
				s, ok = string(m), true
				e, _ := pyval.Escape(end)
				end = string(e)
			}
			if !ok {
				return nil, pyval.Errorf("TypeError", "truncate expects a string, not %s", pyval.TypeName(v))
			}
			rs := []rune(s)
			if killwords {
				return keepMarkup(v, string(rs[:cut])+end), nil
			}
			res := string(rs[:cut])
			if i := strings.LastIndex(res, " "); i >= 0 {
				res = res[:i]
			}
			return keepMarkup(v, res+end), nil
		},
		"unique": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			items, err := pyval.Iterate(v)
			if err != nil {
				return nil, err
			}
			cs := truthArg(args, kw, 0, "case_sensitive", false)
			var get func(pyval.Value) (pyval.Value, error)
			if a := arg(args, kw, 1, "attribute", nil); a != nil {
				get = attrGetter(a, !cs, nil)
			} else {
				get = lowerKey(cs)
			}
			seen, _ := pyval.NewSet()
			var out []pyval.Value
			for _, it := range items {
				k, err := get(it)
				if err != nil {
					return nil, err
				}
				if in, err := seen.Contains(k); err != nil {
					return nil, err
				} else if !in {
					seen.Add(k)
					out = append(out, it)
				}
			}
			return &pyval.Iterator{Kind: "generator", Items: out}, nil
		},
		"urlencode": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			quote := func(x pyval.Value, forQS bool) (string, error) {
				s, err := toStr(x)
				if err != nil {
					return "", err
				}
				if forQS {
					return strings.ReplaceAll(pyval.Quote(s, ""), "%20", "+"), nil
				}
				return pyval.Quote(s, "/"), nil
			}
			var pairs []pyval.Value
			switch x := v.(type) {
			case string:
				return quote(x, false)
			case pyval.Markup:
				return quote(string(x), false)
			case *pyval.Dict:
				pairs = x.Items()
			default:
				var err error
				if pairs, err = pyval.Iterate(v); err != nil {
					return quote(v, false) // not iterable: quoted as a string
				}
			}
			parts := make([]string, 0, len(pairs))
			for _, p := range pairs {
				if err := strictErr(p); err != nil {
					return nil, err
				}
				kv, err := pyval.Iterate(p)
				if err != nil {
					return nil, pyval.Errorf("TypeError", "cannot unpack non-iterable %s object", pyval.TypeName(p))
				}
				if len(kv) != 2 {
					return nil, pyval.Errorf("ValueError", "not enough values to unpack (expected 2, got %d)", len(kv))
				}
				k, err := quote(kv[0], true)
				if err != nil {
					return nil, err
				}
				val, err := quote(kv[1], true)
				if err != nil {
					return nil, err
				}
				parts = append(parts, k+"="+val)
			}
			return strings.Join(parts, "&"), nil
		},
		"wordwrap": func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			if err != nil {
				return nil, err
			}
			width, _ := pyval.ToInt(arg(args, kw, 0, "width", 79))
			wrap, _ := arg(args, kw, 2, "wrapstring", nil).(string)
			if wrap == "" {
				wrap = "\n"
			}
			return wordwrap(s, width, truthArg(args, kw, 1, "break_long_words", true), truthArg(args, kw, 3, "break_on_hyphens", true), wrap), nil
		},
		"wordcount": func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			s, err := toStr(v)
			if err != nil {
				return nil, err
			}
			return len(wordRe.FindAllString(s, -1)), nil
		},
	}
	filters["d"] = filters["default"]
}

// strFilter is a filter applying a str method: like Jinja2's soft_str, a
// Markup stays Markup.
func strFilter(f func(string) string) filterFunc {
	return func(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
		s, err := toStr(v)
		if err != nil {
			return nil, err
		}
		return keepMarkup(v, f(s)), nil
	}
}

// keepMarkup returns s as Markup if the filter input was Markup.
func keepMarkup(in pyval.Value, s string) pyval.Value {
	if _, ok := in.(pyval.Markup); ok {
		return pyval.Markup(s)
	}
	return s
}

var htmlReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

// htmlEscape is markupsafe.escape.
func htmlEscape(s string) string { return htmlReplacer.Replace(s) }

func escapeFilter(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
	return pyval.Escape(v)
}

func lengthFilter(_ *exec, _ *scope, v pyval.Value, _ []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
	return pyval.Len(v)
}

func minMaxFilter(want int) filterFunc {
	return func(_ *exec, _ *scope, v pyval.Value, args []pyval.Value, kw []pyval.KV) (pyval.Value, error) {
		items, err := pyval.Iterate(v)
		if err != nil {
			return nil, err
		}
		cs := truthArg(args, kw, 0, "case_sensitive", false)
		key := lowerKey(cs)
		if a := arg(args, kw, 1, "attribute", nil); a != nil {
			key = attrGetter(a, !cs, nil)
		}
		if len(items) == 0 {
			name := "max"
			if want < 0 {
				name = "min"
			}
			return &pyval.Undefined{Strict: true, Hint: "No " + name + " item, sequence was empty."}, nil
		}
		best := items[0]
		bk, err := key(best)
		if err != nil {
			return nil, err
		}
		for _, it := range items[1:] {
			k, err := key(it)
			if err != nil {
				return nil, err
			}
			c, err := pyval.Compare(k, bk)
			if err != nil {
				return nil, err
			}
			if c == want {
				best, bk = it, k
			}
		}
		return best, nil
	}
}

// testFunc is a Jinja2 test.
type testFunc func(v pyval.Value, args []pyval.Value) (bool, error)

var tests map[string]testFunc

func (x *exec) test(sc *scope, e *testExpr) (pyval.Value, error) {
	t, ok := tests[e.name]
	if !ok {
		return nil, &Error{Type: "TemplateAssertionError", Message: "No test named '" + e.name + "'.", Template: x.tmpl.name, Line: e.line}
	}
	v, err := x.eval(sc, e.x)
	if err != nil {
		return nil, err
	}
	args := make([]pyval.Value, len(e.args))
	for i, a := range e.args {
		if args[i], err = x.eval(sc, a); err != nil {
			return nil, err
		}
	}
	r, err := t(v, args)
	if err != nil {
		return nil, err
	}
	return r != e.negate, nil
}

func isUndefined(v pyval.Value) bool {
	_, ok := v.(*pyval.Undefined)
	return ok
}

func cmpTest(op string) testFunc {
	return func(v pyval.Value, args []pyval.Value) (bool, error) {
		if len(args) != 1 {
			return false, pyval.Errorf("TypeError", "test takes exactly one argument")
		}
		return compare(op, v, args[0])
	}
}

func init() {
	tests = map[string]testFunc{
		"boolean": func(v pyval.Value, _ []pyval.Value) (bool, error) { _, ok := v.(bool); return ok, nil },
		"callable": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			_, ok := v.(pyval.Callable)
			return ok || isUndefined(v), nil
		},
		"defined": func(v pyval.Value, _ []pyval.Value) (bool, error) { return !isUndefined(v), nil },
		"undefined": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			return isUndefined(v), nil
		},
		"divisibleby": func(v pyval.Value, args []pyval.Value) (bool, error) {
			if len(args) != 1 {
				return false, pyval.Errorf("TypeError", "divisibleby takes one argument")
			}
			m, err := pyval.Mod(v, args[0])
			if err != nil {
				return false, err
			}
			return pyval.Equal(m, 0), nil
		},
		"escaped": func(pyval.Value, []pyval.Value) (bool, error) { return false, nil },
		"even": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			m, err := pyval.Mod(v, 2)
			return err == nil && pyval.Equal(m, 0), err
		},
		"odd": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			m, err := pyval.Mod(v, 2)
			return err == nil && pyval.Equal(m, 1), err
		},
		"false": func(v pyval.Value, _ []pyval.Value) (bool, error) { b, ok := v.(bool); return ok && !b, nil },
		"true":  func(v pyval.Value, _ []pyval.Value) (bool, error) { b, ok := v.(bool); return ok && b, nil },
		"none":  func(v pyval.Value, _ []pyval.Value) (bool, error) { return v == nil, nil },
		"filter": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			s, ok := v.(string)
			return ok && filters[s] != nil, nil
		},
		"test": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			s, ok := v.(string)
			return ok && tests[s] != nil, nil
		},
		"float": func(v pyval.Value, _ []pyval.Value) (bool, error) { _, ok := v.(float64); return ok, nil },
		"integer": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			switch v.(type) {
			case int, *big.Int:
				return true, nil
			}
			return false, nil
		},
		"number": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			switch v.(type) {
			case int, *big.Int, float64, bool:
				return true, nil
			}
			return false, nil
		},
		"string": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			_, ok := v.(string)
			_, isMarkup := v.(pyval.Markup)
			return ok || isMarkup, nil
		},
		"mapping": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			_, ok := v.(*pyval.Dict)
			return ok, nil
		},
		"sequence": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			switch v.(type) {
			case string, *pyval.List, pyval.Tuple, *pyval.Dict, pyval.Range:
				return true, nil
			}
			return false, nil
		},
		"iterable": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			if err := strictErr(v); err != nil {
				return false, err
			}
			switch v.(type) {
			case string, *pyval.List, pyval.Tuple, *pyval.Dict, *pyval.Set, pyval.Range, *pyval.Iterator, *pyval.View:
				return true, nil
			}
			return false, nil
		},
		"lower": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			if err := strictErr(v); err != nil {
				return false, err
			}
			s, ok := v.(string)
			return ok && strMethodTrue(s, "islower"), nil
		},
		"upper": func(v pyval.Value, _ []pyval.Value) (bool, error) {
			if err := strictErr(v); err != nil {
				return false, err
			}
			s, ok := v.(string)
			return ok && strMethodTrue(s, "isupper"), nil
		},
		"in": func(v pyval.Value, args []pyval.Value) (bool, error) {
			if len(args) != 1 {
				return false, pyval.Errorf("TypeError", "in takes one argument")
			}
			return compare("in", v, args[0])
		},
		"sameas": func(v pyval.Value, args []pyval.Value) (bool, error) {
			if len(args) != 1 {
				return false, pyval.Errorf("TypeError", "sameas takes one argument")
			}
			o := args[0]
			switch a := v.(type) {
			case nil, bool, string, int:
				return pyval.TypeName(a) == pyval.TypeName(o) && pyval.Equal(a, o), nil
			case *pyval.List, *pyval.Dict, *pyval.Set:
				return a == o, nil
			}
			return false, nil
		},
		"eq": cmpTest("=="), "equalto": cmpTest("=="), "==": cmpTest("=="),
		"ne": cmpTest("!="), "!=": cmpTest("!="),
		"lt": cmpTest("<"), "lessthan": cmpTest("<"), "<": cmpTest("<"),
		"le": cmpTest("<="), "<=": cmpTest("<="),
		"gt": cmpTest(">"), "greaterthan": cmpTest(">"), ">": cmpTest(">"),
		"ge": cmpTest(">="), ">=": cmpTest(">="),
	}
}

func groupTuple(key pyval.Value, items []pyval.Value) pyval.Value {
	return &pyval.NamedTuple{Type: "_GroupTuple", Names: []string{"grouper", "list"}, Values: pyval.Tuple{key, pyval.NewList(items...)}, TupleRepr: true}
}

// strMethodTrue calls a predicate method of a str ("islower"...).
func strMethodTrue(s, method string) bool {
	m, err := pyval.GetAttr(s, method)
	if err != nil {
		return false
	}
	v, err := m.(pyval.Callable).Call(nil, nil)
	return err == nil && v == true
}

var wordBeginningRe = regexp.MustCompile(`[-\s({\[<]+`)

// titleFilter is Jinja2's title filter: each word (split at whitespace and
// -({[<) gets its first character uppercased and the rest lowercased.
func titleFilter(s string) string {
	var b strings.Builder
	word := func(w string) {
		if w == "" {
			return
		}
		r, n := utf8.DecodeRuneInString(w)
		b.WriteString(pyval.Upper(string(r)))
		b.WriteString(pyval.Lower(w[n:]))
	}
	last := 0
	for _, loc := range wordBeginningRe.FindAllStringIndex(s, -1) {
		word(s[last:loc[0]])
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	word(s[last:])
	return b.String()
}
