package pyval

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"math/big"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ImportModule returns the Go implementation of a Python module for the
// recipe's "import" context entries: json, re, six, six.moves.urllib.parse
// (also urllib.parse), os.path, hashlib, and the members of itertools,
// functools and operator that SlapOS profiles use. Another name is a ModuleNotFoundError.
func ImportModule(name string) (*Module, error) {
	switch name {
	case "json":
		return jsonModule, nil
	case "re":
		return reModule, nil
	case "six":
		return sixModule, nil
	case "six.moves.urllib.parse", "urllib.parse", "urlparse":
		return urlparseModule, nil
	case "six.moves.urllib":
		return &Module{N: name, Attrs: map[string]Value{"parse": urlparseModule}}, nil
	case "six.moves":
		return sixMoves, nil
	case "os.path", "posixpath":
		return osPathModule, nil
	case "os":
		return &Module{N: "os", Attrs: map[string]Value{"path": osPathModule, "sep": "/", "linesep": "\n", "curdir": ".", "pardir": "..",
			"pathsep": ":", "extsep": ".", "altsep": nil, "devnull": "/dev/null", "name": "posix",
			"getuid": osID("getuid", os.Getuid), "geteuid": osID("geteuid", os.Geteuid),
			"getgid": osID("getgid", os.Getgid), "getegid": osID("getegid", os.Getegid)}}, nil
	case "hashlib":
		return hashlibModule, nil
	case "itertools":
		return itertoolsModule, nil
	case "functools":
		return functoolsModule, nil
	case "operator":
		return operatorModule, nil
	case "urllib":
		return &Module{N: name, Attrs: map[string]Value{"parse": urlparseModule}}, nil
	}
	return nil, Errorf("ModuleNotFoundError", "No module named %s", QuoteString(name))
}

// osID returns an os function returning a process id (os.geteuid...).
func osID(name string, f func() int) *Func {
	return method(name, 0, 0, func([]Value, []KV) (Value, error) { return f(), nil })
}

// JSONOptions are the options of json.dumps.
type JSONOptions struct {
	// Default converts values JSON cannot represent (json.dumps default=).
	Default     func(Value) (Value, error)
	SortKeys    bool
	Indent      string // "" for none; otherwise the indent unit
	HasIndent   bool
	ItemSep     string
	KeySep      string
	EnsureASCII bool
}

// JSONDumps returns Python's json.dumps(v) with the given options.
func JSONDumps(v Value, o JSONOptions) (string, error) {
	if o.ItemSep == "" {
		o.ItemSep = ", "
		if o.HasIndent {
			o.ItemSep = ","
		}
	}
	if o.KeySep == "" {
		o.KeySep = ": "
	}
	var b strings.Builder
	err := jsonWrite(&b, v, o, 0)
	return b.String(), err
}

// JSONString returns json.dumps(s) for a str, with Python's default
// ensure_ascii: every character outside space..tilde escaped as \uXXXX.
func JSONString(s string) string {
	var b strings.Builder
	jsonString(&b, s, true)
	return b.String()
}

