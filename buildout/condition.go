package buildout

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// An Environment is what conditional section expressions ([name:expr])
// are evaluated against: the variables of PEP 508 markers and the
// globals zc.buildout gives to Python expressions.
type Environment struct {
	// Python version and platform, as CPython reports them.
	PythonVersion  [3]int // e.g. 3.11.2
	Implementation string // "CPython"
	Platform       string // sys.platform: "linux"
	Machine        string // platform.machine(): "x86_64"
	System         string // platform.system(): "Linux"
	Release        string // platform.release(): kernel release
	OSRelease      map[string]string
	Bits           int  // 64
	LittleEndian   bool // true
	// FS answers os.path / os.access / open questions; nil means the real
	// file system.
	FS func(path string) (isDir bool, exists bool, content string)
}

var (
	defaultEnvOnce sync.Once
	defaultEnv     *Environment
)

// DefaultEnvironment returns the environment the corpus reference assumes:
// CPython 3.11 on Linux x86_64, 64-bit little endian, Debian 12.
func DefaultEnvironment() *Environment {
	defaultEnvOnce.Do(func() {
		release := "6.1.0"
		var u syscall.Utsname
		if syscall.Uname(&u) == nil {
			var b strings.Builder
			for _, c := range u.Release {
				if c == 0 {
					break
				}
				b.WriteByte(byte(c))
			}
			release = b.String()
		}
		defaultEnv = &Environment{
			PythonVersion:  [3]int{3, 11, 2},
			Implementation: "CPython",
			Platform:       "linux",
			Machine:        "x86_64",
			System:         "Linux",
			Release:        release,
			OSRelease: map[string]string{
				"NAME": "Debian GNU/Linux", "ID": "debian", "VERSION_ID": "12",
				"PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "VERSION_CODENAME": "bookworm",
				"VERSION": "12 (bookworm)",
			},
			Bits:         64,
			LittleEndian: true,
		}
	})
	return defaultEnv
}

// Eval evaluates a conditional section expression: first as a PEP 508
// marker, else as the Python expression zc.buildout evaluates.
func (env *Environment) Eval(expr string) (bool, error) {
	p := &exprParser{src: expr}
	p.next()
	n, err := p.parseTop()
	if err != nil {
		return false, err
	}
	if isMarker(n) {
		v, err := env.evalMarker(n)
		return v, err
	}
	v, err := env.eval(n, nil)
	if err != nil {
		return false, err
	}
	return truth(v), nil
}

// --- lexer and parser for the Python subset ---

type tokKind int

const (
	tEOF tokKind = iota
	tName
	tNum
	tStr
	tOp
)

type token struct {
	kind tokKind
	s    string
}

type exprParser struct {
	src string
	pos int
	tok token
	err error
}

func (p *exprParser) next() {
	s := p.src
	for p.pos < len(s) && (s[p.pos] == ' ' || s[p.pos] == '\t' || s[p.pos] == '\n') {
		p.pos++
	}
	if p.pos >= len(s) {
		p.tok = token{tEOF, ""}
		return
	}
	c := s[p.pos]
	start := p.pos
	switch {
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		for p.pos < len(s) && (s[p.pos] == '_' || s[p.pos] >= 'a' && s[p.pos] <= 'z' || s[p.pos] >= 'A' && s[p.pos] <= 'Z' || s[p.pos] >= '0' && s[p.pos] <= '9') {
			p.pos++
		}
		p.tok = token{tName, s[start:p.pos]}
	case c >= '0' && c <= '9':
		for p.pos < len(s) && (s[p.pos] >= '0' && s[p.pos] <= '9' || s[p.pos] == '.') {
			p.pos++
		}
		p.tok = token{tNum, s[start:p.pos]}
	case c == '\'' || c == '"':
		p.pos++
		var b strings.Builder
		for p.pos < len(s) && s[p.pos] != c {
			if s[p.pos] == '\\' && p.pos+1 < len(s) {
				p.pos++
				switch s[p.pos] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				case 'x':
					if p.pos+2 < len(s) {
						if v, err := strconv.ParseUint(s[p.pos+1:p.pos+3], 16, 8); err == nil {
							b.WriteByte(byte(v))
							p.pos += 2
							break
						}
					}
					b.WriteString(`\x`)
				default:
					b.WriteByte(s[p.pos])
				}
				p.pos++
				continue
			}
			b.WriteByte(s[p.pos])
			p.pos++
		}
		if p.pos >= len(s) {
			p.fail("unterminated string")
			p.tok = token{tEOF, ""}
			return
		}
		p.pos++
		p.tok = token{tStr, b.String()}
	default:
		for _, op := range []string{"==", "!=", "<=", ">=", "~=", "**", "//"} {
			if strings.HasPrefix(s[p.pos:], op) {
				p.pos += len(op)
				p.tok = token{tOp, op}
				return
			}
		}
		p.pos++
		p.tok = token{tOp, s[start:p.pos]}
	}
}

