package jinja2

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"webrunner/recipes/jinja2/pyval"
)

// template is a parsed template.
type template struct {
	name   string
	body   []stmt
	blocks map[string]*blockStmt
}

type parser struct {
	blocks      map[string]*blockStmt
	name        string
	toks        []token
	pos         int
	env         *Environment
	loopDepth   int
	macroRefs   []map[string]bool // names referenced inside the macro being parsed
	blockEnders []string
}

func (e *Environment) parse(name, source string) (*template, error) {
	toks, err := tokenize(name, normalize(source))
	if err != nil {
		return nil, err
	}
	p := &parser{name: name, toks: toks, env: e, blocks: map[string]*blockStmt{}}
	body, err := p.subparse(nil)
	if err != nil {
		return nil, err
	}
	return &template{name: name, body: body, blocks: p.blocks}, nil
}

func (p *parser) cur() token  { return p.toks[p.pos] }
func (p *parser) peek() token { return p.toks[min(p.pos+1, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
	return t
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &Error{Type: "TemplateSyntaxError", Message: fmt.Sprintf(format, args...), Template: p.name, Line: line}
}

func (p *parser) isOp(op string) bool {
	t := p.cur()
	return t.kind == tOp && t.val == op
}

func (p *parser) isName(n string) bool {
	t := p.cur()
	return t.kind == tName && t.val == n
}

func (p *parser) skipOp(op string) bool {
	if p.isOp(op) {
		p.next()
		return true
	}
	return false
}

func (p *parser) skipName(n string) bool {
	if p.isName(n) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectOp(op string) error {
	if !p.skipOp(op) {
		return p.errorf(p.cur().line, "expected token '%s', got %s", op, p.cur())
	}
	return nil
}

func (p *parser) expectKind(k tokKind) (token, error) {
	t := p.cur()
	if t.kind != k {
		return t, p.errorf(t.line, "expected token %s, got %s", tokNames[k], t)
	}
	p.next()
	return t, nil
}

func (p *parser) expectName() (string, error) {
	t, err := p.expectKind(tName)
	return t.val, err
}

func (p *parser) expectNameValue(n string) error {
	if !p.skipName(n) {
		return p.errorf(p.cur().line, "expected token '%s', got %s", n, p.cur())
	}
	return nil
}

// subparse parses statements until one of the end tags (left as the
// current token) or the end of the template.
func (p *parser) subparse(ends []string) ([]stmt, error) {
	var body []stmt
	for {
		t := p.cur()
		switch t.kind {
		case tEOF:
			if ends != nil {
				return nil, p.errorf(t.line, "Unexpected end of template. Jinja was looking for the following tags: %s. The innermost block that needs to be closed is '%s'.",
					quoteAll(ends), p.blockEnders[len(p.blockEnders)-1])
			}
			return body, nil
		case tData:
			p.next()
			body = append(body, &textStmt{line: t.line, text: t.val})
		case tVarBegin:
			p.next()
			x, err := p.parseTuple(true, nil)
			if err != nil {
				return nil, err
			}
			if _, err := p.expectKind(tVarEnd); err != nil {
				return nil, err
			}
			body = append(body, &outputStmt{line: t.line, x: x})
		case tBlockBegin:
			p.next()
			nt := p.cur()
			if nt.kind == tName {
				for _, e := range ends {
					if nt.val == e {
						return body, nil
					}
				}
			}
			s, err := p.parseStatement()
			if err != nil {
				return nil, err
			}
			if s != nil {
				body = append(body, s)
			}
		default:
			return nil, p.errorf(t.line, "unexpected %s", t)
		}
	}
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, " or ")
}

// parseBody parses statements up to one of ends, consumes the end tag name
// and returns it.
func (p *parser) parseBody(block string, ends ...string) ([]stmt, string, error) {
	p.blockEnders = append(p.blockEnders, block)
	defer func() { p.blockEnders = p.blockEnders[:len(p.blockEnders)-1] }()
	body, err := p.subparse(ends)
	if err != nil {
		return nil, "", err
	}
	return body, p.next().val, nil
}

func (p *parser) endBlock() error {
	_, err := p.expectKind(tBlockEnd)
	return err
}

func (p *parser) parseStatement() (stmt, error) {
	t := p.cur()
	if t.kind != tName {
		return nil, p.errorf(t.line, "tag name expected")
	}
	p.next()
	line := t.line
	switch t.val {
	case "if":
		return p.parseIf(line)
	case "for":
		return p.parseFor(line)
	case "set":
		return p.parseSet(line)
	case "macro":
		return p.parseMacro(line)
	case "call":
		return p.parseCallBlock(line)
	case "with":
		return p.parseWith(line)
	case "filter":
		filters, err := p.parseFilterChain(nil, line)
		if err != nil {
			return nil, err
		}
		if err := p.endBlock(); err != nil {
			return nil, err
		}
		body, _, err := p.parseBody("filter", "endfilter")
		if err != nil {
			return nil, err
		}
		return &filterBlockStmt{line: line, filters: filters, body: body}, p.endBlock()
	case "include":
		x, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		s := &includeStmt{line: line, tmpl: x, withContext: true}
		if p.isName("ignore") && p.peek().kind == tName && p.peek().val == "missing" {
			p.next()
			p.next()
			s.ignoreMissing = true
		}
		if s.withContext, err = p.parseContextMod(true); err != nil {
			return nil, err
		}
		return s, p.endBlock()
	case "import":
		x, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		if err := p.expectNameValue("as"); err != nil {
			return nil, err
		}
		alias, err := p.expectName()
		if err != nil {
			return nil, err
		}
		s := &importStmt{line: line, tmpl: x, alias: alias}
		if s.withContext, err = p.parseContextMod(false); err != nil {
			return nil, err
		}
		return s, p.endBlock()
	case "from":
		return p.parseFrom(line)
	case "do":
		if !p.env.do {
			break
		}
		x, err := p.parseTuple(true, nil)
		if err != nil {
			return nil, err
		}
		return &doStmt{line: line, x: x}, p.endBlock()
	case "break", "continue":
		if !p.env.loopControls {
			break
		}
		if p.loopDepth == 0 {
			return nil, p.errorf(line, "'%s' is not allowed outside of a loop", t.val)
		}
		return &loopCtlStmt{line: line, isBrk: t.val == "break"}, p.endBlock()
	case "block":
		name, err := p.expectName()
		if err != nil {
			return nil, err
		}
		b := &blockStmt{line: line, name: name}
		b.scoped = p.skipName("scoped")
		p.skipName("required")
		if err := p.endBlock(); err != nil {
			return nil, err
		}
		if _, dup := p.blocks[name]; dup {
			return nil, &Error{Type: "TemplateAssertionError", Message: fmt.Sprintf("block '%s' defined twice", name), Template: p.name, Line: line}
		}
		p.blocks[name] = b
		if b.body, _, err = p.parseBody("block", "endblock"); err != nil {
			return nil, err
		}
		if p.cur().kind == tName {
			if end := p.next(); end.val != name {
				return nil, p.errorf(end.line, "mismatching name for block end: '%s'", end.val)
			}
		}
		return b, p.endBlock()
	case "extends":
		x, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		return &extendsStmt{line: line, tmpl: x}, p.endBlock()
	case "autoescape":
		if _, err := p.parseExpression(true); err != nil {
			return nil, err
		}
		if err := p.endBlock(); err != nil {
			return nil, err
		}
		body, _, err := p.parseBody("autoescape", "endautoescape")
		if err != nil {
			return nil, err
		}
		return &withStmt{line: line, body: body}, p.endBlock()
	}
	if len(p.blockEnders) > 0 {
		return nil, p.errorf(line, "Encountered unknown tag '%s'. Jinja was looking for the following tags: %s. The innermost block that needs to be closed is '%s'.",
			t.val, quoteAll(p.currentEnds()), p.blockEnders[len(p.blockEnders)-1])
	}
	return nil, p.errorf(line, "Encountered unknown tag '%s'.", t.val)
}

func (p *parser) currentEnds() []string {
	b := p.blockEnders[len(p.blockEnders)-1]
	return []string{"end" + b}
}

func (p *parser) parseContextMod(dflt bool) (bool, error) {
	if (p.isName("with") || p.isName("without")) && p.peek().kind == tName && p.peek().val == "context" {
		w := p.next().val == "with"
		p.next()
		return w, nil
	}
	return dflt, nil
}

func (p *parser) parseIf(line int) (stmt, error) {
	s := &ifStmt{line: line}
	for {
		cond, err := p.parseTuple(false, nil)
		if err != nil {
			return nil, err
		}
		if err := p.endBlock(); err != nil {
			return nil, err
		}
		body, end, err := p.parseBody("if", "elif", "else", "endif")
		if err != nil {
			return nil, err
		}
		s.conds = append(s.conds, cond)
		s.bodies = append(s.bodies, body)
		switch end {
		case "elif":
			continue
		case "else":
			if err := p.endBlock(); err != nil {
				return nil, err
			}
			if s.els, _, err = p.parseBody("if", "endif"); err != nil {
				return nil, err
			}
		}
		return s, p.endBlock()
	}
}

func (p *parser) parseFor(line int) (stmt, error) {
	tgt, err := p.parseAssignTarget(false, "in")
	if err != nil {
		return nil, err
	}
	if err := p.expectNameValue("in"); err != nil {
		return nil, err
	}
	iter, err := p.parseTuple(false, []string{"recursive"})
	if err != nil {
		return nil, err
	}
	s := &forStmt{line: line, target: tgt, iter: iter}
	if p.skipName("if") {
		if s.cond, err = p.parseExpression(true); err != nil {
			return nil, err
		}
	}
	s.recursive = p.skipName("recursive")
	if err := p.endBlock(); err != nil {
		return nil, err
	}
	p.loopDepth++
	body, end, err := p.parseBody("for", "endfor", "else")
	p.loopDepth--
	if err != nil {
		return nil, err
	}
	s.body = body
	if end == "else" {
		if err := p.endBlock(); err != nil {
			return nil, err
		}
		saved := p.loopDepth
		p.loopDepth = 0
		s.els, _, err = p.parseBody("for", "endfor")
		p.loopDepth = saved
		if err != nil {
			return nil, err
		}
	}
	return s, p.endBlock()
}

func (p *parser) parseSet(line int) (stmt, error) {
	tgt, err := p.parseAssignTarget(true, "")
	if err != nil {
		return nil, err
	}
	if p.skipOp("=") {
		x, err := p.parseTuple(true, nil)
		if err != nil {
			return nil, err
		}
		return &setStmt{line: line, target: tgt, x: x}, p.endBlock()
	}
	var filters []*filterExpr
	if p.skipOp("|") {
		if filters, err = p.parseFilterChain(nil, line); err != nil {
			return nil, err
		}
	}
	if err := p.endBlock(); err != nil {
		return nil, err
	}
	body, _, err := p.parseBody("set", "endset")
	if err != nil {
		return nil, err
	}
	return &setBlockStmt{line: line, target: tgt, filters: filters, body: body}, p.endBlock()
}

// parseMacroSignature parses "(a, b=default, ...)".
func (p *parser) parseMacroSignature(m *macroDef) error {
	if err := p.expectOp("("); err != nil {
		return err
	}
	for !p.isOp(")") {
		if len(m.params) > 0 {
			if err := p.expectOp(","); err != nil {
				return err
			}
			if p.isOp(")") {
				break
			}
		}
		name, err := p.expectName()
		if err != nil {
			return err
		}
		var dflt expr
		if p.skipOp("=") {
			if dflt, err = p.parseExpression(true); err != nil {
				return err
			}
		} else if len(m.defaults) > 0 && m.defaults[len(m.defaults)-1] != nil {
			return p.errorf(p.cur().line, "non-default argument follows default argument")
		}
		m.params = append(m.params, name)
		m.defaults = append(m.defaults, dflt)
	}
	p.next()
	return nil
}

func (p *parser) parseMacroBody(m *macroDef, block string) error {
	p.macroRefs = append(p.macroRefs, map[string]bool{})
	saved := p.loopDepth
	p.loopDepth = 0
	body, _, err := p.parseBody(block, "end"+block)
	p.loopDepth = saved
	refs := p.macroRefs[len(p.macroRefs)-1]
	p.macroRefs = p.macroRefs[:len(p.macroRefs)-1]
	if err != nil {
		return err
	}
	m.body = body
	m.varargs, m.kwargs, m.callerUsed = refs["varargs"], refs["kwargs"], refs["caller"]
	// An enclosing macro sees the names its nested bodies reference.
	if n := len(p.macroRefs); n > 0 {
		for k := range refs {
			p.macroRefs[n-1][k] = true
		}
	}
	return p.endBlock()
}

func (p *parser) parseMacro(line int) (stmt, error) {
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	m := &macroDef{name: name}
	if err := p.parseMacroSignature(m); err != nil {
		return nil, err
	}
	if err := p.endBlock(); err != nil {
		return nil, err
	}
	if err := p.parseMacroBody(m, "macro"); err != nil {
		return nil, err
	}
	return &macroStmt{line: line, m: m}, nil
}

func (p *parser) parseCallBlock(line int) (stmt, error) {
	m := &macroDef{name: "caller"}
	if p.isOp("(") {
		if err := p.parseMacroSignature(m); err != nil {
			return nil, err
		}
	}
	x, err := p.parseExpression(true)
	if err != nil {
		return nil, err
	}
	call, ok := x.(*callExpr)
	if !ok {
		return nil, p.errorf(line, "expected call")
	}
	if err := p.endBlock(); err != nil {
		return nil, err
	}
	if err := p.parseMacroBody(m, "call"); err != nil {
		return nil, err
	}
	return &callBlockStmt{line: line, call: call, caller: m}, nil
}

func (p *parser) parseWith(line int) (stmt, error) {
	s := &withStmt{line: line}
	for !(p.cur().kind == tBlockEnd) {
		if len(s.targets) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		tgt, err := p.parseAssignTarget(false, "")
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		x, err := p.parseExpression(true)
		if err != nil {
			return nil, err
		}
		s.targets = append(s.targets, tgt)
		s.values = append(s.values, x)
	}
	p.next()
	body, _, err := p.parseBody("with", "endwith")
	if err != nil {
		return nil, err
	}
	s.body = body
	return s, p.endBlock()
}

func (p *parser) parseFrom(line int) (stmt, error) {
	x, err := p.parseExpression(true)
	if err != nil {
		return nil, err
	}
	if err := p.expectNameValue("import"); err != nil {
		return nil, err
	}
	s := &fromImportStmt{line: line, tmpl: x}
	for {
		if len(s.names) > 0 {
			if !p.skipOp(",") {
				break
			}
		}
		if (p.isName("with") || p.isName("without")) && p.peek().kind == tName && p.peek().val == "context" {
			break
		}
		if p.cur().kind != tName {
			break
		}
		name, _ := p.expectName()
		if strings.HasPrefix(name, "_") {
			return nil, p.errorf(line, "names starting with an underline can not be imported")
		}
		alias := name
		if p.skipName("as") {
			if alias, err = p.expectName(); err != nil {
				return nil, err
			}
		}
		s.names = append(s.names, [2]string{name, alias})
	}
	if len(s.names) == 0 {
		return nil, p.errorf(line, "expected name to import")
	}
	if s.withContext, err = p.parseContextMod(false); err != nil {
		return nil, err
	}
	return s, p.endBlock()
}

// parseAssignTarget parses a name, a (nested) tuple of names, or with
// withNamespace a "ns.attr" target.
func (p *parser) parseAssignTarget(withNamespace bool, endName string) (target, error) {
	var items []target
	trailing := false
	for {
		var t target
		if p.isOp("(") {
			p.next()
			inner, err := p.parseAssignTarget(false, "")
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			t = inner
		} else {
			name, err := p.expectName()
			if err != nil {
				return nil, err
			}
			if withNamespace && p.isOp(".") && p.peek().kind == tName {
				p.next()
				attr := p.next().val
				return attrTarget{obj: name, attr: attr}, nil
			}
			if name == "true" || name == "false" || name == "none" || name == "True" || name == "False" || name == "None" {
				return nil, p.errorf(p.cur().line, "can't assign to '%s'", name)
			}
			t = nameTarget{name: name}
		}
		items = append(items, t)
		trailing = false
		if !p.skipOp(",") {
			break
		}
		trailing = true
		if p.isOp(")") || p.isOp("=") || p.cur().kind == tBlockEnd || (endName != "" && p.isName(endName)) {
			break
		}
	}
	if len(items) == 1 && !trailing {
		return items[0], nil
	}
	return tupleTarget{items: items}, nil
}

// Expressions.

func (p *parser) parseTuple(withCond bool, extraEnds []string) (expr, error) {
	line := p.cur().line
	var items []expr
	isTuple := false
	for {
		if len(items) > 0 {
			if !p.skipOp(",") {
				break
			}
			isTuple = true
			if p.isTupleEnd(extraEnds) {
				break
			}
		}
		x, err := p.parseExpression(withCond)
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	if !isTuple && len(items) == 1 {
		return items[0], nil
	}
	return &tupleExpr{line: line, items: items}, nil
}

func (p *parser) isTupleEnd(extra []string) bool {
	t := p.cur()
	if t.kind == tVarEnd || t.kind == tBlockEnd || t.kind == tEOF || (t.kind == tOp && (t.val == ")" || t.val == "]" || t.val == "}" || t.val == "=")) {
		return true
	}
	for _, e := range extra {
		if p.isName(e) {
			return true
		}
	}
	return false
}

func (p *parser) parseExpression(withCond bool) (expr, error) {
	if withCond {
		return p.parseCondExpr()
	}
	return p.parseOr()
}

func (p *parser) parseCondExpr() (expr, error) {
	line := p.cur().line
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	for p.skipName("if") {
		test, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		c := &condExpr{line: line, test: test, yes: x}
		if p.skipName("else") {
			c.hasElse = true
			if c.no, err = p.parseCondExpr(); err != nil {
				return nil, err
			}
		}
		x = c
	}
	return x, nil
}

func (p *parser) parseOr() (expr, error) {
	x, err := p.parseAnd()
	for err == nil && p.isName("or") {
		line := p.next().line
		var r expr
		if r, err = p.parseAnd(); err == nil {
			x = &binExpr{line: line, op: "or", l: x, r: r}
		}
	}
	return x, err
}

func (p *parser) parseAnd() (expr, error) {
	x, err := p.parseNot()
	for err == nil && p.isName("and") {
		line := p.next().line
		var r expr
		if r, err = p.parseNot(); err == nil {
			x = &binExpr{line: line, op: "and", l: x, r: r}
		}
	}
	return x, err
}

func (p *parser) parseNot() (expr, error) {
	if p.isName("not") {
		line := p.next().line
		x, err := p.parseNot()
		return &unaryExpr{line: line, op: "not", x: x}, err
	}
	return p.parseCompare()
}

var compareOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) parseCompare() (expr, error) {
	line := p.cur().line
	x, err := p.parseMath1()
	if err != nil {
		return nil, err
	}
	c := &compareExpr{line: line, first: x}
	for {
		t := p.cur()
		var op string
		switch {
		case t.kind == tOp && compareOps[t.val]:
			op = t.val
			p.next()
		case p.isName("in"):
			op = "in"
			p.next()
		case p.isName("not") && p.peek().kind == tName && p.peek().val == "in":
			op = "notin"
			p.next()
			p.next()
		}
		if op == "" {
			break
		}
		r, err := p.parseMath1()
		if err != nil {
			return nil, err
		}
		c.ops = append(c.ops, op)
		c.rest = append(c.rest, r)
	}
	if len(c.ops) == 0 {
		return x, nil
	}
	return c, nil
}

func (p *parser) parseMath1() (expr, error) {
	x, err := p.parseConcat()
	for err == nil && (p.isOp("+") || p.isOp("-")) {
		t := p.next()
		var r expr
		if r, err = p.parseConcat(); err == nil {
			x = &binExpr{line: t.line, op: t.val, l: x, r: r}
		}
	}
	return x, err
}

func (p *parser) parseConcat() (expr, error) {
	line := p.cur().line
	x, err := p.parseMath2()
	if err != nil || !p.isOp("~") {
		return x, err
	}
	parts := []expr{x}
	for p.skipOp("~") {
		r, err := p.parseMath2()
		if err != nil {
			return nil, err
		}
		parts = append(parts, r)
	}
	return &concatExpr{line: line, parts: parts}, nil
}

func (p *parser) parseMath2() (expr, error) {
	x, err := p.parsePow()
	for err == nil && (p.isOp("*") || p.isOp("/") || p.isOp("//") || p.isOp("%")) {
		t := p.next()
		var r expr
		if r, err = p.parsePow(); err == nil {
			x = &binExpr{line: t.line, op: t.val, l: x, r: r}
		}
	}
	return x, err
}

func (p *parser) parsePow() (expr, error) {
	x, err := p.parseUnary(true)
	for err == nil && p.isOp("**") {
		t := p.next()
		var r expr
		if r, err = p.parseUnary(true); err == nil {
			x = &binExpr{line: t.line, op: "**", l: x, r: r}
		}
	}
	return x, err
}

func (p *parser) parseUnary(withFilter bool) (expr, error) {
	t := p.cur()
	var x expr
	var err error
	if t.kind == tOp && (t.val == "-" || t.val == "+") {
		p.next()
		inner, err := p.parseUnary(false)
		if err != nil {
			return nil, err
		}
		x = &unaryExpr{line: t.line, op: t.val, x: inner}
	} else if x, err = p.parsePrimary(); err != nil {
		return nil, err
	}
	if x, err = p.parsePostfix(x); err != nil {
		return nil, err
	}
	if withFilter {
		return p.parseFilterExpr(x)
	}
	return x, nil
}

func (p *parser) parsePrimary() (expr, error) {
	t := p.cur()
	switch t.kind {
	case tName:
		p.next()
		switch t.val {
		case "true", "True":
			return &constExpr{line: t.line, v: true}, nil
		case "false", "False":
			return &constExpr{line: t.line, v: false}, nil
		case "none", "None":
			return &constExpr{line: t.line, v: nil}, nil
		}
		if n := len(p.macroRefs); n > 0 {
			p.macroRefs[n-1][t.val] = true
		}
		return &nameExpr{line: t.line, name: t.val}, nil
	case tString:
		p.next()
		s := t.val
		for p.cur().kind == tString {
			s += p.next().val
		}
		return &constExpr{line: t.line, v: s}, nil
	case tInt:
		p.next()
		v, err := parseIntLiteral(t.val)
		if err != nil {
			return nil, p.errorf(t.line, "invalid integer %s", t.val)
		}
		return &constExpr{line: t.line, v: v}, nil
	case tFloat:
		p.next()
		f, err := strconv.ParseFloat(t.val, 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return nil, p.errorf(t.line, "invalid float %s", t.val)
		}
		return &constExpr{line: t.line, v: f}, nil
	case tOp:
		switch t.val {
		case "(":
			p.next()
			if p.skipOp(")") {
				return &tupleExpr{line: t.line}, nil
			}
			x, err := p.parseTuple(true, nil)
			if err != nil {
				return nil, err
			}
			return x, p.expectOp(")")
		case "[":
			p.next()
			l := &listExpr{line: t.line}
			for !p.isOp("]") {
				if len(l.items) > 0 {
					if err := p.expectOp(","); err != nil {
						return nil, err
					}
					if p.isOp("]") {
						break
					}
				}
				x, err := p.parseExpression(true)
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, x)
			}
			p.next()
			return l, nil
		case "{":
			p.next()
			d := &dictExpr{line: t.line}
			for !p.isOp("}") {
				if len(d.keys) > 0 {
					if err := p.expectOp(","); err != nil {
						return nil, err
					}
					if p.isOp("}") {
						break
					}
				}
				k, err := p.parseExpression(true)
				if err != nil {
					return nil, err
				}
				if err := p.expectOp(":"); err != nil {
					return nil, err
				}
				v, err := p.parseExpression(true)
				if err != nil {
					return nil, err
				}
				d.keys = append(d.keys, k)
				d.vals = append(d.vals, v)
			}
			p.next()
			return d, nil
		}
	}
	return nil, p.errorf(t.line, "unexpected %s", t)
}

func parseIntLiteral(s string) (pyval.Value, error) {
	base := 10
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			base, s = 16, s[2:]
		case 'o', 'O':
			base, s = 8, s[2:]
		case 'b', 'B':
			base, s = 2, s[2:]
		}
	}
	z, ok := new(big.Int).SetString(s, base)
	if !ok {
		return nil, fmt.Errorf("bad integer")
	}
	if z.IsInt64() {
		return int(z.Int64()), nil
	}
	return z, nil
}

