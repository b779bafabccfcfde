package jinja2

import (
	"errors"
	"fmt"
	"strings"

	"webrunner/recipes/jinja2/pyval"
)

func strictErr(vs ...pyval.Value) error {
	for _, v := range vs {
		if u, ok := v.(*pyval.Undefined); ok && u.Strict {
			return u.Err()
		}
	}
	return nil
}

// objectTypeRepr names a value in undefined messages, as Jinja2 does.
func objectTypeRepr(v pyval.Value) string {
	if v == nil {
		return "None"
	}
	return pyval.TypeName(v) + " object"
}

// getAttr is Jinja2's environment.getattr: the attribute, else the item.
func getAttr(obj pyval.Value, name string) (pyval.Value, error) {
	if u, ok := obj.(*pyval.Undefined); ok {
		if u.Strict {
			return nil, u.Err()
		}
		return u, nil
	}
	v, err := pyval.GetAttr(obj, name)
	if err == nil {
		return v, nil
	}
	var na *pyval.ErrNoAttr
	if !errors.As(err, &na) {
		return nil, err
	}
	if d, ok := obj.(*pyval.Dict); ok {
		if v, ok := d.GetStr(name); ok {
			return v, nil
		}
	}
	return &pyval.Undefined{Strict: true, Hint: fmt.Sprintf("'%s' has no attribute '%s'", objectTypeRepr(obj), name)}, nil
}

// getItem is Jinja2's environment.getitem: the item, else the attribute.
func getItem(obj, key pyval.Value) (pyval.Value, error) {
	if u, ok := obj.(*pyval.Undefined); ok {
		if u.Strict {
			return nil, u.Err()
		}
		return u, nil
	}
	if err := strictErr(key); err != nil {
		return nil, err
	}
	v, err := pyval.GetItem(obj, key)
	if err == nil {
		return v, nil
	}
	var pe *pyval.Exception
	if !errors.As(err, &pe) || (pe.Type != "KeyError" && pe.Type != "IndexError" && pe.Type != "TypeError") {
		return nil, err
	}
	if s, ok := key.(string); ok {
		if a, err := pyval.GetAttr(obj, s); err == nil {
			return a, nil
		}
		return &pyval.Undefined{Strict: true, Hint: fmt.Sprintf("'%s' has no attribute '%s'", objectTypeRepr(obj), s)}, nil
	}
	r, _ := pyval.Repr(key)
	return &pyval.Undefined{Strict: true, Hint: fmt.Sprintf("'%s' has no element %s", objectTypeRepr(obj), r)}, nil
}

