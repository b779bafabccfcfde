package jinja2

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"webrunner/recipes/jinja2/pyval"
)

// render renders src with the do and loopcontrols extensions, the context
// vars (a JSON object) and loader.
func render(t *testing.T, src, vars string, loader Loader, ext ...string) (string, error) {
	t.Helper()
	ctx := NewContext()
	if vars != "" {
		v, err := pyval.FromJSON([]byte(vars))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range v.(*pyval.Dict).Items() {
			kv := it.(pyval.Tuple)
			if err := ctx.Set(kv[0].(string), kv[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ext == nil {
		ext = []string{ExtDo, ExtLoopControls}
	}
	env, err := NewEnvironment(ext, loader)
	if err != nil {
		t.Fatal(err)
	}
	return env.Render("t.in", src, ctx)
}

func TestRenderRules(t *testing.T) {
	for _, tc := range []struct {
		name, src, vars, want string
	}{
		{"trailing newline dropped once", "a\n\n", "", "a\n"},
		{"no trailing newline", "a", "", "a"},
		{"crlf normalised", "a\r\nb {{ x }}\r\n", `{"x": "y"}`, "a\nb y"},
		{"lone cr normalised", "a\rb", "", "a\nb"},
		{"python str of values", "{{ l }} {{ d }} {{ t }} {{ n }} {{ f }}", `{"l": ["a", 1, null, true], "d": {"z": 1, "a": 2}, "t": {"__tuple__": ["x"]}, "n": null, "f": 86400.0}`,
			"['a', 1, None, True] {'z': 1, 'a': 2} ('x',) None 86400.0"},
		{"template text not substituted", "${a:b} $${c} ${foo:{{ k }}}", `{"k": "v"}`, "${a:b} $${c} ${foo:v}"},
		{"whitespace control", "a  {%- if true -%}  b  {%- endif %}\n  {{- 'c' }}", "", "abc"},
		{"do extension", "{% set l = [] %}{% do l.append(1) %}{{ l }}", "", "[1]"},
		{"loop controls", "{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}", "", "02"},
		{"for scope", "{% set x = 'o' %}{% for i in range(2) %}{% set x = i %}{% endfor %}{{ x }}", "", "o"},
		{"namespace", "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "", "3"},
		{"list mutation in macro", "{% set l = [] %}{% macro m() %}{% do l.append(1) %}{% endmacro %}{{ m() }}{{ m() }}{{ l }}", "", "[1, 1]"},
		{"builtins in default context", "{{ int('4') + len([1]) }} {{ sorted(['b', 'a']) }} {{ isinstance(1, int) }}", "", "5 ['a', 'b'] True"},
		{"six", "{% for k, v in six.iteritems(d) %}{{ k }}{{ v }}{% endfor %}", `{"d": {"b": 1, "a": 2}}`, "b1a2"},
		{"assert passes", "[{{ assert(1 == 1, 'never') }}]", "", "[]"},
		{"dumps", "{{ dumps({'k': ['$v', 1.0, None]}) }}", "", "!py!{'k': ['$$v', 1.0, None]}"},
		{"tojson sorted and escaped", `{{ {'q': "it's <b>", 'a': 1} | tojson }}`, "", `{"a": 1, "q": "it\u0027s \u003cb\u003e"}`},
		{"dictsort case-insensitive", "{{ d | dictsort }}", `{"d": {"b": 2, "a": 1, "C": 3}}`, "[('a', 1), ('b', 2), ('C', 3)]"},
		{"default keeps None", "{{ n | default('x') }} {{ missing | default('y') }} {{ '' | default('z', true) }}", `{"n": null}`, "None y z"},
		{"int of non-number", "{{ 'x' | int }} {{ '42' | int + 1 }}", "", "0 43"},
		{"percent formatting", "{{ '%s:%d' % (h, p) }} {{ '%(a)s' % {'a': 1} }}", `{"h": "x", "p": 80}`, "x:80 1"},
		{"inline if without else", "[{{ 'y' if false }}]", "", "[]"},
		{"caller", "{% macro m() %}<{{ caller() }}>{% endmacro %}{% call m() %}in{% endcall %}", "", "<in>"},
		{"dict methods keep order", "{{ d.keys() | list }} {{ d.items() | list }}", `{"d": {"z": 1, "a": 2}}`, "['z', 'a'] [('z', 1), ('a', 2)]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := render(t, tc.src, tc.vars, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, vars, typ string
		line                 int
		ext                  []string
	}{
		{"undefined name", "a\n{{ nope }}", "", "UndefinedError", 2, nil},
		{"undefined key", "{{ d['missing'] }}", `{"d": {}}`, "UndefinedError", 1, nil},
		{"undefined attribute of None", "\n\n{{ n.x }}", `{"n": null}`, "UndefinedError", 3, nil},
		{"undefined in condition", "{% if nope %}{% endif %}", "", "UndefinedError", 1, nil},
		{"assert fails", "{{ assert(false, 'bad') }}", "", "AssertionError", 1, nil},
		{"syntax error", "{% if %}", "", "TemplateSyntaxError", 1, nil},
		{"unclosed block", "{% for x in y %}", "", "TemplateSyntaxError", 1, nil},
		{"do needs extension", "{% do x %}", "", "TemplateSyntaxError", 1, []string{}},
		{"break needs extension", "{% for x in [1] %}{% break %}{% endfor %}", "", "TemplateSyntaxError", 1, []string{}},
		{"type error", "{{ 1 + 'a' }}", "", "TypeError", 1, nil},
		{"unknown filter", "{{ 1 | nofilter }}", "", "TemplateAssertionError", 1, nil},
		{"missing template", "{% include 'nothere' %}", "", "TemplateNotFound", 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ext := tc.ext
			if ext != nil && len(ext) == 0 {
				ext = []string{"jinja2.ext.with_"}
			}
			_, err := render(t, tc.src, tc.vars, nil, ext...)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error %s", err, tc.typ)
			}
			if e.Type != tc.typ || e.Line != tc.line || e.Template != "t.in" {
				t.Errorf("err = %+v, want %s at t.in line %d", e, tc.typ, tc.line)
			}
		})
	}
}

func TestContextEntries(t *testing.T) {
	ctx := NewContext()
	for _, name := range []string{"str", "dumps", "six", "assert", "zip"} {
		if err := ctx.Set(name, 1); err == nil || !strings.Contains(err.Error(), "Duplicate context entry") {
			t.Errorf("Set(%q) = %v, want duplicate entry error", name, err)
		}
	}
	if err := ctx.Import("json_module", "json"); err != nil {
		t.Fatal(err)
	}
	if err := ctx.Import("bad", "no.such.module"); err == nil {
		t.Error("unknown module imported")
	}
	if err := ctx.Set("json_module", 1); err == nil {
		t.Error("duplicate import name accepted")
	}
	if _, err := NewEnvironment([]string{"jinja2.ext.i18n"}, nil); err == nil {
		t.Error("unsupported extension accepted")
	}
}

func TestImportList(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lib.in", "{% set V = 'v' ~ who %}{% macro m() %}[{{ who }}]{% endmacro %}\n")
	write("plain.in", "{% macro p() %}plain{% endmacro %}")
	write("tree/sub/part.in", "part {{ who }}\n")
	write("secret", "no")
	l := NewImportList("")
	for _, e := range [][3]string{{"file", "lib", "lib.in"}, {"rawfile", "plain", "plain.in"}, {"rawfolder", "tree", "tree"}} {
		if err := l.Add(e[0], e[1], filepath.Join(dir, e[2])); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Add("file", "lib", filepath.Join(dir, "plain.in")); err == nil {
		t.Error("duplicate alias accepted")
	}
	if err := l.Add("nonsense", "x", dir); err == nil {
		t.Error("unknown type accepted")
	}
	for _, tc := range []struct{ name, src, want string }{
		{"import with context", "{% import 'lib' as lib with context %}{{ lib.m() }} {{ lib.V }}", "[ctx] vctx"},
		{"from import with context", "{% from 'lib' import m, V with context %}{{ m() }}{{ V }}", "[ctx]vctx"},
		{"import without context", "{% import 'plain' as p %}{{ p.p() }}", "plain"},
		{"include folder", "{% include 'tree/sub/part.in' %}!", "part ctx!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := render(t, tc.src, `{"who": "ctx"}`, l)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	for _, src := range []string{
		"{% import 'lib' as lib %}{{ lib.m() }}", // no context: 'who' is undefined
		"{% include 'tree/../secret' %}",
		"{% include 'tree/missing' %}",
	} {
		if _, err := render(t, src, `{"who": "ctx"}`, l); err == nil {
			t.Errorf("%s: rendered without error", src)
		}
	}
	semi := NewImportList(":")
	if err := semi.Add("folder", "tree", filepath.Join(dir, "tree")); err != nil {
		t.Fatal(err)
	}
	if got, err := render(t, "{% include 'tree:sub:part.in' %}", `{"who": "d"}`, semi); err != nil || got != "part d" {
		t.Errorf("custom delimiter: %q, %v", got, err)
	}
}

func TestCheck(t *testing.T) {
	env, err := NewEnvironment([]string{ExtDo}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, src string
		line      int // 0: no error
	}{
		{"valid", "a\n{% for x in y %}{{ x }}{% endfor %}\n{{ nope }}", 0},
		{"undefined is not a syntax error", "{{ undefined_name.attr }}", 0},
		{"bad if", "a\nb\n{% if %}", 3},
		{"unclosed for", "{% for x in y %}\n\nz", 3},
		{"unclosed expression", "x\n{{ a + }}", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := env.Check("t.in", tc.src)
			if tc.line == 0 {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Type != "TemplateSyntaxError" {
				t.Fatalf("Check = %v, want TemplateSyntaxError", err)
			}
			if e.Line != tc.line {
				t.Errorf("line = %d, want %d (%v)", e.Line, tc.line, e)
			}
		})
	}
}