func (p *parser) parsePostfix(x expr) (expr, error) {
	for {
		t := p.cur()
		if t.kind != tOp {
			return x, nil
		}
		var err error
		switch t.val {
		case ".", "[":
			x, err = p.parseSubscript(x)
		case "(":
			x, err = p.parseCall(x)
		default:
			return x, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseFilterExpr(x expr) (expr, error) {
	for {
		t := p.cur()
		var err error
		switch {
		case t.kind == tOp && t.val == "|":
			var fs []*filterExpr
			fs, err = p.parseFilterChain(x, t.line)
			if err == nil {
				x = fs[len(fs)-1]
			}
		case t.kind == tName && t.val == "is":
			x, err = p.parseTest(x)
		case t.kind == tOp && t.val == "(":
			x, err = p.parseCall(x)
		default:
			return x, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseSubscript(x expr) (expr, error) {
	t := p.next()
	if t.val == "." {
		a := p.cur()
		switch a.kind {
		case tName:
			p.next()
			return &attrExpr{line: t.line, obj: x, name: a.val}, nil
		case tInt:
			p.next()
			v, _ := parseIntLiteral(a.val)
			return &itemExpr{line: t.line, obj: x, key: &constExpr{line: a.line, v: v}}, nil
		}
		return nil, p.errorf(a.line, "expected name or number")
	}
	// '[' subscript or slice.
	var parts []expr
	for !p.isOp("]") {
		if len(parts) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		x2, err := p.parseSubscribed()
		if err != nil {
			return nil, err
		}
		parts = append(parts, x2)
	}
	p.next()
	switch len(parts) {
	case 0:
		return nil, p.errorf(t.line, "expected subscript expression")
	case 1:
		if s, ok := parts[0].(*sliceExpr); ok {
			s.obj = x
			return s, nil
		}
		return &itemExpr{line: t.line, obj: x, key: parts[0]}, nil
	}
	return &itemExpr{line: t.line, obj: x, key: &tupleExpr{line: t.line, items: parts}}, nil
}

func (p *parser) parseSubscribed() (expr, error) {
	line := p.cur().line
	var first expr
	var err error
	if !p.isOp(":") {
		if first, err = p.parseExpression(true); err != nil {
			return nil, err
		}
		if !p.isOp(":") {
			return first, nil
		}
	}
	p.next()
	s := &sliceExpr{line: line, start: first}
	if !p.isOp("]") && !p.isOp(",") && !p.isOp(":") {
		if s.stop, err = p.parseExpression(true); err != nil {
			return nil, err
		}
	}
	if p.skipOp(":") {
		if !p.isOp("]") && !p.isOp(",") {
			if s.step, err = p.parseExpression(true); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// parseArgs parses a call argument list starting at '('.
func (p *parser) parseArgs() (args []expr, kwargs []kwArg, star, dstar expr, err error) {
	if err = p.expectOp("("); err != nil {
		return
	}
	first := true
	for !p.isOp(")") {
		if !first {
			if err = p.expectOp(","); err != nil {
				return
			}
			if p.isOp(")") {
				break
			}
		}
		first = false
		switch {
		case p.isOp("*"):
			p.next()
			star, err = p.parseExpression(true)
		case p.isOp("**"):
			p.next()
			dstar, err = p.parseExpression(true)
		case p.cur().kind == tName && p.peek().kind == tOp && p.peek().val == "=":
			name := p.next().val
			p.next()
			for _, k := range kwargs {
				if k.name == name {
					err = &Error{Type: "SyntaxError", Message: "keyword argument repeated: " + name, Template: p.name, Line: p.cur().line}
					return
				}
			}
			var x expr
			x, err = p.parseExpression(true)
			kwargs = append(kwargs, kwArg{name: name, x: x})
		default:
			if dstar != nil || star != nil || len(kwargs) > 0 {
				err = p.errorf(p.cur().line, "invalid syntax for function call expression")
				return
			}
			var x expr
			x, err = p.parseExpression(true)
			args = append(args, x)
		}
		if err != nil {
			return
		}
	}
	p.next()
	return
}

func (p *parser) parseCall(x expr) (expr, error) {
	line := p.cur().line
	args, kwargs, star, dstar, err := p.parseArgs()
	if err != nil {
		return nil, err
	}
	return &callExpr{line: line, fn: x, args: args, kwargs: kwargs, star: star, dstar: dstar}, nil
}

// parseFilterChain parses "| name(args) | name2 ..." (for a filter block,
// the leading '|' is absent).
func (p *parser) parseFilterChain(x expr, line int) ([]*filterExpr, error) {
	var out []*filterExpr
	first := x == nil
	for first || p.isOp("|") {
		if !first {
			p.next()
		}
		first = false
		name, err := p.expectName()
		if err != nil {
			return nil, err
		}
		for p.isOp(".") && p.peek().kind == tName {
			p.next()
			name += "." + p.next().val
		}
		f := &filterExpr{line: line, x: x, name: name}
		if p.isOp("(") {
			if f.args, f.kwargs, f.star, f.dstar, err = p.parseArgs(); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
		x = f
	}
	return out, nil
}

func (p *parser) parseTest(x expr) (expr, error) {
	t := p.next() // 'is'
	neg := p.skipName("not")
	name, err := p.expectName()
	if err != nil {
		return nil, err
	}
	for p.isOp(".") && p.peek().kind == tName {
		p.next()
		name += "." + p.next().val
	}
	te := &testExpr{line: t.line, x: x, name: name, negate: neg}
	c := p.cur()
	switch {
	case c.kind == tOp && c.val == "(":
		args, kwargs, _, _, err := p.parseArgs()
		if err != nil {
			return nil, err
		}
		te.args = args
		for _, kw := range kwargs {
			te.args = append(te.args, kw.x)
		}
	case (c.kind == tName || c.kind == tString || c.kind == tInt || c.kind == tFloat || c.kind == tOp && (c.val == "[" || c.val == "{")) &&
		!(c.kind == tName && (c.val == "else" || c.val == "or" || c.val == "and")):
		if c.kind == tName && c.val == "is" {
			return nil, p.errorf(c.line, "You cannot chain multiple tests with is")
		}
		arg, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		if arg, err = p.parsePostfix(arg); err != nil {
			return nil, err
		}
		te.args = []expr{arg}
	}
	return te, nil
}