func (p *exprParser) fail(msg string) {
	if p.err == nil {
		p.err = fmt.Errorf("%s at offset %d", msg, p.pos)
	}
}

func (p *exprParser) isOp(s string) bool   { return p.tok.kind == tOp && p.tok.s == s }
func (p *exprParser) isName(s string) bool { return p.tok.kind == tName && p.tok.s == s }

func (p *exprParser) expect(s string) {
	if !p.isOp(s) {
		p.fail("expected " + s)
		return
	}
	p.next()
}

// node is an expression tree node.
type node struct {
	kind string // name, num, str, tuple, list, comp, attr, call, index, slice, not, and, or, cmp, neg, binop, cond
	s    string
	v    any
	kids []*node
	ops  []string // comparison operators
}

func (p *exprParser) parseTop() (*node, error) {
	n := p.parseExprList()
	if p.err == nil && p.tok.kind != tEOF {
		p.fail("unexpected " + strconv.Quote(p.tok.s))
	}
	if p.err != nil {
		return nil, p.err
	}
	if n.kind == "tuple" && n.s == "implicit" && len(n.kids) > 0 {
		// zc.buildout evaluates "[expr, ...]" and uses the first element.
		return n.kids[0], nil
	}
	return n, nil
}

func (p *exprParser) parseExprList() *node {
	first := p.parseExpr()
	if !p.isOp(",") {
		return first
	}
	t := &node{kind: "tuple", s: "implicit", kids: []*node{first}}
	for p.isOp(",") {
		p.next()
		if p.tok.kind == tEOF || p.isOp(")") || p.isOp("]") {
			break
		}
		t.kids = append(t.kids, p.parseExpr())
	}
	return t
}

func (p *exprParser) parseExpr() *node {
	n := p.parseOr()
	if p.isName("if") {
		p.next()
		c := p.parseOr()
		if !p.isName("else") {
			p.fail("expected else")
			return n
		}
		p.next()
		e := p.parseExpr()
		return &node{kind: "cond", kids: []*node{c, n, e}}
	}
	return n
}

func (p *exprParser) parseOr() *node {
	n := p.parseAnd()
	for p.isName("or") {
		p.next()
		n = &node{kind: "or", kids: []*node{n, p.parseAnd()}}
	}
	return n
}

func (p *exprParser) parseAnd() *node {
	n := p.parseNot()
	for p.isName("and") {
		p.next()
		n = &node{kind: "and", kids: []*node{n, p.parseNot()}}
	}
	return n
}

func (p *exprParser) parseNot() *node {
	if p.isName("not") {
		p.next()
		return &node{kind: "not", kids: []*node{p.parseNot()}}
	}
	return p.parseCmp()
}

func (p *exprParser) parseCmp() *node {
	n := p.parseArith()
	var c *node
	for p.err == nil {
		var op string
		switch {
		case p.tok.kind == tOp && (p.tok.s == "<" || p.tok.s == ">" || p.tok.s == "==" || p.tok.s == "!=" || p.tok.s == "<=" || p.tok.s == ">=" || p.tok.s == "~="):
			op = p.tok.s
			p.next()
		case p.isName("in"):
			op = "in"
			p.next()
		case p.isName("not"):
			p.next()
			if !p.isName("in") {
				p.fail("expected in")
				return n
			}
			p.next()
			op = "not in"
		case p.isName("is"):
			p.next()
			op = "is"
			if p.isName("not") {
				p.next()
				op = "is not"
			}
		default:
			if c != nil {
				return c
			}
			return n
		}
		if c == nil {
			c = &node{kind: "cmp", kids: []*node{n}}
		}
		c.ops = append(c.ops, op)
		c.kids = append(c.kids, p.parseArith())
	}
	if c != nil {
		return c
	}
	return n
}