func jsonString(b *strings.Builder, s string, ascii bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (ascii && r > 0x7e && r <= 0xffff):
				fmt.Fprintf(b, `\u%04x`, r)
			case ascii && r > 0xffff:
				r -= 0x10000
				fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

func jsonKey(k Value) (string, bool, error) {
	switch k := k.(type) {
	case string:
		return k, true, nil
	case nil:
		return "null", true, nil
	case bool:
		if k {
			return "true", true, nil
		}
		return "false", true, nil
	case int, *big.Int:
		s, _ := Repr(k)
		return s, true, nil
	case float64:
		return FormatFloat(k), true, nil
	}
	return "", false, Errorf("TypeError", "keys must be str, int, float, bool or None, not %s", TypeName(k))
}

func jsonWrite(b *strings.Builder, v Value, o JSONOptions, depth int) error {
	newline := func(d int) {
		if o.HasIndent {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(o.Indent, d))
		}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int, *big.Int:
		s, _ := Repr(x)
		b.WriteString(s)
	case float64:
		switch {
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		case math.IsNaN(x):
			b.WriteString("NaN")
		default:
			b.WriteString(FormatFloat(x))
		}
	case string:
		jsonString(b, x, o.EnsureASCII)
	case Markup:
		jsonString(b, string(x), o.EnsureASCII)
	case *List, Tuple:
		items, _ := Iterate(x)
		if len(items) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				b.WriteString(o.ItemSep)
			}
			newline(depth + 1)
			if err := jsonWrite(b, it, o, depth+1); err != nil {
				return err
			}
		}
		newline(depth)
		b.WriteByte(']')
	case *Dict:
		if x.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		type kv struct {
			k string
			v Value
		}
		var items []kv
		for i, k := range x.keys {
			ks, _, err := jsonKey(k)
			if err != nil {
				return err
			}
			items = append(items, kv{ks, x.vals[i]})
		}
		if o.SortKeys {
			keys := make([]Value, len(x.keys))
			copy(keys, x.keys)
			idx := make([]Value, len(keys))
			for i := range keys {
				idx[i] = i
			}
			if err := SortValues(idx, func(i Value) (Value, error) { return keys[i.(int)], nil }, false); err != nil {
				return err
			}
			sorted := make([]kv, len(items))
			for i, j := range idx {
				sorted[i] = items[j.(int)]
			}
			items = sorted
		}
		b.WriteByte('{')
		for i, it := range items {
			if i > 0 {
				b.WriteString(o.ItemSep)
			}
			newline(depth + 1)
			jsonString(b, it.k, o.EnsureASCII)
			b.WriteString(o.KeySep)
			if err := jsonWrite(b, it.v, o, depth+1); err != nil {
				return err
			}
		}
		newline(depth)
		b.WriteByte('}')
	default:
		if o.Default != nil {
			if _, undef := x.(*Undefined); !undef || !x.(*Undefined).Strict {
				d, err := o.Default(x)
				if err != nil {
					return err
				}
				return jsonWrite(b, d, o, depth)
			}
		}
		if u, ok := x.(*Undefined); ok && u.Strict {
			return Errorf("TypeError", "Object of type StrictUndefined is not JSON serializable")
		}
		return Errorf("TypeError", "Object of type %s is not JSON serializable", TypeName(v))
	}
	return nil
}

// JSONOptionsFromKwargs reads json.dumps keyword arguments.
func JSONOptionsFromKwargs(kwargs []KV) (JSONOptions, error) {
	o := JSONOptions{EnsureASCII: true}
	for _, kv := range kwargs {
		switch kv.Key {
		case "sort_keys":
			o.SortKeys, _ = Truth(kv.Value)
		case "ensure_ascii":
			o.EnsureASCII, _ = Truth(kv.Value)
		case "indent":
			switch n := kv.Value.(type) {
			case nil:
			case string:
				o.Indent, o.HasIndent = n, true
			default:
				i, ok := ToInt(n)
				if !ok {
					return o, Errorf("TypeError", "indent must be an int or a str")
				}
				o.Indent, o.HasIndent = strings.Repeat(" ", max(i, 0)), true
			}
		case "separators":
			items, err := Iterate(kv.Value)
			if err != nil || len(items) != 2 {
				return o, Errorf("ValueError", "separators must be a (item_separator, key_separator) pair")
			}
			o.ItemSep, _ = items[0].(string)
			o.KeySep, _ = items[1].(string)
		case "default":
			if kv.Value != nil {
				c, ok := kv.Value.(Callable)
				if !ok {
					return o, Errorf("TypeError", "'%s' object is not callable", TypeName(kv.Value))
				}
				o.Default = func(v Value) (Value, error) { return c.Call([]Value{v}, nil) }
			}
		case "cls", "skipkeys", "check_circular", "allow_nan":
		default:
			return o, Errorf("TypeError", "dumps() got an unexpected keyword argument '%s'", kv.Key)
		}
	}
	return o, nil
}