func (x *exec) eval(sc *scope, e expr) (pyval.Value, error) {
	switch e := e.(type) {
	case *constExpr:
		return e.v, nil
	case *nameExpr:
		if v, ok := sc.lookup(e.name); ok {
			return v, nil
		}
		if e.name == "self" && x.unit != nil {
			return selfRef{x}, nil
		}
		return &pyval.Undefined{Strict: true, Hint: fmt.Sprintf("'%s' is undefined", e.name)}, nil
	case *attrExpr:
		obj, err := x.eval(sc, e.obj)
		if err != nil {
			return nil, err
		}
		return getAttr(obj, e.name)
	case *itemExpr:
		obj, err := x.eval(sc, e.obj)
		if err != nil {
			return nil, err
		}
		key, err := x.eval(sc, e.key)
		if err != nil {
			return nil, err
		}
		return getItem(obj, key)
	case *sliceExpr:
		obj, err := x.eval(sc, e.obj)
		if err != nil {
			return nil, err
		}
		var bounds [3]pyval.Value
		for i, b := range []expr{e.start, e.stop, e.step} {
			if b != nil {
				if bounds[i], err = x.eval(sc, b); err != nil {
					return nil, err
				}
			}
		}
		if err := strictErr(obj, bounds[0], bounds[1], bounds[2]); err != nil {
			return nil, err
		}
		v, err := pyval.Slice(obj, bounds[0], bounds[1], bounds[2])
		var pe *pyval.Exception
		if errors.As(err, &pe) && pe.Type == "TypeError" {
			// As Jinja2's getitem: an object that cannot be sliced gives
			// an undefined value.
			return &pyval.Undefined{Strict: true, Hint: fmt.Sprintf("'%s' has no element slice", objectTypeRepr(obj))}, nil
		}
		return v, err
	case *callExpr:
		return x.call(sc, e, nil)
	case *filterExpr:
		v, err := x.eval(sc, e.x)
		if err != nil {
			return nil, err
		}
		return x.filter(sc, e, v)
	case *testExpr:
		return x.test(sc, e)
	case *binExpr:
		return x.binary(sc, e)
	case *unaryExpr:
		v, err := x.eval(sc, e.x)
		if err != nil {
			return nil, err
		}
		switch e.op {
		case "not":
			t, err := pyval.Truth(v)
			return !t, err
		case "-":
			return pyval.Neg(v)
		}
		if _, ok := pyval.ToFloat(v); !ok {
			if err := strictErr(v); err != nil {
				return nil, err
			}
			return nil, pyval.Errorf("TypeError", "bad operand type for unary +: '%s'", pyval.TypeName(v))
		}
		if b, ok := v.(bool); ok {
			return pyval.ToPyInt(b, -1)
		}
		return v, nil
	case *compareExpr:
		left, err := x.eval(sc, e.first)
		if err != nil {
			return nil, err
		}
		for i, op := range e.ops {
			right, err := x.eval(sc, e.rest[i])
			if err != nil {
				return nil, err
			}
			ok, err := compare(op, left, right)
			if err != nil || !ok {
				return false, err
			}
			left = right
		}
		return true, nil
	case *condExpr:
		c, err := x.eval(sc, e.test)
		if err != nil {
			return nil, err
		}
		t, err := pyval.Truth(c)
		if err != nil {
			return nil, err
		}
		if t {
			return x.eval(sc, e.yes)
		}
		if !e.hasElse {
			return &pyval.Undefined{Hint: "the inline if-expression evaluated to false and no else section was defined."}, nil
		}
		return x.eval(sc, e.no)
	case *concatExpr:
		var b strings.Builder
		for _, p := range e.parts {
			v, err := x.eval(sc, p)
			if err != nil {
				return nil, err
			}
			s, err := pyval.Str(v)
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
		}
		return b.String(), nil
	case *listExpr:
		items := make([]pyval.Value, len(e.items))
		for i, it := range e.items {
			v, err := x.eval(sc, it)
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		return &pyval.List{Items: items}, nil
	case *tupleExpr:
		items := make(pyval.Tuple, len(e.items))
		for i, it := range e.items {
			v, err := x.eval(sc, it)
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		return items, nil
	case *dictExpr:
		d := pyval.NewDict()
		for i, k := range e.keys {
			kv, err := x.eval(sc, k)
			if err != nil {
				return nil, err
			}
			vv, err := x.eval(sc, e.vals[i])
			if err != nil {
				return nil, err
			}
			if err := strictErr(kv); err != nil {
				return nil, err
			}
			if err := d.Set(kv, vv); err != nil {
				return nil, err
			}
		}
		return d, nil
	}
	return nil, fmt.Errorf("jinja2: unknown expression %T", e)
}

func compare(op string, a, b pyval.Value) (bool, error) {
	if op == "in" || op == "notin" {
		if err := strictErr(b); err != nil {
			return false, err
		}
		if u, ok := a.(*pyval.Undefined); ok && u.Strict {
			// Python asks the container: a str raises its TypeError
			// before touching the item, an empty sequence compares
			// nothing; anything else uses the item (hash or ==).
			switch c := b.(type) {
			case string, pyval.Markup:
				return pyval.Contains(c, a)
			case *pyval.List:
				if len(c.Items) == 0 {
					return op == "notin", nil
				}
			case pyval.Tuple:
				if len(c) == 0 {
					return op == "notin", nil
				}
			case *pyval.Dict, *pyval.Set:
			case *pyval.View:
				if c.Kind == "items" {
					// dict_items only looks for 2-tuples.
					return op == "notin", nil
				}
				if c.Kind == "values" && len(c.Items()) == 0 {
					return op == "notin", nil
				}
			default:
				items, err := pyval.Iterate(c)
				if err != nil {
					// Not a container: "argument of type 'bool' is not iterable".
					return pyval.Contains(c, a)
				}
				if len(items) == 0 {
					return op == "notin", nil
				}
			}
			return false, u.Err()
		}
	} else if err := strictErr(a, b); err != nil {
		return false, err
	}
	switch op {
	case "==":
		return pyval.Equal(a, b), nil
	case "!=":
		return !pyval.Equal(a, b), nil
	case "in":
		return pyval.Contains(b, a)
	case "notin":
		ok, err := pyval.Contains(b, a)
		return !ok, err
	}
	c, err := pyval.Compare(a, b)
	if err != nil {
		return false, err
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

func (x *exec) binary(sc *scope, e *binExpr) (pyval.Value, error) {
	l, err := x.eval(sc, e.l)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "and", "or":
		t, err := pyval.Truth(l)
		if err != nil {
			return nil, err
		}
		if t == (e.op == "or") {
			return l, nil
		}
		return x.eval(sc, e.r)
	}
	r, err := x.eval(sc, e.r)
	if err != nil {
		return nil, err
	}
	// Undefined defines every arithmetic operator and its reflection; only
	// str % undefined formats it (repr works, str fails).
	if _, isStr := l.(string); e.op != "%" || !isStr {
		if err := strictErr(l, r); err != nil {
			return nil, err
		}
	}
	switch e.op {
	case "+":
		return pyval.Add(l, r)
	case "-":
		return pyval.Sub(l, r)
	case "*":
		return pyval.Mul(l, r)
	case "/":
		return pyval.Div(l, r)
	case "//":
		return pyval.FloorDiv(l, r)
	case "%":
		return pyval.Mod(l, r)
	case "**":
		return pyval.Pow(l, r)
	}
	return nil, fmt.Errorf("jinja2: unknown operator %s", e.op)
}

// evalArgs evaluates call arguments, spreading *args and **kwargs.
func (x *exec) evalArgs(sc *scope, args []expr, kwargs []kwArg, star, dstar expr) ([]pyval.Value, []pyval.KV, error) {
	pos := make([]pyval.Value, 0, len(args))
	for _, a := range args {
		v, err := x.eval(sc, a)
		if err != nil {
			return nil, nil, err
		}
		pos = append(pos, v)
	}
	var kw []pyval.KV
	for _, k := range kwargs {
		v, err := x.eval(sc, k.x)
		if err != nil {
			return nil, nil, err
		}
		kw = append(kw, pyval.KV{Key: k.name, Value: v})
	}
	if star != nil {
		v, err := x.eval(sc, star)
		if err != nil {
			return nil, nil, err
		}
		items, err := pyval.Iterate(v)
		if err != nil {
			return nil, nil, err
		}
		pos = append(pos, items...)
	}
	if dstar != nil {
		v, err := x.eval(sc, dstar)
		if err != nil {
			return nil, nil, err
		}
		d, ok := v.(*pyval.Dict)
		if !ok {
			if err := strictErr(v); err != nil {
				return nil, nil, err
			}
			return nil, nil, pyval.Errorf("TypeError", "argument after ** must be a mapping, not %s", pyval.TypeName(v))
		}
		for _, k := range d.Keys() {
			ks, ok := k.(string)
			if !ok {
				return nil, nil, pyval.Errorf("TypeError", "keywords must be strings")
			}
			for _, existing := range kw {
				if existing.Key == ks {
					return nil, nil, pyval.Errorf("TypeError", "got multiple values for keyword argument '%s'", ks)
				}
			}
			v, _ := d.GetStr(ks)
			kw = append(kw, pyval.KV{Key: ks, Value: v})
		}
	}
	return pos, kw, nil
}

// call evaluates a call expression; caller is the caller of a call block.
func (x *exec) call(sc *scope, e *callExpr, caller *macro) (pyval.Value, error) {
	fn, err := x.eval(sc, e.fn)
	if err != nil {
		return nil, err
	}
	args, kwargs, err := x.evalArgs(sc, e.args, e.kwargs, e.star, e.dstar)
	if err != nil {
		return nil, err
	}
	if caller != nil {
		m, ok := fn.(*macro)
		if !ok {
			if err := strictErr(fn); err != nil {
				return nil, err
			}
			kwargs = append(kwargs, pyval.KV{Key: "caller", Value: caller})
		} else {
			if !m.def.callerUsed {
				return nil, pyval.Errorf("TypeError", "macro %s was invoked with two values for the special caller argument. This is most likely a bug.", pyval.QuoteString(m.def.name))
			}
			return m.call(args, kwargs, caller)
		}
	}
	switch f := fn.(type) {
	case pyval.Callable:
		v, err := f.Call(args, kwargs)
		var exc *pyval.Exception
		if errors.As(err, &exc) && exc.Type == "StopIteration" {
			// Jinja2's Context.call.
			return &pyval.Undefined{Strict: true, Hint: "value was undefined because a callable raised a StopIteration exception"}, nil
		}
		return v, err
	case *pyval.Undefined:
		if f.Strict {
			return nil, f.Err()
		}
	}
	return nil, pyval.Errorf("TypeError", "'%s' object is not callable", pyval.TypeName(fn))
}

// namespace is the object made by namespace(...).
type namespace struct {
	d *pyval.Dict
}

func (n *namespace) TypeName() string { return "Namespace" }

// Attr implements pyval.Attrer.
func (n *namespace) Attr(name string) (pyval.Value, bool) { return n.d.GetStr(name) }

// PyRepr prints as Jinja2's Namespace.
func (n *namespace) PyRepr() (string, error) {
	r, err := pyval.Repr(n.d)
	return "<Namespace " + r + ">", err
}

// envGlobals returns Jinja2's default environment globals.
func envGlobals() map[string]pyval.Value {
	return map[string]pyval.Value{
		"range": pyval.Builtin("range"),
		"dict":  pyval.Builtin("dict"),
		"namespace": &pyval.Func{N: "namespace", F: func(args []pyval.Value, kwargs []pyval.KV) (pyval.Value, error) {
			d := pyval.NewDict()
			for _, a := range args {
				src, ok := a.(*pyval.Dict)
				if !ok {
					return nil, pyval.Errorf("TypeError", "namespace() argument must be a mapping")
				}
				for _, it := range src.Items() {
					kv := it.(pyval.Tuple)
					d.Set(kv[0], kv[1])
				}
			}
			for _, kv := range kwargs {
				d.SetStr(kv.Key, kv.Value)
			}
			return &namespace{d: d}, nil
		}},
		"joiner": &pyval.Func{N: "joiner", F: func(args []pyval.Value, kwargs []pyval.KV) (pyval.Value, error) {
			sep := pyval.Arg(args, kwargs, 0, "sep", ", ")
			used := false
			return &pyval.Func{N: "joiner", F: func([]pyval.Value, []pyval.KV) (pyval.Value, error) {
				if !used {
					used = true
					return "", nil
				}
				return sep, nil
			}}, nil
		}},
		"cycler": &pyval.Func{N: "cycler", F: func(args []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			if len(args) == 0 {
				return nil, pyval.Errorf("RuntimeError", "at least one item has to be provided")
			}
			c := &cycler{items: args}
			return c, nil
		}},
	}
}

// cycler is Jinja2's cycler object.
type cycler struct {
	items []pyval.Value
	pos   int
}

func (c *cycler) TypeName() string { return "Cycler" }

// Attr implements pyval.Attrer.
func (c *cycler) Attr(name string) (pyval.Value, bool) {
	switch name {
	case "current":
		return c.items[c.pos], true
	case "next":
		return &pyval.Func{N: "next", F: func([]pyval.Value, []pyval.KV) (pyval.Value, error) {
			v := c.items[c.pos]
			c.pos = (c.pos + 1) % len(c.items)
			return v, nil
		}}, true
	case "reset":
		return &pyval.Func{N: "reset", F: func([]pyval.Value, []pyval.KV) (pyval.Value, error) {
			c.pos = 0
			return nil, nil
		}}, true
	}
	return nil, false
}
