package template

import (
	"context"
	"os"
	"strings"
	"testing"

	"webrunner/recipes/internal/files"
	"webrunner/recipes/jinja2/pyval"
	"webrunner/recipes/recipestest"
)

const jinja2Name = "slapos.recipe.template:jinja2"

// The README example of slapos.recipe.template:jinja2 (spec §4.2).
const readmeTemplate = `{{bar}}
Knights who say "{{knight}}"
${this:is_literal}
${foo:{{bar}}}
swallow: {{ json_module.dumps(("african", "european")) }}
parameters from section: {{ param_dict | dictsort }}
Rendered with {{recipe}}
`

const readmeOutput = `value
Knights who say "Ni !"
${this:is_literal}
${foo:value}
swallow: ["african", "european"]
parameters from section: [('bar', 'bar'), ('foo', '1')]
Rendered with slapos.recipe.template:jinja2`

func TestJinja2Readme(t *testing.T) {
	h := recipestest.New(t)
	os.WriteFile(h.Path("foo.in"), []byte(readmeTemplate), 0o644)
	h.Add("parameter-collection", "foo", "1", "bar", "bar")
	h.Add("section", "key", "value")
	h.Add("template", "recipe", jinja2Name, "template", h.Path("foo.in"), "rendered", h.Path("foo"),
		"context", "\n    key     bar          section:key\n    key     recipe       :recipe\n    raw     knight       Ni !\n"+
			"    import  json_module  json\n    section param_dict   parameter-collection\n")
	paths, err := h.Install(context.Background(), jinja2Name, "template")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != h.Path("foo") {
		t.Errorf("paths = %q", paths)
	}
	if got := recipestest.Read(t, h.Path("foo")); got != readmeOutput {
		t.Errorf("output:\n%s\nwant:\n%s", got, readmeOutput)
	}
	if m := recipestest.Mode(t, h.Path("foo")); m != 0o666&^files.Umask() {
		t.Errorf("mode = %o", m)
	}
}

func TestJinja2(t *testing.T) {
	umask := files.Umask()
	tests := []struct {
		name    string
		file    string // content of t.in, used as url when not empty
		opts    []string
		want    string
		mode    os.FileMode
		wantErr string
	}{
		{name: "inline template", opts: []string{"template", "inline:\n  Hello {{ name }}\n", "context", "raw name World"},
			want: "  Hello World", mode: 0o666 &^ umask},
		{name: "inline option", opts: []string{"inline", "{{ 1 + 1 }}"}, want: "2", mode: 0o666 &^ umask},
		{name: "url and output", file: "{{ x }}\n\n", opts: []string{"context", "raw x y"}, want: "y\n", mode: 0o666 &^ umask},
		{name: "shebang", file: "#!/bin/sh\necho {{ x }}\n", opts: []string{"context", "raw x hi"}, want: "#!/bin/sh\necho hi", mode: 0o777 &^ umask},
		{name: "mode", file: "x", opts: []string{"mode", "0600"}, want: "x", mode: 0o600},
		{name: "json and jsonkey", file: "{{ a['k'][1] }} {{ b }}", opts: []string{"context", "json a {\"k\": [1, 2]}\njsonkey b sec:j", "dummy", ""},
			want: "2 {'z': None}", mode: 0o666 &^ umask},
		{name: "json is Python's json.loads (no set tags)", file: "{{ a }}", opts: []string{"context", `json a {"__set__": [1]}`},
			want: "{'__set__': [1]}", mode: 0o666 &^ umask},
		{name: "structured key", file: "{{ d['ip'] }} {{ s | list }} {{ d }}", opts: []string{"context", "key d sec:dict\nkey s sec:set"},
			want: "::1 ['a'] {'ip': '::1'}", mode: 0o666 &^ umask},
		{name: "extensions", file: "{% set l = [] %}{% do l.append(3) %}{{ l }}", opts: []string{"extensions", "jinja2.ext.do"},
			want: "[3]", mode: 0o666 &^ umask},
		{name: "md5sum ok", file: "hello world", opts: []string{"md5sum", "5eb63bbbe01eeed093cb22bb8f5acdc3"}, want: "hello world", mode: 0o666 &^ umask},
		{name: "md5sum mismatch", file: "hello", opts: []string{"md5sum", "5eb63bbbe01eeed093cb22bb8f5acdc3"},
			wantErr: "MD5 checksum mismatch for local resource at '{dir}/t.in'."},
		{name: "undefined", file: "{{ nope }}", wantErr: "'nope' is undefined"},
		{name: "duplicate context", file: "x", opts: []string{"context", "raw str x"}, wantErr: "Duplicate context entry 'str'"},
		{name: "bad context type", file: "x", opts: []string{"context", "rawish a b"}, wantErr: `unknown type "rawish"`},
		{name: "short context line", file: "x", opts: []string{"context", "raw a"}, wantErr: `"raw a" is not TYPE NAME EXPRESSION`},
		{name: "bad key", file: "x", opts: []string{"context", "key a nocolon"}, wantErr: `"nocolon" must be section:option`},
		{name: "missing key", file: "x", opts: []string{"context", "key a sec:nope"}, wantErr: "Missing option: sec:nope"},
		{name: "no template", opts: []string{"mode", "0600"}, wantErr: "one of the options 'inline' 'url' is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			sec := h.Add("sec", "j", `{"z": null}`)
			d := pyval.NewDict()
			d.SetStr("ip", "::1")
			sec.SetValue("dict", d)
			s, _ := pyval.NewSet("a")
			sec.SetValue("set", s)
			out := h.Path("out/rendered")
			opts := []string{"output", out}
			if tc.file != "" {
				os.WriteFile(h.Path("t.in"), []byte(tc.file), 0o644)
				opts = append(opts, "url", h.Path("t.in"))
			}
			h.Add("tpl", append(opts, tc.opts...)...)
			paths, err := h.Install(context.Background(), jinja2Name, "tpl")
			if tc.wantErr != "" {
				recipestest.ErrorContains(t, err, strings.ReplaceAll(tc.wantErr, "{dir}", h.Dir))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) != 1 || paths[0] != out {
				t.Errorf("paths = %q", paths)
			}
			if got := recipestest.Read(t, out); got != tc.want {
				t.Errorf("output = %q, want %q", got, tc.want)
			}
			if m := recipestest.Mode(t, out); m != tc.mode {
				t.Errorf("mode = %o, want %o", m, tc.mode)
			}
		})
	}
}