var jsonModule = &Module{N: "json", Attrs: map[string]Value{
	"dumps": &Func{N: "dumps", F: func(args []Value, kwargs []KV) (Value, error) {
		if len(args) != 1 {
			return nil, Errorf("TypeError", "dumps() takes 1 positional argument but %d were given", len(args))
		}
		o, err := JSONOptionsFromKwargs(kwargs)
		if err != nil {
			return nil, err
		}
		return JSONDumps(args[0], o)
	}},
	"loads": method("loads", 1, 1, func(args []Value, _ []KV) (Value, error) {
		s, ok := args[0].(string)
		if !ok {
			return nil, Errorf("TypeError", "the JSON object must be str, not %s", TypeName(args[0]))
		}
		return LoadsJSON(s)
	}),
}}

// pyRegexp translates the common Python regular expression syntax to Go's.
func pyRegexp(v Value, flags Value) (*regexp.Regexp, error) {
	if r, ok := v.(*Pattern); ok {
		return r.re, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, Errorf("TypeError", "first argument must be string or compiled pattern")
	}
	s = strings.ReplaceAll(s, "(?P<", "(?P<")
	f, _ := ToInt(flags)
	prefix := ""
	if f&2 != 0 {
		prefix += "i"
	}
	if f&8 != 0 {
		prefix += "m"
	}
	if f&16 != 0 {
		prefix += "s"
	}
	if prefix != "" {
		s = "(?" + prefix + ")" + s
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, Errorf("error", "%v", err)
	}
	return re, nil
}

// Pattern is a compiled regular expression of the re module.
type Pattern struct {
	re *regexp.Regexp
}

// Attr returns a method of the pattern.
func (p *Pattern) Attr(name string) (Value, bool) {
	f, ok := reModule.Attrs[name].(*Func)
	if !ok || name == "compile" || name == "escape" {
		if name == "pattern" {
			return p.re.String(), true
		}
		return nil, false
	}
	return &Func{N: name, F: func(args []Value, kwargs []KV) (Value, error) {
		return f.F(append([]Value{p}, args...), kwargs)
	}}, true
}

// Match is the result of re.match/re.search.
type Match struct {
	s   string
	loc []int
	re  *regexp.Regexp
}

func (m *Match) group(g Value) (Value, error) {
	i, ok := ToInt(g)
	if !ok {
		name, _ := g.(string)
		i = m.re.SubexpIndex(name)
		if i < 0 {
			return nil, Errorf("IndexError", "no such group")
		}
	}
	if i < 0 || 2*i+1 >= len(m.loc) {
		return nil, Errorf("IndexError", "no such group")
	}
	if m.loc[2*i] < 0 {
		return nil, nil
	}
	return m.s[m.loc[2*i]:m.loc[2*i+1]], nil
}

// Attr returns a method of the match.
func (m *Match) Attr(name string) (Value, bool) {
	switch name {
	case "group":
		return &Func{N: name, F: func(args []Value, _ []KV) (Value, error) {
			if len(args) == 0 {
				return m.group(0)
			}
			if len(args) == 1 {
				return m.group(args[0])
			}
			out := Tuple{}
			for _, a := range args {
				g, err := m.group(a)
				if err != nil {
					return nil, err
				}
				out = append(out, g)
			}
			return out, nil
		}}, true
	case "groups":
		return &Func{N: name, F: func([]Value, []KV) (Value, error) {
			out := Tuple{}
			for i := 1; 2*i < len(m.loc); i++ {
				g, _ := m.group(i)
				out = append(out, g)
			}
			return out, nil
		}}, true
	case "groupdict":
		return &Func{N: name, F: func([]Value, []KV) (Value, error) {
			d := NewDict()
			for i, n := range m.re.SubexpNames() {
				if n != "" {
					g, _ := m.group(i)
					d.SetStr(n, g)
				}
			}
			return d, nil
		}}, true
	case "start", "end":
		return &Func{N: name, F: func(args []Value, _ []KV) (Value, error) {
			i, _ := ToInt(Arg(args, nil, 0, "", 0))
			off := m.loc[2*i]
			if name == "end" {
				off = m.loc[2*i+1]
			}
			return utf8.RuneCountInString(m.s[:off]), nil
		}}, true
	}
	return nil, false
}

