// Package jinja2 renders Jinja2 templates exactly as the SlapOS recipe
// slapos.recipe.template:jinja2 does with Python Jinja2 3.1, byte for byte.
//
// The environment is the recipe's: StrictUndefined, no autoescape, no
// trim_blocks/lstrip_blocks, one trailing newline of each template source
// dropped, "\r\n" and "\r" normalised to "\n", the extensions named by the
// recipe's extensions option (jinja2.ext.do, jinja2.ext.loopcontrols), and
// an import-list loader for {% import %}, {% from %} and {% include %}.
// Values are Python values of package pyval, printed with Python's str().
//
// A caller renders a template in four steps:
//
//	ctx := jinja2.NewContext()                    // builtins, six, assert, dumps
//	ctx.Set("slapparameter_dict", dict)          // key/raw/section/json/jsonkey entries
//	ctx.Import("json_module", "json")            // import entries
//	loader := jinja2.NewImportList("/")           // import-list entries
//	loader.Add("file", "caucase", "/path/caucase.jinja2.library")
//	env, err := jinja2.NewEnvironment([]string{"jinja2.ext.do"}, loader)
//	out, err := env.Render("instance.cfg.in", source, ctx)
//
// Template errors are *Error values naming the Python exception class
// (UndefinedError, TemplateSyntaxError, AssertionError, TypeError...), the
// template and the line.
package jinja2

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"webrunner/recipes/jinja2/pyval"
)

// Extension names accepted by NewEnvironment.
const (
	ExtDo           = "jinja2.ext.do"
	ExtLoopControls = "jinja2.ext.loopcontrols"
)

// Environment is a Jinja2 environment configured as the recipe's. It is
// safe for concurrent use by several renders.
type Environment struct {
	do, loopControls bool
	loader           Loader
}

// NewEnvironment returns the recipe's environment with the given Jinja2
// extensions and loader (nil for none). Unknown extensions are an error.
func NewEnvironment(extensions []string, loader Loader) (*Environment, error) {
	e := &Environment{loader: loader}
	for _, x := range extensions {
		switch x {
		case ExtDo, "jinja2.ext.ExprStmtExtension":
			e.do = true
		case ExtLoopControls, "jinja2.ext.LoopControlExtension":
			e.loopControls = true
		case "jinja2.ext.with_", "jinja2.ext.autoescape":
			// Built into Jinja2 3; accepted for old profiles.
		default:
			return nil, &Error{Type: "ModuleNotFoundError", Message: fmt.Sprintf("unsupported Jinja2 extension %q", x)}
		}
	}
	return e, nil
}

// Render renders the template source, named name in error messages, with
// the context ctx (nil means NewContext()), and returns the text the recipe
// writes to its output.
func (e *Environment) Render(name, source string, ctx *Context) (string, error) {
	t, err := e.parse(name, source)
	if err != nil {
		return "", err
	}
	return e.execute(t, ctx)
}

// Check parses the template source, named name in error messages, without
// rendering it, and returns its first TemplateSyntaxError (an *Error with
// the line), or nil: what an editor reports while the template is typed.
func (e *Environment) Check(name, source string) error {
	_, err := e.parse(name, source)
	return err
}

// Loader finds the templates named by import, from and include.
type Loader interface {
	// Load returns the source text of the named template and the file it
	// came from. A missing template is an error wrapping ErrTemplateNotFound.
	Load(name string) (source, filename string, err error)
}

// ErrTemplateNotFound is wrapped by Loader errors for a missing template.
var ErrTemplateNotFound = errors.New("TemplateNotFound")

// ImportList is the recipe's import-list loader: an alias names a file
// (types file and rawfile), or "alias<delimiter>sub/path" names a file under
// a folder (types folder and rawfolder).
type ImportList struct {
	delimiter string
	// Encoding of the template files; "" means utf-8.
	Encoding string
	files    map[string]string
	folders  map[string]string
}

// NewImportList returns an empty import list using delimiter (the recipe's
// import-delimiter option; "" means "/").
func NewImportList(delimiter string) *ImportList {
	if delimiter == "" {
		delimiter = "/"
	}
	return &ImportList{delimiter: delimiter, files: map[string]string{}, folders: map[string]string{}}
}

// Add adds an import-list entry: kind is file, rawfile, folder or rawfolder
// and path the file or directory (already resolved from the buildout option
// for file and folder). A duplicate alias is a ValueError, as in the recipe.
func (l *ImportList) Add(kind, alias, path string) error {
	if _, dup := l.files[alias]; dup {
		return &Error{Type: "ValueError", Message: fmt.Sprintf("Duplicate import-list entry %s", pyval.QuoteString(alias))}
	}
	if _, dup := l.folders[alias]; dup {
		return &Error{Type: "ValueError", Message: fmt.Sprintf("Duplicate import-list entry %s", pyval.QuoteString(alias))}
	}
	switch kind {
	case "file", "rawfile":
		l.files[alias] = path
	case "folder", "rawfolder":
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		l.folders[alias] = abs
	default:
		return &Error{Type: "ValueError", Message: fmt.Sprintf("Unknown import-list type %s", pyval.QuoteString(kind))}
	}
	return nil
}