func (p *exprParser) parseArith() *node {
	n := p.parseTerm()
	for p.isOp("+") || p.isOp("-") {
		op := p.tok.s
		p.next()
		n = &node{kind: "binop", s: op, kids: []*node{n, p.parseTerm()}}
	}
	return n
}

func (p *exprParser) parseTerm() *node {
	n := p.parseUnary()
	for p.isOp("*") || p.isOp("%") || p.isOp("//") {
		op := p.tok.s
		p.next()
		n = &node{kind: "binop", s: op, kids: []*node{n, p.parseUnary()}}
	}
	return n
}

func (p *exprParser) parseUnary() *node {
	if p.isOp("-") {
		p.next()
		return &node{kind: "neg", kids: []*node{p.parseUnary()}}
	}
	if p.isOp("+") {
		p.next()
		return p.parseUnary()
	}
	return p.parsePostfix()
}

func (p *exprParser) parsePostfix() *node {
	n := p.parseAtom()
	for p.err == nil {
		switch {
		case p.isOp("."):
			p.next()
			if p.tok.kind != tName {
				p.fail("expected attribute name")
				return n
			}
			n = &node{kind: "attr", s: p.tok.s, kids: []*node{n}}
			p.next()
		case p.isOp("("):
			p.next()
			c := &node{kind: "call", kids: []*node{n}}
			for !p.isOp(")") && p.err == nil && p.tok.kind != tEOF {
				c.kids = append(c.kids, p.parseExpr())
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			p.expect(")")
			n = c
		case p.isOp("["):
			p.next()
			var lo, hi *node
			if !p.isOp(":") {
				lo = p.parseExpr()
			}
			if p.isOp(":") {
				p.next()
				if !p.isOp("]") {
					hi = p.parseExpr()
				}
				p.expect("]")
				n = &node{kind: "slice", kids: []*node{n, lo, hi}}
				continue
			}
			p.expect("]")
			n = &node{kind: "index", kids: []*node{n, lo}}
		default:
			return n
		}
	}
	return n
}

func (p *exprParser) parseAtom() *node {
	t := p.tok
	switch t.kind {
	case tName:
		p.next()
		switch t.s {
		case "True":
			return &node{kind: "const", v: true}
		case "False":
			return &node{kind: "const", v: false}
		case "None":
			return &node{kind: "const", v: nil}
		}
		return &node{kind: "name", s: t.s}
	case tNum:
		p.next()
		if i, err := strconv.Atoi(t.s); err == nil {
			return &node{kind: "const", v: i}
		}
		f, err := strconv.ParseFloat(t.s, 64)
		if err != nil {
			p.fail("bad number " + t.s)
		}
		return &node{kind: "const", v: f}
	case tStr:
		p.next()
		s := t.s
		for p.tok.kind == tStr { // implicit concatenation
			s += p.tok.s
			p.next()
		}
		return &node{kind: "str", v: s}
	case tOp:
		switch t.s {
		case "(":
			p.next()
			if p.isOp(")") {
				p.next()
				return &node{kind: "tuple"}
			}
			n := p.parseExpr()
			if p.isOp(",") {
				tup := &node{kind: "tuple", kids: []*node{n}}
				for p.isOp(",") {
					p.next()
					if p.isOp(")") {
						break
					}
					tup.kids = append(tup.kids, p.parseExpr())
				}
				n = tup
			} else {
				n = &node{kind: "paren", kids: []*node{n}}
			}
			p.expect(")")
			return n
		case "[":
			p.next()
			l := &node{kind: "list"}
			if p.isOp("]") {
				p.next()
				return l
			}
			first := p.parseExpr()
			if p.isName("for") {
				p.next()
				if p.tok.kind != tName {
					p.fail("expected name")
					return l
				}
				v := p.tok.s
				p.next()
				if !p.isName("in") {
					p.fail("expected in")
					return l
				}
				p.next()
				src := p.parseOr()
				var cond *node
				if p.isName("if") {
					p.next()
					cond = p.parseOr()
				}
				p.expect("]")
				return &node{kind: "comp", s: v, kids: []*node{first, src, cond}}
			}
			l.kids = append(l.kids, first)
			for p.isOp(",") {
				p.next()
				if p.isOp("]") {
					break
				}
				l.kids = append(l.kids, p.parseExpr())
			}
			p.expect("]")
			return l
		}
	}
	p.fail("unexpected " + strconv.Quote(t.s))
	p.next()
	return &node{kind: "const"}
}

// --- PEP 508 markers ---

var markerVars = map[string]bool{
	"python_version": true, "python_full_version": true, "os_name": true,
	"sys_platform": true, "platform_release": true, "platform_system": true,
	"platform_version": true, "platform_machine": true,
	"platform_python_implementation": true, "implementation_name": true,
	"implementation_version": true, "extra": true,
}

func isMarker(n *node) bool {
	switch n.kind {
	case "paren":
		return isMarker(n.kids[0])
	case "and", "or":
		return isMarker(n.kids[0]) && isMarker(n.kids[1])
	case "cmp":
		if len(n.ops) != 1 || n.ops[0] == "is" || n.ops[0] == "is not" {
			return false
		}
		for _, k := range n.kids {
			if !(k.kind == "str" || k.kind == "name" && markerVars[k.s]) {
				return false
			}
		}
		return true
	}
	return false
}

func (env *Environment) markerValue(n *node) string {
	if n.kind == "str" {
		return n.v.(string)
	}
	pv := env.PythonVersion
	switch n.s {
	case "python_version":
		return fmt.Sprintf("%d.%d", pv[0], pv[1])
	case "python_full_version", "implementation_version":
		return fmt.Sprintf("%d.%d.%d", pv[0], pv[1], pv[2])
	case "os_name":
		return "posix"
	case "sys_platform":
		return env.Platform
	case "platform_release":
		return env.Release
	case "platform_system":
		return env.System
	case "platform_version":
		return "#1 SMP"
	case "platform_machine":
		return env.Machine
	case "platform_python_implementation":
		return env.Implementation
	case "implementation_name":
		return strings.ToLower(env.Implementation)
	}
	return ""
}

func (env *Environment) evalMarker(n *node) (bool, error) {
	switch n.kind {
	case "paren":
		return env.evalMarker(n.kids[0])
	case "and":
		a, err := env.evalMarker(n.kids[0])
		if err != nil || !a {
			return false, err
		}
		return env.evalMarker(n.kids[1])
	case "or":
		a, err := env.evalMarker(n.kids[0])
		if err != nil || a {
			return a, err
		}
		return env.evalMarker(n.kids[1])
	}
	l, r := env.markerValue(n.kids[0]), env.markerValue(n.kids[1])
	op := n.ops[0]
	switch op {
	case "in":
		return strings.Contains(r, l), nil
	case "not in":
		return !strings.Contains(r, l), nil
	}
	if lv, ok := parseVersion(l); ok {
		if rv, ok := parseVersion(r); ok {
			c := compareInts(lv, rv)
			switch op {
			case "~=":
				if len(rv) < 2 {
					return false, errors.New("invalid ~= specifier")
				}
				return c >= 0 && compareInts(lv[:min(len(lv), len(rv)-1)], rv[:len(rv)-1]) == 0, nil
			}
			return cmpResult(op, c), nil
		}
	}
	switch op {
	case "==", "===":
		return l == r, nil
	case "!=":
		return l != r, nil
	}
	return false, fmt.Errorf("invalid marker comparison %q %s %q", l, op, r)
}

func parseVersion(s string) ([]int, bool) {
	if s == "" {
		return nil, false
	}
	var out []int
	for _, part := range strings.Split(s, ".") {
		i, err := strconv.Atoi(part)
		if err != nil {
			return nil, false
		}
		out = append(out, i)
	}
	return out, true
}

func compareInts(a, b []int) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func cmpResult(op string, c int) bool {
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=", "~=":
		return c >= 0
	case "==":
		return c == 0
	case "!=":
		return c != 0
	}
	return false
}