// pyReplacement converts a Python re.sub replacement (\1, \g<name>) to Go's.
func pyReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			b.WriteString("${" + s[i+1:j] + "}")
			i = j - 1
		case c == '\\' && strings.HasPrefix(s[i:], `\g<`):
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				b.WriteByte(c)
				continue
			}
			b.WriteString("${" + s[i+3:i+end] + "}")
			i += end
		case c == '\\' && i+1 < len(s):
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\':
				b.WriteByte('\\')
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i+1])
			}
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var reModule = &Module{N: "re", Attrs: map[string]Value{
	"I": 2, "IGNORECASE": 2, "M": 8, "MULTILINE": 8, "S": 16, "DOTALL": 16,
	"escape": method("escape", 1, 1, func(args []Value, _ []KV) (Value, error) {
		s, ok := args[0].(string)
		if !ok {
			return nil, Errorf("TypeError", "escape() argument must be str")
		}
		var b strings.Builder
		for _, r := range s {
			if r < 128 && strings.ContainsRune("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String(), nil
	}),
	"compile": method("compile", 1, 2, func(args []Value, kw []KV) (Value, error) {
		re, err := pyRegexp(args[0], Arg(args, kw, 1, "flags", 0))
		if err != nil {
			return nil, err
		}
		return &Pattern{re: re}, nil
	}, "flags"),
	"match":     reMatcher("match"),
	"search":    reMatcher("search"),
	"fullmatch": reMatcher("fullmatch"),
	"findall": method("findall", 2, 3, func(args []Value, kw []KV) (Value, error) {
		re, err := pyRegexp(args[0], Arg(args, kw, 2, "flags", 0))
		if err != nil {
			return nil, err
		}
		s, _ := args[1].(string)
		out := []Value{}
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			switch len(m) {
			case 1:
				out = append(out, m[0])
			case 2:
				out = append(out, m[1])
			default:
				out = append(out, Tuple(strValues(m[1:])))
			}
		}
		return &List{Items: out}, nil
	}, "flags"),
	"sub": method("sub", 3, 5, func(args []Value, kw []KV) (Value, error) {
		re, err := pyRegexp(args[0], Arg(args, kw, 4, "flags", 0))
		if err != nil {
			return nil, err
		}
		repl, ok := args[1].(string)
		s, ok2 := args[2].(string)
		if !ok || !ok2 {
			return nil, Errorf("TypeError", "re.sub() expects str arguments")
		}
		count, _ := ToInt(Arg(args, kw, 3, "count", 0))
		tmpl := pyReplacement(repl)
		n := 0
		return re.ReplaceAllStringFunc(s, func(m string) string {
			n++
			if count > 0 && n > count {
				return m
			}
			sub := re.FindStringSubmatchIndex(m)
			return string(re.ExpandString(nil, tmpl, m, sub))
		}), nil
	}, "count", "flags"),
	"split": method("split", 2, 4, func(args []Value, kw []KV) (Value, error) {
		re, err := pyRegexp(args[0], Arg(args, kw, 3, "flags", 0))
		if err != nil {
			return nil, err
		}
		s, _ := args[1].(string)
		n, _ := ToInt(Arg(args, kw, 2, "maxsplit", 0))
		if n == 0 {
			n = -1
		} else {
			n++
		}
		return &List{Items: strValues(re.Split(s, n))}, nil
	}, "maxsplit", "flags"),
}}

func reMatcher(kind string) *Func {
	return method(kind, 2, 3, func(args []Value, kw []KV) (Value, error) {
		re, err := pyRegexp(args[0], Arg(args, kw, 2, "flags", 0))
		if err != nil {
			return nil, err
		}
		s, ok := args[1].(string)
		if !ok {
			return nil, Errorf("TypeError", "expected string, got '%s'", TypeName(args[1]))
		}
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil || (kind != "search" && loc[0] != 0) || (kind == "fullmatch" && loc[1] != len(s)) {
			if kind != "search" {
				// Anchor and retry: the leftmost match may not start at 0.
				anchored, err := regexp.Compile(`^(?:` + re.String() + `)` + map[bool]string{true: "$", false: ""}[kind == "fullmatch"])
				if err != nil {
					return nil, nil
				}
				loc = anchored.FindStringSubmatchIndex(s)
				if loc == nil {
					return nil, nil
				}
				return &Match{s: s, loc: loc, re: anchored}, nil
			}
			return nil, nil
		}
		return &Match{s: s, loc: loc, re: re}, nil
	}, "flags")
}

// ParseResult is the result of urlparse/urlsplit.
type ParseResult struct {
	fields Tuple // scheme, netloc, path, params, query, fragment
	names  []string
}

// Attr returns a field or derived attribute.
func (p *ParseResult) Attr(name string) (Value, bool) {
	for i, n := range p.names {
		if n == name {
			return p.fields[i], true
		}
	}
	netloc, _ := p.fields[1].(string)
	userinfo, hostport := "", netloc
	if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
		userinfo, hostport = netloc[:i], netloc[i+1:]
	}
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		if i := strings.IndexByte(hostport, ']'); i >= 0 {
			host, port = hostport[1:i], strings.TrimPrefix(hostport[i+1:], ":")
		}
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i+1:]
	}
	switch name {
	case "hostname":
		if host == "" {
			return nil, true
		}
		return strings.ToLower(host), true
	case "port":
		if port == "" {
			return nil, true
		}
		n, err := strconv.Atoi(port)
		if err != nil {
			return nil, true
		}
		return n, true
	case "username", "password":
		if userinfo == "" {
			return nil, true
		}
		u, pw, has := strings.Cut(userinfo, ":")
		if name == "username" {
			return u, true
		}
		if !has {
			return nil, true
		}
		return pw, true
	case "geturl":
		return &Func{N: name, F: func([]Value, []KV) (Value, error) { return unsplit(p), nil }}, true
	}
	return nil, false
}