// Load implements Loader.
func (l *ImportList) Load(name string) (string, string, error) {
	path, ok := l.files[name]
	if !ok {
		if alias, sub, cut := strings.Cut(name, l.delimiter); cut {
			if base, ok2 := l.folders[alias]; ok2 {
				p := filepath.Join(append([]string{base}, strings.Split(sub, l.delimiter)...)...)
				if strings.HasPrefix(p, base+string(filepath.Separator)) {
					path, ok = p, true
				}
			}
		}
	}
	if !ok {
		return "", "", fmt.Errorf("%w: %s", ErrTemplateNotFound, name)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("%w: %s", ErrTemplateNotFound, name)
		}
		return "", "", err
	}
	src, err := Decode(data, l.Encoding)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	return src, path, nil
}

// Decode decodes template bytes with the recipe's encoding option (utf-8,
// the default, ascii or latin-1).
func Decode(data []byte, encoding string) (string, error) {
	switch strings.ReplaceAll(strings.ToLower(encoding), "_", "-") {
	case "", "utf-8", "utf8":
		if !utf8.Valid(data) {
			return "", &Error{Type: "UnicodeDecodeError", Message: "'utf-8' codec can't decode the template"}
		}
		return string(data), nil
	case "ascii", "us-ascii":
		for _, c := range data {
			if c >= 0x80 {
				return "", &Error{Type: "UnicodeDecodeError", Message: "'ascii' codec can't decode the template"}
			}
		}
		return string(data), nil
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1":
		rs := make([]rune, len(data))
		for i, c := range data {
			rs[i] = rune(c)
		}
		return string(rs), nil
	}
	return "", &Error{Type: "LookupError", Message: "unknown encoding: " + encoding}
}

// Error is a template error: a Python exception class name and message,
// with the template and line where it happened (Line 0 when unknown).
type Error struct {
	Type     string
	Message  string
	Template string
	Line     int
}

// Error formats the error as "Type: message (template name, line N)".
// FileLine returns the template and line of the error, so that the
// buildout engine reports the error there rather than at the section.
func (e *Error) FileLine() (string, int) { return e.Template, e.Line }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Type)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Template != "" {
		fmt.Fprintf(&b, " (template %s", e.Template)
		if e.Line > 0 {
			fmt.Fprintf(&b, ", line %d", e.Line)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Context is the ordered set of variables a template is rendered with.
type Context struct {
	vars *pyval.Dict
}

// NewContext returns the recipe's default context: the Python builtins
// abs ... zip, the module six, assert and dumps.
func NewContext() *Context {
	c := &Context{vars: pyval.NewDict()}
	for _, name := range pyval.BuiltinNames {
		c.vars.SetStr(name, pyval.Builtin(name))
	}
	six, _ := pyval.ImportModule("six")
	c.vars.SetStr("six", six)
	c.vars.SetStr("assert", assertFunc)
	c.vars.SetStr("dumps", dumpsFunc)
	return c
}

// Set adds the variable name. A name already in the context (a builtin,
// six, assert, dumps or an earlier entry) is a ValueError, as in the recipe.
// v is a pyval value; other Go values are converted with pyval.Of.
func (c *Context) Set(name string, v pyval.Value) error {
	if _, dup := c.vars.GetStr(name); dup {
		return &Error{Type: "ValueError", Message: fmt.Sprintf("Duplicate context entry %s", pyval.QuoteString(name))}
	}
	c.vars.SetStr(name, pyval.Of(v))
	return nil
}

// Import adds the variable name bound to the Python module named module
// (the recipe's "import" context entries): json, re, os.path,
// six.moves.urllib.parse and the few others pyval.ImportModule knows.
func (c *Context) Import(name, module string) error {
	m, err := pyval.ImportModule(module)
	if err != nil {
		return err
	}
	return c.Set(name, m)
}

// Get returns the variable name.
func (c *Context) Get(name string) (pyval.Value, bool) { return c.vars.GetStr(name) }

// assertFunc is the recipe's assert(cond, *args).
var assertFunc = &pyval.Func{N: "assert", F: func(args []pyval.Value, kwargs []pyval.KV) (pyval.Value, error) {
	if len(args) == 0 || len(kwargs) > 0 {
		return nil, pyval.Errorf("TypeError", "_assert() takes 1 positional argument and no keyword")
	}
	ok, err := pyval.Truth(args[0])
	if err != nil {
		return nil, err
	}
	if ok {
		return "", nil
	}
	msg := ""
	switch len(args) {
	case 1:
	case 2:
		msg, err = pyval.Str(args[1])
	default:
		msg, err = pyval.Repr(pyval.Tuple(args[1:]))
	}
	if err != nil {
		return nil, err
	}
	return nil, pyval.Errorf("AssertionError", "%s", msg)
}}

// Dumps is the SlapOS buildout value serialiser: "!py!" + repr(v) with "$"
// doubled so that buildout substitution gives the repr back.
func Dumps(v pyval.Value) (string, error) {
	r, err := pyval.Repr(v)
	if err != nil {
		return "", err
	}
	return "!py!" + strings.ReplaceAll(r, "$", "$$"), nil
}

var dumpsFunc = &pyval.Func{N: "dumps", F: func(args []pyval.Value, kwargs []pyval.KV) (pyval.Value, error) {
	if err := pyval.Arity("dumps", args, kwargs, 1, 1); err != nil {
		return nil, err
	}
	return Dumps(args[0])
}}