// --- evaluation of the Python subset ---

type pyModule string
type pyFunc func(args []any) (any, error)
type pyTuple []any
type pyList []any

func (env *Environment) globals(name string) (any, bool) {
	pv := env.PythonVersion
	switch name {
	case "sys", "os", "platform", "re":
		return pyModule(name), true
	case "python2", "python3":
		return pv[0] == int(name[6]-'0'), true
	case "cpython":
		return env.Implementation == "CPython", true
	case "pypy", "jython", "ironpython":
		return strings.EqualFold(env.Implementation, name), true
	case "linux":
		return env.Platform == "linux", true
	case "windows":
		return env.Platform == "win32", true
	case "cygwin":
		return env.Platform == "cygwin", true
	case "solaris":
		return strings.HasPrefix(env.Platform, "sunos"), true
	case "macosx":
		return env.Platform == "darwin", true
	case "posix":
		return env.Platform != "win32", true
	case "bits32":
		return env.Bits == 32, true
	case "bits64":
		return env.Bits == 64, true
	case "little_endian":
		return env.LittleEndian, true
	case "big_endian":
		return !env.LittleEndian, true
	case "int", "str", "len", "bool", "open", "tuple", "list":
		return pyFunc(func(args []any) (any, error) { return env.builtin(name, args) }), true
	}
	if strings.HasPrefix(name, "python") && len(name) >= 8 && len(name) <= 9 {
		if n, err := strconv.Atoi(name[6:]); err == nil {
			major, minor := n/10, n%10
			if len(name) == 9 {
				major, minor = n/100, n%100
			}
			return major == pv[0] && minor == pv[1], true
		}
	}
	return nil, false
}

