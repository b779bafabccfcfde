package jinja2

import (
	"errors"
	"fmt"
	"strings"

	"webrunner/recipes/jinja2/pyval"
)

// scope is one level of variables: a template's top level, a loop
// iteration, a macro call, a with block. The root scope reads the render
// context; its parent holds the environment globals.
type scope struct {
	vars   map[string]pyval.Value
	dict   *pyval.Dict // read-only variables (the render context)
	parent *scope
}

func newScope(parent *scope) *scope {
	return &scope{vars: make(map[string]pyval.Value, 4), parent: parent}
}

func (s *scope) lookup(name string) (pyval.Value, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
		if c.dict != nil {
			if v, ok := c.dict.GetStr(name); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// renderer holds the state of one Render call.
type renderer struct {
	env     *Environment
	globals *scope
	cache   map[string]*template
	depth   int
}

// exec evaluates the statements of one template.
type exec struct {
	r    *renderer
	tmpl *template
	unit *unit
}

// unit is one render context (a template render, an include, an import):
// its block overrides and, once {% extends %} ran, its parent template.
type unit struct {
	blocks    map[string][]blockImpl
	top       *scope
	parent    *template
	hasParent bool
}

// blockImpl is one definition of a block and the template it belongs to.
type blockImpl struct {
	stmt *blockStmt
	x    *exec
}

// renderUnit renders t as a new render context with top-level scope top,
// following {% extends %} to the parent templates.
func (r *renderer) renderUnit(t *template, top *scope, w *strings.Builder) error {
	u := &unit{blocks: map[string][]blockImpl{}, top: top}
	x := &exec{r: r, tmpl: t, unit: u}
	u.addBlocks(x)
	for {
		if err := x.topBody(top, x.tmpl.body, w); err != nil {
			return err
		}
		if !u.hasParent {
			return nil
		}
		if r.depth > maxDepth {
			return pyval.Errorf("RecursionError", "maximum recursion depth exceeded in extends")
		}
		r.depth++
		defer func() { r.depth-- }()
		x = &exec{r: r, tmpl: u.parent, unit: u}
		u.parent, u.hasParent = nil, false
		u.addBlocks(x)
	}
}

// addBlocks appends the blocks of x's template to the block chains (the
// most derived definition comes first).
func (u *unit) addBlocks(x *exec) {
	for name, b := range x.tmpl.blocks {
		u.blocks[name] = append(u.blocks[name], blockImpl{stmt: b, x: x})
	}
}

// topBody runs a template's top level: once {% extends %} ran, output is
// discarded and the parent renders instead.
func (x *exec) topBody(sc *scope, body []stmt, w *strings.Builder) error {
	var discard strings.Builder
	for _, s := range body {
		out := w
		if x.unit.hasParent {
			discard.Reset()
			out = &discard
		}
		if err := x.stmt(sc, s, out); err != nil {
			return x.wrap(s.stmtLine(), err)
		}
	}
	return nil
}

// renderBlock renders definition i of the named block.
func (x *exec) renderBlock(sc *scope, name string, i int, w *strings.Builder) error {
	chain := x.unit.blocks[name]
	if i >= len(chain) {
		return pyval.Errorf("TemplateRuntimeError", "no parent block for %s", pyval.QuoteString(name))
	}
	impl := chain[i]
	parent := x.unit.top
	if impl.stmt.scoped {
		parent = sc
	}
	inner := newScope(parent)
	inner.vars["super"] = &pyval.Func{N: "super", F: func([]pyval.Value, []pyval.KV) (pyval.Value, error) {
		var b strings.Builder
		if err := impl.x.renderBlock(sc, name, i+1, &b); err != nil {
			return nil, err
		}
		return b.String(), nil
	}}
	return impl.x.body(inner, impl.stmt.body, w)
}

// selfRef is the "self" variable: its attributes render blocks.
type selfRef struct{ x *exec }

func (s selfRef) TypeName() string { return "TemplateReference" }

// Attr implements pyval.Attrer.
func (s selfRef) Attr(name string) (pyval.Value, bool) {
	if _, ok := s.x.unit.blocks[name]; !ok {
		return nil, false
	}
	return &pyval.Func{N: name, F: func([]pyval.Value, []pyval.KV) (pyval.Value, error) {
		var b strings.Builder
		if err := s.x.renderBlock(s.x.unit.top, name, 0, &b); err != nil {
			return nil, err
		}
		return b.String(), nil
	}}, true
}

var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

const maxDepth = 200

func (e *Environment) execute(t *template, ctx *Context) (string, error) {
	r := &renderer{env: e, cache: map[string]*template{}}
	r.globals = &scope{vars: envGlobals(), parent: nil}
	if ctx == nil {
		ctx = NewContext()
	}
	root := &scope{dict: ctx.vars, parent: r.globals}
	if ctx.vars == nil {
		root.dict = pyval.NewDict()
	}
	var w strings.Builder
	if err := r.renderUnit(t, newScope(root), &w); err != nil {
		return "", err
	}
	return w.String(), nil
}

// wrap turns a Python exception into an *Error naming the template and line.
func (x *exec) wrap(line int, err error) error {
	if err == nil || err == errBreak || err == errContinue {
		return err
	}
	var te *Error
	if errors.As(err, &te) {
		return err
	}
	var pe *pyval.Exception
	if errors.As(err, &pe) {
		return &Error{Type: pe.Type, Message: pe.Msg, Template: x.tmpl.name, Line: line}
	}
	var na *pyval.ErrNoAttr
	if errors.As(err, &na) {
		return &Error{Type: "AttributeError", Message: strings.TrimPrefix(na.Error(), "AttributeError: "), Template: x.tmpl.name, Line: line}
	}
	return &Error{Type: "TemplateError", Message: err.Error(), Template: x.tmpl.name, Line: line}
}

func (x *exec) body(sc *scope, body []stmt, w *strings.Builder) error {
	for _, s := range body {
		if err := x.stmt(sc, s, w); err != nil {
			return x.wrap(s.stmtLine(), err)
		}
	}
	return nil
}

// filteredBody renders body in a scope of its own and passes the text
// through filters: {% set x | f %}…{% endset %} and {% filter f %}.
func (x *exec) filteredBody(sc *scope, body []stmt, filters []*filterExpr) (pyval.Value, error) {
	var b strings.Builder
	if err := x.body(newScope(sc), body, &b); err != nil {
		return nil, err
	}
	var v pyval.Value = b.String()
	for _, f := range filters {
		var err error
		if v, err = x.filter(sc, f, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (x *exec) stmt(sc *scope, s stmt, w *strings.Builder) error {
	switch s := s.(type) {
	case *textStmt:
		w.WriteString(s.text)
	case *outputStmt:
		v, err := x.eval(sc, s.x)
		if err != nil {
			return err
		}
		if str, ok := v.(string); ok {
			w.WriteString(str)
			return nil
		}
		str, err := pyval.Str(v)
		if err != nil {
			return err
		}
		w.WriteString(str)
	case *ifStmt:
		for i, c := range s.conds {
			v, err := x.eval(sc, c)
			if err != nil {
				return err
			}
			t, err := pyval.Truth(v)
			if err != nil {
				return err
			}
			if t {
				return x.body(sc, s.bodies[i], w)
			}
		}
		return x.body(sc, s.els, w)
	case *forStmt:
		iter, err := x.eval(sc, s.iter)
		if err != nil {
			return err
		}
		return x.forLoop(sc, s, iter, 0, w)
	case *setStmt:
		v, err := x.eval(sc, s.x)
		if err != nil {
			return err
		}
		return x.assign(sc, s.target, v)
	case *setBlockStmt:
		v, err := x.filteredBody(sc, s.body, s.filters)
		if err != nil {
			return err
		}
		return x.assign(sc, s.target, v)
	case *macroStmt:
		sc.vars[s.m.name] = &macro{def: s.m, closure: sc, x: x}
	case *callBlockStmt:
		caller := &macro{def: s.caller, closure: sc, x: x}
		v, err := x.call(sc, s.call, caller)
		if err != nil {
			return err
		}
		str, err := pyval.Str(v)
		if err != nil {
			return err
		}
		w.WriteString(str)
	case *filterBlockStmt:
		v, err := x.filteredBody(sc, s.body, s.filters)
		if err != nil {
			return err
		}
		str, err := pyval.Str(v)
		if err != nil {
			return err
		}
		w.WriteString(str)
	case *withStmt:
		vals := make([]pyval.Value, len(s.values))
		for i, e := range s.values {
			v, err := x.eval(sc, e)
			if err != nil {
				return err
			}
			vals[i] = v
		}
		inner := newScope(sc)
		for i, t := range s.targets {
			if err := x.assign(inner, t, vals[i]); err != nil {
				return err
			}
		}
		return x.body(inner, s.body, w)
	case *doStmt:
		_, err := x.eval(sc, s.x)
		return err
	case *loopCtlStmt:
		if s.isBrk {
			return errBreak
		}
		return errContinue
	case *blockStmt:
		if x.unit.hasParent {
			return nil // the parent template renders the blocks
		}
		return x.renderBlock(sc, s.name, 0, w)
	case *extendsStmt:
		if x.unit.hasParent {
			return pyval.Errorf("TemplateRuntimeError", "extended multiple times")
		}
		name, err := x.eval(sc, s.tmpl)
		if err != nil {
			return err
		}
		t, err := x.load(name)
		if err != nil {
			return err
		}
		x.unit.parent, x.unit.hasParent = t, true
	case *includeStmt:
		return x.include(sc, s, w)
	case *importStmt:
		m, err := x.importModule(sc, s.tmpl, s.withContext)
		if err != nil {
			return err
		}
		sc.vars[s.alias] = m
	case *fromImportStmt:
		m, err := x.importModule(sc, s.tmpl, s.withContext)
		if err != nil {
			return err
		}
		for _, n := range s.names {
			v, ok := m.vars[n[0]]
			if !ok || strings.HasPrefix(n[0], "_") {
				v = &pyval.Undefined{Strict: true, Hint: fmt.Sprintf("the template %s (imported on line %d) does not export the requested name %s",
					pyval.QuoteString(m.name), s.line, pyval.QuoteString(n[0]))}
			}
			sc.vars[n[1]] = v
		}
	default:
		return fmt.Errorf("jinja2: unknown statement %T", s)
	}
	return nil
}

// assign binds a target in sc.
func (x *exec) assign(sc *scope, t target, v pyval.Value) error {
	switch t := t.(type) {
	case nameTarget:
		sc.vars[t.name] = v
	case tupleTarget:
		if err := strictErr(v); err != nil {
			return err
		}
		items, err := pyval.Iterate(v)
		if err != nil {
			return pyval.Errorf("TypeError", "cannot unpack non-iterable %s object", pyval.TypeName(v))
		}
		if len(items) != len(t.items) {
			if len(items) > len(t.items) {
				return pyval.Errorf("ValueError", "too many values to unpack (expected %d)", len(t.items))
			}
			return pyval.Errorf("ValueError", "not enough values to unpack (expected %d, got %d)", len(t.items), len(items))
		}
		for i, it := range t.items {
			if err := x.assign(sc, it, items[i]); err != nil {
				return err
			}
		}
	case attrTarget:
		obj, ok := sc.lookup(t.obj)
		ns, isNS := obj.(*namespace)
		if !ok || !isNS {
			return pyval.Errorf("TemplateRuntimeError", "cannot assign attribute on non-namespace object")
		}
		ns.d.SetStr(t.attr, v)
	}
	return nil
}

// loopState is the "loop" variable of a for loop, modelled on Jinja2's
// LoopContext: it reads the iterable one item at a time (a list by index,
// so that items the body appends are iterated too), peeking one item ahead
// for loop.last and loop.nextitem, and computes loop.length once.
type loopState struct {
	items   []pyval.Value
	list    *pyval.List // when set, the loop follows the list as it changes
	pos     int         // next index to read
	after   pyval.Value // the peeked item
	peeked  bool        // after holds the next item (or the end)
	atEnd   bool        // the peek found the end
	before  pyval.Value // the previous item
	index0  int
	length  int // -1 until computed
	depth   int
	recurse func(pyval.Value) (pyval.Value, error)
	changed []pyval.Value
	hasLast bool
}

func (l *loopState) TypeName() string { return "LoopContext" }

// seq returns the items iterated: the live list items for a list.
func (l *loopState) seq() []pyval.Value {
	if l.list != nil {
		return l.list.Items
	}
	return l.items
}

// read returns the next item of the underlying iterator.
func (l *loopState) read() (pyval.Value, bool) {
	seq := l.seq()
	if l.pos >= len(seq) {
		l.pos = len(seq) + 1 // an exhausted list iterator stays exhausted
		return nil, false
	}
	v := seq[l.pos]
	l.pos++
	return v, true
}

// next returns the next item of the loop.
func (l *loopState) next() (pyval.Value, bool) {
	if l.peeked {
		l.peeked = false
		return l.after, !l.atEnd
	}
	return l.read()
}

// peek returns the item after the current one without consuming it.
func (l *loopState) peek() (pyval.Value, bool) {
	if !l.peeked {
		v, ok := l.read()
		l.after, l.atEnd, l.peeked = v, !ok, true
	}
	return l.after, !l.atEnd
}

// len returns loop.length, computed once as len(iterable).
func (l *loopState) len() int {
	if l.length < 0 {
		l.length = len(l.seq())
	}
	return l.length
}

// PyRepr prints the loop as Jinja2 does.
func (l *loopState) PyRepr() (string, error) {
	return fmt.Sprintf("<LoopContext %d/%d>", l.index0+1, l.len()), nil
}

// Attr implements pyval.Attrer.
func (l *loopState) Attr(name string) (pyval.Value, bool) {
	switch name {
	case "index":
		return l.index0 + 1, true
	case "index0":
		return l.index0, true
	case "revindex":
		return l.len() - l.index0, true
	case "revindex0":
		return l.len() - l.index0 - 1, true
	case "first":
		return l.index0 == 0, true
	case "last":
		_, ok := l.peek()
		return !ok, true
	case "length":
		return l.len(), true
	case "depth":
		return l.depth + 1, true
	case "depth0":
		return l.depth, true
	case "previtem":
		if l.index0 == 0 {
			return &pyval.Undefined{Strict: true, Hint: "there is no previous item"}, true
		}
		return l.before, true
	case "nextitem":
		v, ok := l.peek()
		if !ok {
			return &pyval.Undefined{Strict: true, Hint: "there is no next item"}, true
		}
		return v, true
	case "cycle":
		return &pyval.Func{N: "cycle", F: func(args []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			if len(args) == 0 {
				return nil, pyval.Errorf("TypeError", "no items for cycling given")
			}
			return args[l.index0%len(args)], nil
		}}, true
	case "changed":
		return &pyval.Func{N: "changed", F: func(args []pyval.Value, _ []pyval.KV) (pyval.Value, error) {
			if l.hasLast && equalSeq(l.changed, args) {
				return false, nil
			}
			l.changed, l.hasLast = args, true
			return true, nil
		}}, true
	}
	return nil, false
}

func equalSeq(a, b []pyval.Value) bool {
	return pyval.Equal(pyval.Tuple(a), pyval.Tuple(b))
}

// Call implements the recursive loop(...) call.
func (l *loopState) Call(args []pyval.Value, kwargs []pyval.KV) (pyval.Value, error) {
	if l.recurse == nil {
		return nil, pyval.Errorf("TypeError", "The loop must have the 'recursive' marker to be called recursively.")
	}
	if len(args) != 1 || len(kwargs) > 0 {
		return nil, pyval.Errorf("TypeError", "loop() takes exactly one argument")
	}
	return l.recurse(args[0])
}

// Name implements pyval.Callable.
func (l *loopState) Name() string { return "loop" }

func (x *exec) forLoop(sc *scope, s *forStmt, iter pyval.Value, depth int, w *strings.Builder) error {
	items, err := pyval.Iterate(iter)
	if err != nil {
		return err
	}
	if s.cond != nil {
		var kept []pyval.Value
		for _, it := range items {
			inner := newScope(sc)
			if err := x.assign(inner, s.target, it); err != nil {
				return err
			}
			v, err := x.eval(inner, s.cond)
			if err != nil {
				return err
			}
			t, err := pyval.Truth(v)
			if err != nil {
				return err
			}
			if t {
				kept = append(kept, it)
			}
		}
		items = kept
	} else {
		items = append([]pyval.Value(nil), items...) // a snapshot for dicts, sets, strings...
	}
	loop := &loopState{items: items, depth: depth, length: -1, index0: -1}
	if l, ok := iter.(*pyval.List); ok && s.cond == nil {
		loop.list = l
	}
	if s.recursive {
		loop.recurse = func(v pyval.Value) (pyval.Value, error) {
			var b strings.Builder
			if err := x.forLoop(sc, s, v, depth+1, &b); err != nil {
				return nil, err
			}
			return b.String(), nil
		}
	}
	// Iterating a dict (or a view of it) or a set that the body resizes is
	// a RuntimeError in Python.
	sizeOf, what := func() int { return 0 }, ""
	switch c := iter.(type) {
	case *pyval.Dict:
		sizeOf, what = c.Len, "dictionary"
	case *pyval.View:
		sizeOf, what = c.Dict.Len, "dictionary"
	case *pyval.Set:
		sizeOf, what = c.Len, "Set"
	}
	size := sizeOf()
	// As in Jinja2, the else block runs unless some iteration ran its body
	// to the end (without break or continue).
	completed := false
	var current pyval.Value
	for {
		it, ok := loop.next()
		if !ok {
			break
		}
		loop.index0++
		if loop.index0 > 0 {
			loop.before = current
		}
		current = it
		inner := newScope(sc)
		if err := x.assign(inner, s.target, it); err != nil {
			return err
		}
		inner.vars["loop"] = loop
		err := x.body(inner, s.body, w)
		if err == errBreak {
			break
		}
		if what != "" && sizeOf() != size {
			return pyval.Errorf("RuntimeError", "%s changed size during iteration", what)
		}
		if err == nil {
			completed = true
		} else if err != errContinue {
			return err
		}
	}
	if !completed {
		return x.body(sc, s.els, w)
	}
	return nil
}

// macro is a macro (or call block caller) value.
type macro struct {
	def     *macroDef
	closure *scope
	x       *exec
}

// Name implements pyval.Callable.
func (m *macro) Name() string { return m.def.name }

func (m *macro) TypeName() string { return "Macro" }

// PyRepr prints a macro as Jinja2 does.
func (m *macro) PyRepr() (string, error) {
	return fmt.Sprintf("<Macro %s>", pyval.QuoteString(m.def.name)), nil
}

// Call implements pyval.Callable: it renders the macro body.
func (m *macro) Call(args []pyval.Value, kwargs []pyval.KV) (pyval.Value, error) {
	return m.call(args, kwargs, nil)
}

func (m *macro) call(args []pyval.Value, kwargs []pyval.KV, caller pyval.Value) (pyval.Value, error) {
	d := m.def
	r := m.x.r
	if r.depth > maxDepth {
		return nil, pyval.Errorf("RecursionError", "maximum recursion depth exceeded in macro %s", pyval.QuoteString(d.name))
	}
	r.depth++
	defer func() { r.depth-- }()
	sc := newScope(m.closure)
	n := min(len(args), len(d.params))
	for i := range n {
		sc.vars[d.params[i]] = args[i]
	}
	var extra pyval.Tuple
	if len(args) > len(d.params) {
		if !d.varargs {
			return nil, pyval.Errorf("TypeError", "macro %s takes not more than %d argument(s)", pyval.QuoteString(d.name), len(d.params))
		}
		extra = pyval.Tuple(append([]pyval.Value(nil), args[len(d.params):]...))
	}
	kw := pyval.NewDict()
	for _, p := range kwargs {
		idx := -1
		for i, name := range d.params {
			if name == p.Key {
				idx = i
			}
		}
		switch {
		case idx >= 0:
			if idx < len(args) {
				return nil, pyval.Errorf("TypeError", "macro %s got multiple values for argument %s", pyval.QuoteString(d.name), pyval.QuoteString(p.Key))
			}
			sc.vars[p.Key] = p.Value
		case p.Key == "caller" && d.callerUsed:
			caller = p.Value
		case d.kwargs:
			kw.SetStr(p.Key, p.Value)
		default:
			return nil, pyval.Errorf("TypeError", "macro %s takes no keyword argument %s", pyval.QuoteString(d.name), pyval.QuoteString(p.Key))
		}
	}
	// Parameters are locals of the macro: a default naming a parameter not
	// bound yet (itself included) sees an undefined value, not an outer one.
	var unbound []int
	for i, name := range d.params {
		if _, ok := sc.vars[name]; !ok {
			unbound = append(unbound, i)
			sc.vars[name] = &pyval.Undefined{Strict: true, Hint: fmt.Sprintf("'%s' is undefined", name)}
		}
	}
	for _, i := range unbound {
		name := d.params[i]
		if d.defaults[i] == nil {
			sc.vars[name] = &pyval.Undefined{Strict: true, Hint: fmt.Sprintf("parameter %s was not provided", pyval.QuoteString(name))}
			continue
		}
		v, err := m.x.eval(sc, d.defaults[i])
		if err != nil {
			return nil, m.x.wrap(d.defaults[i].exprLine(), err)
		}
		sc.vars[name] = v
	}
	if d.varargs {
		if extra == nil {
			extra = pyval.Tuple{}
		}
		sc.vars["varargs"] = extra
	}
	if d.kwargs {
		sc.vars["kwargs"] = kw
	}
	if d.callerUsed {
		if caller == nil {
			caller = &pyval.Undefined{Strict: true, Hint: "No caller defined"}
		}
		sc.vars["caller"] = caller
	}
	var b strings.Builder
	if err := m.x.body(sc, d.body, &b); err != nil {
		return nil, err
	}
	return b.String(), nil
}

// templateModule is the value of {% import %}: the exported top-level
// variables and macros of a template.
type templateModule struct {
	name string
	vars map[string]pyval.Value
	body string
}

func (t *templateModule) TypeName() string { return "TemplateModule" }

// Attr implements pyval.Attrer.
func (t *templateModule) Attr(name string) (pyval.Value, bool) {
	if strings.HasPrefix(name, "_") {
		return nil, false
	}
	v, ok := t.vars[name]
	return v, ok
}

// PyStr returns the rendered body, as str(module) does.
func (t *templateModule) PyStr() (string, error) { return t.body, nil }

// PyRepr prints the module as Jinja2 does.
func (t *templateModule) PyRepr() (string, error) {
	return fmt.Sprintf("<TemplateModule %s>", pyval.QuoteString(t.name)), nil
}

// load returns the parsed template named name.
func (x *exec) load(name pyval.Value) (*template, error) {
	n, ok := name.(string)
	if !ok {
		if u, isU := name.(*pyval.Undefined); isU && u.Strict {
			return nil, u.Err()
		}
		return nil, pyval.Errorf("TypeError", "template name must be a string, not %s", pyval.TypeName(name))
	}
	if t, ok := x.r.cache[n]; ok {
		return t, nil
	}
	if x.r.env.loader == nil {
		return nil, pyval.Errorf("TemplateNotFound", "%s", n)
	}
	src, _, err := x.r.env.loader.Load(n)
	if err != nil {
		if errors.Is(err, ErrTemplateNotFound) {
			return nil, pyval.Errorf("TemplateNotFound", "%s", n)
		}
		return nil, err
	}
	t, err := x.r.env.parse(n, src)
	if err != nil {
		return nil, err
	}
	x.r.cache[n] = t
	return t, nil
}

func (x *exec) include(sc *scope, s *includeStmt, w *strings.Builder) error {
	name, err := x.eval(sc, s.tmpl)
	if err != nil {
		return err
	}
	names := []pyval.Value{name}
	if _, ok := name.(string); !ok {
		if items, err := pyval.Iterate(name); err == nil {
			names = items
		}
	}
	var t *template
	for _, n := range names {
		t, err = x.load(n)
		if err == nil {
			break
		}
		var pe *pyval.Exception
		if !(errors.As(err, &pe) && pe.Type == "TemplateNotFound") {
			return err
		}
	}
	if err != nil {
		if s.ignoreMissing {
			return nil
		}
		return err
	}
	if x.r.depth > maxDepth {
		return pyval.Errorf("RecursionError", "maximum recursion depth exceeded in include")
	}
	x.r.depth++
	defer func() { x.r.depth-- }()
	top := newScope(x.r.globals)
	if s.withContext {
		top = newScope(sc)
		// An included template sees the loop variables but not "loop".
		top.vars["loop"] = &pyval.Undefined{Strict: true, Hint: "'loop' is undefined"}
	}
	return x.r.renderUnit(t, top, w)
}

func (x *exec) importModule(sc *scope, nameExpr expr, withContext bool) (*templateModule, error) {
	name, err := x.eval(sc, nameExpr)
	if err != nil {
		return nil, err
	}
	t, err := x.load(name)
	if err != nil {
		return nil, err
	}
	if x.r.depth > maxDepth {
		return nil, pyval.Errorf("RecursionError", "maximum recursion depth exceeded in import")
	}
	x.r.depth++
	defer func() { x.r.depth-- }()
	parent := x.r.globals
	if withContext {
		parent = sc
	}
	top := newScope(parent)
	var b strings.Builder
	if err := x.r.renderUnit(t, top, &b); err != nil {
		return nil, err
	}
	return &templateModule{name: t.name, vars: top.vars, body: b.String()}, nil
}

// Attr implements pyval.Attrer with the attributes of Jinja2's Macro.
func (m *macro) Attr(name string) (pyval.Value, bool) {
	switch name {
	case "name":
		return m.def.name, true
	case "arguments":
		t := make(pyval.Tuple, len(m.def.params))
		for i, p := range m.def.params {
			t[i] = p
		}
		return t, true
	case "catch_kwargs":
		return m.def.kwargs, true
	case "catch_varargs":
		return m.def.varargs, true
	case "caller":
		return m.def.callerUsed, true
	}
	return nil, false
}
