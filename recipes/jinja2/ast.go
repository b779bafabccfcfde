package jinja2

import "webrunner/recipes/jinja2/pyval"

// Statements.
type (
	stmt interface{ stmtLine() int }

	textStmt struct {
		line int
		text string
	}
	outputStmt struct {
		line int
		x    expr
	}
	ifStmt struct {
		line   int
		conds  []expr
		bodies [][]stmt
		els    []stmt
	}
	forStmt struct {
		line      int
		target    target
		iter      expr
		cond      expr
		body, els []stmt
		recursive bool
	}
	setStmt struct {
		line   int
		target target
		x      expr
	}
	setBlockStmt struct {
		line    int
		target  target
		filters []*filterExpr
		body    []stmt
	}
	macroStmt struct {
		line int
		m    *macroDef
	}
	callBlockStmt struct {
		line   int
		call   *callExpr
		caller *macroDef
	}
	filterBlockStmt struct {
		line    int
		filters []*filterExpr
		body    []stmt
	}
	withStmt struct {
		line    int
		targets []target
		values  []expr
		body    []stmt
	}
	doStmt struct {
		line int
		x    expr
	}
	includeStmt struct {
		line          int
		tmpl          expr
		ignoreMissing bool
		withContext   bool
	}
	importStmt struct {
		line        int
		tmpl        expr
		alias       string
		withContext bool
	}
	fromImportStmt struct {
		line        int
		tmpl        expr
		names       [][2]string // name, alias
		withContext bool
	}
	loopCtlStmt struct {
		line   int
		isBrk  bool
		inLoop bool
	}
	blockStmt struct {
		line   int
		name   string
		body   []stmt
		scoped bool
	}
	extendsStmt struct {
		line int
		tmpl expr
	}
)

// macroDef is a macro definition (also the body of a call block).
type macroDef struct {
	name       string
	params     []string
	defaults   []expr // same length as params; nil for a required parameter
	body       []stmt
	varargs    bool // the body references varargs
	kwargs     bool // the body references kwargs
	callerUsed bool // the body references caller
}

func (s *textStmt) stmtLine() int        { return s.line }
func (s *outputStmt) stmtLine() int      { return s.line }
func (s *ifStmt) stmtLine() int          { return s.line }
func (s *forStmt) stmtLine() int         { return s.line }
func (s *setStmt) stmtLine() int         { return s.line }
func (s *setBlockStmt) stmtLine() int    { return s.line }
func (s *macroStmt) stmtLine() int       { return s.line }
func (s *callBlockStmt) stmtLine() int   { return s.line }
func (s *filterBlockStmt) stmtLine() int { return s.line }
func (s *withStmt) stmtLine() int        { return s.line }
func (s *doStmt) stmtLine() int          { return s.line }
func (s *includeStmt) stmtLine() int     { return s.line }
func (s *importStmt) stmtLine() int      { return s.line }
func (s *fromImportStmt) stmtLine() int  { return s.line }
func (s *loopCtlStmt) stmtLine() int     { return s.line }
func (s *blockStmt) stmtLine() int       { return s.line }
func (s *extendsStmt) stmtLine() int     { return s.line }

// Assignment targets.
type (
	target interface{ isTarget() }

	nameTarget  struct{ name string }
	tupleTarget struct{ items []target }
	attrTarget  struct {
		obj  string
		attr string
	}
)

func (nameTarget) isTarget()  {}
func (tupleTarget) isTarget() {}
func (attrTarget) isTarget()  {}

// Expressions.
type (
	expr interface{ exprLine() int }

	constExpr struct {
		line int
		v    pyval.Value
	}
	nameExpr struct {
		line int
		name string
	}
	attrExpr struct {
		line int
		obj  expr
		name string
	}
	itemExpr struct {
		line int
		obj  expr
		key  expr
	}
	sliceExpr struct {
		line              int
		obj               expr
		start, stop, step expr
	}
	callExpr struct {
		line    int
		fn      expr
		args    []expr
		kwargs  []kwArg
		star    expr
		dstar   expr
		isMacro bool
	}
	filterExpr struct {
		line   int
		x      expr // nil inside a filter block
		name   string
		args   []expr
		kwargs []kwArg
		star   expr
		dstar  expr
	}
	testExpr struct {
		line   int
		x      expr
		name   string
		args   []expr
		negate bool
	}
	binExpr struct {
		line int
		op   string
		l, r expr
	}
	unaryExpr struct {
		line int
		op   string // "-", "+", "not"
		x    expr
	}
	compareExpr struct {
		line  int
		first expr
		ops   []string
		rest  []expr
	}
	condExpr struct {
		line     int
		test     expr
		yes, no  expr
		hasElse  bool
		position string
	}
	concatExpr struct {
		line  int
		parts []expr
	}
	listExpr struct {
		line  int
		items []expr
	}
	tupleExpr struct {
		line  int
		items []expr
	}
	dictExpr struct {
		line       int
		keys, vals []expr
	}
)

type kwArg struct {
	name string
	x    expr
}

func (e *constExpr) exprLine() int   { return e.line }
func (e *nameExpr) exprLine() int    { return e.line }
func (e *attrExpr) exprLine() int    { return e.line }
func (e *itemExpr) exprLine() int    { return e.line }
func (e *sliceExpr) exprLine() int   { return e.line }
func (e *callExpr) exprLine() int    { return e.line }
func (e *filterExpr) exprLine() int  { return e.line }
func (e *testExpr) exprLine() int    { return e.line }
func (e *binExpr) exprLine() int     { return e.line }
func (e *unaryExpr) exprLine() int   { return e.line }
func (e *compareExpr) exprLine() int { return e.line }
func (e *condExpr) exprLine() int    { return e.line }
func (e *concatExpr) exprLine() int  { return e.line }
func (e *listExpr) exprLine() int    { return e.line }
func (e *tupleExpr) exprLine() int   { return e.line }
func (e *dictExpr) exprLine() int    { return e.line }