func (env *Environment) builtin(name string, args []any) (any, error) {
	if len(args) != 1 && name != "open" {
		return nil, fmt.Errorf("%s() takes one argument", name)
	}
	switch name {
	case "int":
		switch v := args[0].(type) {
		case int:
			return v, nil
		case bool:
			if v {
				return 1, nil
			}
			return 0, nil
		case string:
			i, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return nil, fmt.Errorf("ValueError: invalid literal for int() with base 10: %s", pyRepr(v))
			}
			return i, nil
		}
	case "str":
		return pyStr(args[0]), nil
	case "bool":
		return truth(args[0]), nil
	case "len":
		switch v := args[0].(type) {
		case string:
			return len(v), nil
		case pyList:
			return len(v), nil
		case pyTuple:
			return len(v), nil
		case map[string]any:
			return len(v), nil
		}
	case "tuple", "list":
		if l, ok := seq(args[0]); ok {
			if name == "tuple" {
				return pyTuple(l), nil
			}
			return pyList(l), nil
		}
	case "open":
		if len(args) < 1 {
			return nil, errors.New("open() needs a path")
		}
		p, ok := args[0].(string)
		if !ok {
			return nil, errors.New("open() needs a path")
		}
		_, exists, content := env.stat(p)
		if !exists {
			return nil, fmt.Errorf("FileNotFoundError: [Errno 2] No such file or directory: %s", pyRepr(p))
		}
		return fileObj(content), nil
	}
	return nil, fmt.Errorf("TypeError: bad argument to %s()", name)
}

type fileObj string