func TestJinja2ImportList(t *testing.T) {
	h := recipestest.New(t)
	os.MkdirAll(h.Path("lib/sub"), 0o755)
	os.WriteFile(h.Path("macros.in"), []byte("{% macro hi(n) %}hi {{ n }}{% endmacro %}"), 0o644)
	os.WriteFile(h.Path("lib/sub/part.in"), []byte("included"), 0o644)
	os.WriteFile(h.Path("main.in"), []byte("{% import 'm' as m %}{{ m.hi('x') }} {% include 'tree/sub/part.in' %}"), 0o644)
	h.Add("macros", "path", h.Path("macros.in"))
	h.Add("tpl", "url", h.Path("main.in"), "output", h.Path("out"),
		"import-list", "file m macros:path\nrawfolder tree "+h.Path("lib"))
	if _, err := h.Install(context.Background(), jinja2Name, "tpl"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, h.Path("out")); got != "hi x included" {
		t.Errorf("output = %q", got)
	}
	h.Add("dup", "inline", "x", "output", h.Path("o2"), "import-list", "rawfile a /x\nrawfile a /y")
	_, err := h.Install(context.Background(), jinja2Name, "dup")
	recipestest.ErrorContains(t, err, "Duplicate import-list entry 'a'")
}

func TestJinja2OnceAndUpdate(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	os.WriteFile(h.Path("t.in"), []byte("v1"), 0o644)
	once := h.Path("once-done")
	h.Add("tpl", "url", h.Path("t.in"), "output", h.Path("out"), "once", once)
	paths, err := h.Install(ctx, jinja2Name, "tpl")
	if err != nil || len(paths) != 0 {
		t.Fatalf("once install = %q, %v", paths, err)
	}
	if _, err := os.Stat(once); err != nil {
		t.Fatal("once file not created")
	}
	os.WriteFile(h.Path("t.in"), []byte("v2"), 0o644)
	if _, err := h.Update(ctx, jinja2Name, "tpl"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, h.Path("out")); got != "v1" {
		t.Errorf("once: re-rendered to %q", got)
	}
	// Without once, update renders again; an unchanged output is not rewritten.
	h.Add("plain", "url", h.Path("t.in"), "output", h.Path("out2"))
	if _, err := h.Install(ctx, jinja2Name, "plain"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(h.Path("out2"))
	if _, err := h.Update(ctx, jinja2Name, "plain"); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(h.Path("out2"))
	if !os.SameFile(before, after) {
		t.Error("unchanged output recreated")
	}
	os.WriteFile(h.Path("t.in"), []byte("v3"), 0o644)
	if _, err := h.Update(ctx, jinja2Name, "plain"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, h.Path("out2")); got != "v3" {
		t.Errorf("update did not re-render: %q", got)
	}
}