// PyIter iterates the fields.
func (p *ParseResult) PyIter() ([]Value, error) { return p.fields, nil }

// PyRepr prints as the named tuple.
func (p *ParseResult) PyRepr() (string, error) {
	var parts []string
	for i, n := range p.names {
		r, _ := Repr(p.fields[i])
		parts = append(parts, n+"="+r)
	}
	typ := "ParseResult"
	if len(p.names) == 5 {
		typ = "SplitResult"
	}
	return typ + "(" + strings.Join(parts, ", ") + ")", nil
}

func unsplit(p *ParseResult) string {
	f := func(i int) string { s, _ := p.fields[i].(string); return s }
	scheme, netloc, path := f(0), f(1), f(2)
	var query, fragment, params string
	if len(p.fields) == 6 {
		params, query, fragment = f(3), f(4), f(5)
	} else {
		query, fragment = f(3), f(4)
	}
	if params != "" {
		path += ";" + params
	}
	s := ""
	if scheme != "" {
		s = scheme + ":"
	}
	if netloc != "" || strings.HasPrefix(path, "//") || scheme != "" && netloc != "" {
		s += "//" + netloc
	}
	s += path
	if query != "" {
		s += "?" + query
	}
	if fragment != "" {
		s += "#" + fragment
	}
	return s
}

func urlsplit(u string, withParams bool) *ParseResult {
	scheme := ""
	if i := strings.IndexByte(u, ':'); i > 0 {
		cand := u[:i]
		ok := true
		for j, c := range cand {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
				ok = false
			}
		}
		if ok {
			scheme, u = strings.ToLower(cand), u[i+1:]
		}
	}
	netloc := ""
	if strings.HasPrefix(u, "//") {
		rest := u[2:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		netloc, u = rest[:end], rest[end:]
	}
	fragment, query := "", ""
	if i := strings.IndexByte(u, '#'); i >= 0 {
		u, fragment = u[:i], u[i+1:]
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u, query = u[:i], u[i+1:]
	}
	if !withParams {
		return &ParseResult{fields: Tuple{scheme, netloc, u, query, fragment}, names: []string{"scheme", "netloc", "path", "query", "fragment"}}
	}
	params := ""
	if i := strings.LastIndexByte(u, ';'); i >= 0 && strings.IndexByte(u[i:], '/') < 0 {
		u, params = u[:i], u[i+1:]
	}
	return &ParseResult{fields: Tuple{scheme, netloc, u, params, query, fragment}, names: []string{"scheme", "netloc", "path", "params", "query", "fragment"}}
}