func (env *Environment) stat(path string) (isDir, exists bool, content string) {
	if env.FS != nil {
		return env.FS(path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false, false, ""
	}
	if !fi.IsDir() && fi.Size() < 1<<20 {
		b, _ := os.ReadFile(path)
		content = string(b)
	}
	return fi.IsDir(), true, content
}

func (env *Environment) attr(obj any, name string) (any, error) {
	switch o := obj.(type) {
	case pyModule:
		switch string(o) + "." + name {
		case "sys.platform":
			return env.Platform, nil
		case "sys.version_info":
			pv := env.PythonVersion
			return pyTuple{pv[0], pv[1], pv[2], "final", 0}, nil
		case "sys.maxsize":
			if env.Bits == 32 {
				return 1<<31 - 1, nil
			}
			return 1<<63 - 1, nil
		case "sys.byteorder":
			if env.LittleEndian {
				return "little", nil
			}
			return "big", nil
		case "sys.version":
			pv := env.PythonVersion
			return fmt.Sprintf("%d.%d.%d", pv[0], pv[1], pv[2]), nil
		case "os.name":
			return "posix", nil
		case "os.sep":
			return "/", nil
		case "os.path":
			return pyModule("os.path"), nil
		case "os.R_OK":
			return 4, nil
		case "os.W_OK":
			return 2, nil
		case "os.X_OK":
			return 1, nil
		case "os.F_OK":
			return 0, nil
		case "os.access":
			return pyFunc(func(a []any) (any, error) {
				if len(a) != 2 {
					return nil, errors.New("access() takes 2 arguments")
				}
				p, _ := a[0].(string)
				mode, _ := a[1].(int)
				if env.FS != nil {
					_, ok, _ := env.FS(p)
					return ok, nil
				}
				return syscall.Access(p, uint32(mode)) == nil, nil
			}), nil
		case "os.path.isdir", "os.path.exists", "os.path.isfile":
			return pyFunc(func(a []any) (any, error) {
				if len(a) != 1 {
					return nil, errors.New("takes one argument")
				}
				p, _ := a[0].(string)
				isDir, ok, _ := env.stat(p)
				switch name {
				case "isdir":
					return ok && isDir, nil
				case "isfile":
					return ok && !isDir, nil
				}
				return ok, nil
			}), nil
		case "platform.machine", "platform.system", "platform.release", "platform.python_version",
			"platform.python_implementation", "platform.freedesktop_os_release", "platform.architecture":
			return pyFunc(func(a []any) (any, error) {
				switch name {
				case "machine":
					return env.Machine, nil
				case "system":
					return env.System, nil
				case "release":
					return env.Release, nil
				case "python_version":
					pv := env.PythonVersion
					return fmt.Sprintf("%d.%d.%d", pv[0], pv[1], pv[2]), nil
				case "python_implementation":
					return env.Implementation, nil
				case "architecture":
					return pyTuple{fmt.Sprintf("%dbit", env.Bits), "ELF"}, nil
				}
				m := map[string]any{}
				for k, v := range env.OSRelease {
					m[k] = v
				}
				return m, nil
			}), nil
		}
	case string:
		return strMethod(o, name)
	case fileObj:
		if name == "read" {
			return pyFunc(func([]any) (any, error) { return string(o), nil }), nil
		}
	}
	return nil, fmt.Errorf("AttributeError: %s has no attribute %s", pyTypeName(obj), pyRepr(name))
}

func strMethod(s, name string) (any, error) {
	switch name {
	case "split":
		return pyFunc(func(a []any) (any, error) {
			var parts []string
			if len(a) == 0 || a[0] == nil {
				parts = strings.Fields(s)
			} else {
				sep, _ := a[0].(string)
				if sep == "" {
					return nil, errors.New("ValueError: empty separator")
				}
				parts = strings.Split(s, sep)
			}
			l := make(pyList, len(parts))
			for i, p := range parts {
				l[i] = p
			}
			return l, nil
		}), nil
	case "strip", "lower", "upper":
		return pyFunc(func([]any) (any, error) {
			switch name {
			case "lower":
				return strings.ToLower(s), nil
			case "upper":
				return strings.ToUpper(s), nil
			}
			return strings.TrimSpace(s), nil
		}), nil
	case "startswith", "endswith":
		return pyFunc(func(a []any) (any, error) {
			if len(a) != 1 {
				return nil, errors.New("takes one argument")
			}
			x, _ := a[0].(string)
			if name == "startswith" {
				return strings.HasPrefix(s, x), nil
			}
			return strings.HasSuffix(s, x), nil
		}), nil
	}
	return nil, fmt.Errorf("AttributeError: 'str' object has no attribute %s", pyRepr(name))
}

func pyTypeName(v any) string {
	switch v := v.(type) {
	case pyModule:
		return "module " + string(v)
	case string:
		return "'str' object"
	case int:
		return "'int' object"
	}
	return "object"
}

func pyStr(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	}
	return fmt.Sprint(v)
}

func truth(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case int:
		return v != 0
	case float64:
		return v != 0
	case string:
		return v != ""
	case pyList:
		return len(v) > 0
	case pyTuple:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

func seq(v any) ([]any, bool) {
	switch v := v.(type) {
	case pyList:
		return v, true
	case pyTuple:
		return v, true
	case string:
		out := make([]any, 0, len(v))
		for _, r := range v {
			out = append(out, string(r))
		}
		return out, true
	}
	return nil, false
}

type scope map[string]any

func (env *Environment) eval(n *node, sc scope) (any, error) {
	switch n.kind {
	case "const", "str":
		return n.v, nil
	case "name":
		if v, ok := sc[n.s]; ok {
			return v, nil
		}
		if v, ok := env.globals(n.s); ok {
			return v, nil
		}
		return nil, fmt.Errorf("NameError: name %s is not defined", pyRepr(n.s))
	case "paren":
		return env.eval(n.kids[0], sc)
	case "tuple", "list":
		out := make([]any, len(n.kids))
		for i, k := range n.kids {
			v, err := env.eval(k, sc)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		if n.kind == "tuple" {
			return pyTuple(out), nil
		}
		return pyList(out), nil
	case "comp":
		src, err := env.eval(n.kids[1], sc)
		if err != nil {
			return nil, err
		}
		items, ok := seq(src)
		if !ok {
			return nil, errors.New("TypeError: object is not iterable")
		}
		inner := scope{}
		for k, v := range sc {
			inner[k] = v
		}
		var out pyList
		for _, it := range items {
			inner[n.s] = it
			if n.kids[2] != nil {
				c, err := env.eval(n.kids[2], inner)
				if err != nil {
					return nil, err
				}
				if !truth(c) {
					continue
				}
			}
			v, err := env.eval(n.kids[0], inner)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "not":
		v, err := env.eval(n.kids[0], sc)
		return !truth(v), err
	case "and", "or":
		a, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		if truth(a) == (n.kind == "or") {
			return a, nil
		}
		return env.eval(n.kids[1], sc)
	case "cond":
		c, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		if truth(c) {
			return env.eval(n.kids[1], sc)
		}
		return env.eval(n.kids[2], sc)
	case "neg":
		v, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		if i, ok := v.(int); ok {
			return -i, nil
		}
		return nil, errors.New("TypeError: bad operand type for unary -")
	case "binop":
		a, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		b, err := env.eval(n.kids[1], sc)
		if err != nil {
			return nil, err
		}
		return binop(n.s, a, b)
	case "attr":
		o, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		return env.attr(o, n.s)
	case "call":
		f, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		fn, ok := f.(pyFunc)
		if !ok {
			return nil, errors.New("TypeError: object is not callable")
		}
		args := make([]any, 0, len(n.kids)-1)
		for _, k := range n.kids[1:] {
			v, err := env.eval(k, sc)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
		return fn(args)
	case "index":
		o, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		k, err := env.eval(n.kids[1], sc)
		if err != nil {
			return nil, err
		}
		if m, ok := o.(map[string]any); ok {
			ks, _ := k.(string)
			v, ok := m[ks]
			if !ok {
				return nil, fmt.Errorf("KeyError: %s", pyRepr(ks))
			}
			return v, nil
		}
		items, ok := seq(o)
		i, isInt := k.(int)
		if !ok || !isInt {
			return nil, errors.New("TypeError: object is not subscriptable")
		}
		if i < 0 {
			i += len(items)
		}
		if i < 0 || i >= len(items) {
			return nil, errors.New("IndexError: index out of range")
		}
		return items[i], nil
	case "slice":
		o, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		items, ok := seq(o)
		if !ok {
			return nil, errors.New("TypeError: object is not subscriptable")
		}
		lo, hi := 0, len(items)
		for j, b := range []*node{n.kids[1], n.kids[2]} {
			if b == nil {
				continue
			}
			v, err := env.eval(b, sc)
			if err != nil {
				return nil, err
			}
			i, ok := v.(int)
			if !ok {
				return nil, errors.New("TypeError: slice indices must be integers")
			}
			if i < 0 {
				i += len(items)
			}
			i = max(0, min(i, len(items)))
			if j == 0 {
				lo = i
			} else {
				hi = i
			}
		}
		if hi < lo {
			hi = lo
		}
		out := items[lo:hi]
		switch o.(type) {
		case string:
			var b strings.Builder
			for _, c := range out {
				b.WriteString(c.(string))
			}
			return b.String(), nil
		case pyTuple:
			return pyTuple(out), nil
		}
		return pyList(out), nil
	case "cmp":
		left, err := env.eval(n.kids[0], sc)
		if err != nil {
			return nil, err
		}
		for i, op := range n.ops {
			right, err := env.eval(n.kids[i+1], sc)
			if err != nil {
				return nil, err
			}
			ok, err := pyCompare(op, left, right)
			if err != nil || !ok {
				return false, err
			}
			left = right
		}
		return true, nil
	}
	return nil, fmt.Errorf("unsupported expression %s", n.kind)
}

func binop(op string, a, b any) (any, error) {
	switch x := a.(type) {
	case int:
		if y, ok := b.(int); ok {
			switch op {
			case "+":
				return x + y, nil
			case "-":
				return x - y, nil
			case "*":
				return x * y, nil
			case "//", "%":
				if y == 0 {
					return nil, errors.New("ZeroDivisionError")
				}
				if op == "//" {
					return x / y, nil
				}
				return x % y, nil
			}
		}
	case string:
		if y, ok := b.(string); ok && op == "+" {
			return x + y, nil
		}
	}
	return nil, fmt.Errorf("TypeError: unsupported operand type(s) for %s", op)
}

func pyCompare(op string, a, b any) (bool, error) {
	switch op {
	case "in", "not in":
		var found bool
		switch c := b.(type) {
		case string:
			s, ok := a.(string)
			if !ok {
				return false, errors.New("TypeError: 'in <string>' requires string as left operand")
			}
			found = strings.Contains(c, s)
		case map[string]any:
			s, _ := a.(string)
			_, found = c[s]
		default:
			items, ok := seq(b)
			if !ok {
				return false, errors.New("TypeError: argument is not iterable")
			}
			for _, it := range items {
				if c, err := pyCmp(a, it); err == nil && c == 0 {
					found = true
					break
				}
			}
		}
		return found == (op == "in"), nil
	case "is", "is not":
		return (a == b) == (op == "is"), nil
	case "==", "!=":
		c, err := pyCmp(a, b)
		if err != nil {
			return op == "!=", nil
		}
		return (c == 0) == (op == "=="), nil
	}
	c, err := pyCmp(a, b)
	if err != nil {
		return false, err
	}
	return cmpResult(op, c), nil
}

func pyCmp(a, b any) (int, error) {
	num := func(v any) (float64, bool) {
		switch v := v.(type) {
		case int:
			return float64(v), true
		case float64:
			return v, true
		case bool:
			if v {
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	if x, ok := num(a); ok {
		if y, ok := num(b); ok {
			switch {
			case x < y:
				return -1, nil
			case x > y:
				return 1, nil
			}
			return 0, nil
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	}
	xa, aok := a.(pyTuple)
	xb, bok := b.(pyTuple)
	if !aok || !bok {
		la, aok2 := a.(pyList)
		lb, bok2 := b.(pyList)
		if !aok2 || !bok2 {
			if a == nil && b == nil {
				return 0, nil
			}
			return 0, fmt.Errorf("TypeError: cannot compare %T and %T", a, b)
		}
		xa, xb = pyTuple(la), pyTuple(lb)
	}
	for i := 0; i < len(xa) && i < len(xb); i++ {
		c, err := pyCmp(xa[i], xb[i])
		if err != nil {
			return 0, err
		}
		if c != 0 {
			return c, nil
		}
	}
	switch {
	case len(xa) < len(xb):
		return -1, nil
	case len(xa) > len(xb):
		return 1, nil
	}
	return 0, nil
}