// Quote returns urllib.parse.quote(s, safe).
func Quote(s, safe string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// urlArg is the URL argument of urlparse and urlsplit as Python's
// _coerce_args takes it: a str, any false value as "", else an error (a
// strict undefined raises itself).
func urlArg(v Value) (string, error) {
	if s, ok := unmark(v).(string); ok {
		return s, nil
	}
	if t, err := Truth(v); err == nil && !t {
		return "", nil // Python parses any false value as empty
	}
	if u, ok := v.(*Undefined); ok && u.Strict {
		return "", u.Err()
	}
	return "", Errorf("AttributeError", "'%s' object has no attribute 'decode'", TypeName(v))
}

var urlparseModule = &Module{N: "urllib.parse", Attrs: map[string]Value{
	"urlparse": method("urlparse", 1, 2, func(args []Value, _ []KV) (Value, error) {
		s, err := urlArg(args[0])
		if err != nil {
			return nil, err
		}
		return urlsplit(s, true), nil
	}, "scheme", "allow_fragments"),
	"urlsplit": method("urlsplit", 1, 2, func(args []Value, _ []KV) (Value, error) {
		switch a := args[0].(type) {
		case *List, *Dict:
			// urlsplit is lru_cached: its argument is hashed first.
			return nil, Errorf("TypeError", "unhashable type: '%s'", TypeName(a))
		case *Set:
			if !a.Frozen {
				return nil, Errorf("TypeError", "unhashable type: 'set'")
			}
		}
		s, err := urlArg(args[0])
		if err != nil {
			return nil, err
		}
		return urlsplit(s, false), nil
	}, "scheme", "allow_fragments"),
	"urlunparse": method("urlunparse", 1, 1, func(args []Value, _ []KV) (Value, error) {
		items, err := Iterate(args[0])
		if err != nil || len(items) != 6 {
			return nil, Errorf("ValueError", "urlunparse() expects 6 components")
		}
		return unsplit(&ParseResult{fields: Tuple(items)}), nil
	}),
	"quote": method("quote", 1, 2, func(args []Value, kw []KV) (Value, error) {
		s, ok := args[0].(string)
		safe, _ := Arg(args, kw, 1, "safe", "/").(string)
		if !ok {
			return nil, Errorf("TypeError", "quote() expects a str")
		}
		return Quote(s, safe), nil
	}, "safe"),
	"quote_plus": method("quote_plus", 1, 2, func(args []Value, kw []KV) (Value, error) {
		s, ok := args[0].(string)
		safe, _ := Arg(args, kw, 1, "safe", "").(string)
		if !ok {
			return nil, Errorf("TypeError", "quote_plus() expects a str")
		}
		return strings.ReplaceAll(Quote(s, safe+" "), " ", "+"), nil
	}, "safe"),
	"unquote": method("unquote", 1, 3, func(args []Value, _ []KV) (Value, error) {
		s, ok := args[0].(string)
		if !ok {
			return nil, Errorf("TypeError", "a bytes-like object is required, not '%s'", TypeName(args[0]))
		}
		return Unquote(s), nil
	}, "encoding", "errors"),
	"unquote_plus": method("unquote_plus", 1, 3, func(args []Value, _ []KV) (Value, error) {
		s, ok := args[0].(string)
		if !ok {
			return nil, Errorf("AttributeError", "'%s' object has no attribute 'replace'", TypeName(args[0]))
		}
		return Unquote(strings.ReplaceAll(s, "+", " ")), nil
	}, "encoding", "errors"),
	"urlencode": method("urlencode", 1, 2, func(args []Value, _ []KV) (Value, error) {
		var pairs []Value
		if d, ok := args[0].(*Dict); ok {
			pairs = d.Items()
		} else {
			var err error
			if pairs, err = Iterate(args[0]); err != nil {
				return nil, err
			}
		}
		var parts []string
		for _, p := range pairs {
			kv, err := Iterate(p)
			if err != nil || len(kv) != 2 {
				return nil, Errorf("TypeError", "not a valid non-string sequence or mapping object")
			}
			k, _ := Str(kv[0])
			v, _ := Str(kv[1])
			parts = append(parts, strings.ReplaceAll(Quote(k, " "), " ", "+")+"="+strings.ReplaceAll(Quote(v, " "), " ", "+"))
		}
		return strings.Join(parts, "&"), nil
	}, "doseq"),
	"urljoin": method("urljoin", 2, 2, func(args []Value, _ []KV) (Value, error) {
		base, _ := args[0].(string)
		ref, _ := args[1].(string)
		bu, err := url.Parse(base)
		if err != nil {
			return ref, nil
		}
		ru, err := url.Parse(ref)
		if err != nil {
			return ref, nil
		}
		return bu.ResolveReference(ru).String(), nil
	}),
}}

var sixMoves = &Module{N: "six.moves", Attrs: map[string]Value{
	"urllib":  &Module{N: "six.moves.urllib", Attrs: map[string]Value{"parse": urlparseModule}},
	"range":   Builtin("range"),
	"map":     Builtin("map"),
	"zip":     Builtin("zip"),
	"filter":  Builtin("filter"),
	"reduce":  nil,
	"builtin": nil,
}}

func sixIter(kind string) *Func {
	return method("iter"+kind, 1, 1, func(args []Value, _ []KV) (Value, error) {
		d, ok := args[0].(*Dict)
		if !ok {
			m, err := GetAttr(args[0], kind)
			if err != nil {
				return nil, err
			}
			v, err := call(m)
			if err != nil {
				return nil, err
			}
			items, err := Iterate(v)
			return &Iterator{Kind: "dict_" + kind + "iterator", Items: items}, err
		}
		var items []Value
		switch kind {
		case "items":
			items = d.Items()
		case "keys":
			items = d.Keys()
		default:
			items = d.Values()
		}
		return &Iterator{Kind: "dict_" + kind + "iterator", Items: items}, nil
	})
}

var sixModule = &Module{N: "six", Attrs: map[string]Value{
	"PY2":           false,
	"PY3":           true,
	"iteritems":     sixIter("items"),
	"iterkeys":      sixIter("keys"),
	"itervalues":    sixIter("values"),
	"string_types":  Tuple{Builtin("str")},
	"text_type":     Builtin("str"),
	"binary_type":   Builtin("bytes"),
	"integer_types": Tuple{Builtin("int")},
	"class_types":   Tuple{},
	"moves":         sixMoves,
	"ensure_str":    method("ensure_str", 1, 3, func(a []Value, _ []KV) (Value, error) { return Str(a[0]) }, "encoding", "errors"),
	"ensure_text":   method("ensure_text", 1, 3, func(a []Value, _ []KV) (Value, error) { return Str(a[0]) }, "encoding", "errors"),
}}

var osPathModule = &Module{N: "posixpath", Attrs: map[string]Value{
	"sep": "/", "pathsep": ":", "curdir": ".", "pardir": "..", "extsep": ".",
	"altsep": nil, "devnull": "/dev/null",
	"join": method("join", 1, -1, func(args []Value, _ []KV) (Value, error) {
		out := ""
		for _, a := range args {
			s, ok := a.(string)
			if !ok {
				return nil, Errorf("TypeError", "join() argument must be str, not '%s'", TypeName(a))
			}
			switch {
			case strings.HasPrefix(s, "/"):
				out = s
			case out == "" || strings.HasSuffix(out, "/"):
				out += s
			default:
				out += "/" + s
			}
		}
		return out, nil
	}),
	"basename": method("basename", 1, 1, func(args []Value, _ []KV) (Value, error) {
		s, _ := args[0].(string)
		return s[strings.LastIndexByte(s, '/')+1:], nil
	}),
	"dirname": method("dirname", 1, 1, func(args []Value, _ []KV) (Value, error) {
		s, _ := args[0].(string)
		head := s[:strings.LastIndexByte(s, '/')+1]
		if t := strings.TrimRight(head, "/"); t != "" {
			head = t
		}
		return head, nil
	}),
	"splitext": method("splitext", 1, 1, func(args []Value, _ []KV) (Value, error) {
		s, _ := args[0].(string)
		base := s[strings.LastIndexByte(s, '/')+1:]
		i := strings.LastIndexByte(base, '.')
		if i <= 0 || strings.Trim(base[:i], ".") == "" {
			return Tuple{s, ""}, nil
		}
		cut := len(s) - len(base) + i
		return Tuple{s[:cut], s[cut:]}, nil
	}),
	"split": pathFunc("split", func(s string) Value {
		i := strings.LastIndexByte(s, '/') + 1
		head := s[:i]
		if t := strings.TrimRight(head, "/"); t != "" {
			head = t
		}
		return Tuple{head, s[i:]}
	}),
	"isabs":    pathFunc("isabs", func(s string) Value { return strings.HasPrefix(s, "/") }),
	"normpath": pathFunc("normpath", func(s string) Value { return NormPath(s) }),
	"abspath":  pathFunc("abspath", func(s string) Value { return absPath(s) }),
	"realpath": pathFunc("realpath", func(s string) Value {
		p := absPath(s)
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		return p
	}),
	"exists": pathFunc("exists", func(s string) Value {
		_, err := os.Stat(s)
		return err == nil
	}),
	"isfile": pathFunc("isfile", func(s string) Value {
		fi, err := os.Stat(s)
		return err == nil && fi.Mode().IsRegular()
	}),
	"isdir": pathFunc("isdir", func(s string) Value {
		fi, err := os.Stat(s)
		return err == nil && fi.IsDir()
	}),
	"islink": pathFunc("islink", func(s string) Value {
		fi, err := os.Lstat(s)
		return err == nil && fi.Mode()&os.ModeSymlink != 0
	}),
}}

// pathFunc returns an os.path function of one str argument.
func pathFunc(name string, f func(string) Value) *Func {
	return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
		s, ok := unmark(args[0]).(string)
		if !ok {
			return nil, Errorf("TypeError", "expected str, bytes or os.PathLike object, not %s", TypeName(args[0]))
		}
		return f(s), nil
	})
}

// NormPath is Python's posixpath.normpath: like path.Clean, but an
// initial "//" (exactly two slashes) is kept.
func NormPath(s string) string {
	if s == "" {
		return "."
	}
	p := path.Clean(s)
	if strings.HasPrefix(s, "//") && !strings.HasPrefix(s, "///") {
		if p == "/" {
			return "//"
		}
		return "/" + p
	}
	return p
}

// absPath is Python's os.path.abspath.
func absPath(s string) string {
	if !strings.HasPrefix(s, "/") {
		wd, err := os.Getwd()
		if err == nil {
			s = wd + "/" + s
		}
	}
	return NormPath(s)
}

// Hash is a hashlib hash object over the UTF-8 bytes of the strings given
// to it (the model has no bytes type: str.encode returns the str).
type Hash struct {
	name string
	h    hash.Hash
}

// TypeName returns the Python type name.
func (h *Hash) TypeName() string { return "_hashlib.HASH" }

// Attr returns a method of the hash object.
func (h *Hash) Attr(name string) (Value, bool) {
	switch name {
	case "hexdigest":
		return method(name, 0, 0, func([]Value, []KV) (Value, error) {
			return hex.EncodeToString(h.h.Sum(nil)), nil
		}), true
	case "update":
		return method(name, 1, 1, func(args []Value, _ []KV) (Value, error) {
			s, ok := args[0].(string)
			if !ok {
				return nil, Errorf("TypeError", "object supporting the buffer API required")
			}
			h.h.Write([]byte(s))
			return nil, nil
		}), true
	case "name":
		return h.name, true
	}
	return nil, false
}

func hashConstructor(name string, newHash func() hash.Hash) *Func {
	return method(name, 0, 1, func(args []Value, _ []KV) (Value, error) {
		h := &Hash{name: name, h: newHash()}
		if len(args) == 1 {
			s, ok := args[0].(string)
			if !ok {
				return nil, Errorf("TypeError", "object supporting the buffer API required")
			}
			h.h.Write([]byte(s))
		}
		return h, nil
	})
}

var hashlibModule = &Module{N: "hashlib", Attrs: map[string]Value{
	"md5":    hashConstructor("md5", md5.New),
	"sha1":   hashConstructor("sha1", sha1.New),
	"sha224": hashConstructor("sha224", sha256.New224),
	"sha256": hashConstructor("sha256", sha256.New),
	"sha384": hashConstructor("sha384", sha512.New384),
	"sha512": hashConstructor("sha512", sha512.New),
}}
