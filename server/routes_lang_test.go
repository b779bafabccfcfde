package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"webrunner/server/lang"
)

func TestLangDiagnostics(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	os.WriteFile(filepath.Join(e.root, "project/software/hello/software.cfg"),
		[]byte("[buildout]\nextends = ../../stack/base.cfg\nparts = a\n[a]\nx = ${b:c}\n"), 0o644)
	os.WriteFile(filepath.Join(e.root, "project/stack/base.cfg"), []byte("[b]\nc = 1\n[d]\ne = ${nowhere:f}\n"), 0o644)
	type result struct{ Diagnostics []lang.Diagnostic }
	for _, tc := range []struct {
		name string
		body map[string]any
		want []lang.Diagnostic
	}{
		{"saved file", map[string]any{"path": "project/software/hello/software.cfg"},
			[]lang.Diagnostic{{Path: "project/software/hello/software.cfg", Line: 1, Severity: "error",
				Message: "1 error(s) in extended file(s): project/stack/base.cfg"}}},
		{"extended file through the release", map[string]any{"path": "project/stack/base.cfg"},
			[]lang.Diagnostic{{Path: "project/stack/base.cfg", Line: 4, Column: 5, Severity: "error",
				Message: "The referenced section, 'nowhere', was not defined."}}},
		{"unsaved content", map[string]any{"path": "project/stack/base.cfg", "content": "[b]\nc = 1\n"}, []lang.Diagnostic{}},
		{"jinja2", map[string]any{"path": "project/software/hello/instance.cfg.in", "content": "{% if %}"},
			[]lang.Diagnostic{{Path: "project/software/hello/instance.cfg.in", Line: 1, Severity: "error",
				Message: "TemplateSyntaxError: unexpected end of statement block"}}},
	} {
		var got result
		if st := c.do("POST", "/api/lang/diagnostics", tc.body, &got); st != 200 {
			t.Fatalf("%s: status %d", tc.name, st)
		}
		if len(got.Diagnostics) != len(tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got.Diagnostics, tc.want)
			continue
		}
		for i := range tc.want {
			if got.Diagnostics[i] != tc.want[i] {
				t.Errorf("%s: %+v, want %+v", tc.name, got.Diagnostics[i], tc.want[i])
			}
		}
	}
	for _, bad := range []map[string]any{{"path": "../outside/secret"}, {}} {
		if st := c.do("POST", "/api/lang/diagnostics", bad, nil); st != 400 && st != 403 && st != 404 {
			t.Errorf("diagnostics of %v: status %d, want 4xx", bad, st)
		}
	}
}

func TestLangDefinitionAndHover(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	os.WriteFile(filepath.Join(e.root, "project/software/hello/software.cfg"),
		[]byte("[buildout]\nextends = ../../stack/base.cfg\nparts = a\n[a]\nx = ${b:c}\n"), 0o644)
	os.WriteFile(filepath.Join(e.root, "project/stack/base.cfg"), []byte("[b]\nc = 1\n"), 0o644)
	var loc lang.Location
	if st := c.do("GET", "/api/lang/definition?path=project/software/hello/software.cfg&line=5&column=9", nil, &loc); st != 200 ||
		loc != (lang.Location{Path: "project/stack/base.cfg", Line: 2}) {
		t.Errorf("definition of ${b:c}: %d %+v", st, loc)
	}
	if st := c.do("GET", "/api/lang/definition?path=project/software/hello/software.cfg&line=2&column=14", nil, &loc); st != 200 ||
		loc != (lang.Location{Path: "project/stack/base.cfg", Line: 1}) {
		t.Errorf("definition of an extends entry: %d %+v", st, loc)
	}
	// POST analyses the unsaved content: the reference moved to line 6.
	body := map[string]any{"path": "project/software/hello/software.cfg", "line": 6, "column": 7,
		"content": "[buildout]\nextends = ../../stack/base.cfg\nparts = a\n[a]\n\nx = ${b:c}\n"}
	if st := c.do("POST", "/api/lang/definition", body, &loc); st != 200 || loc.Line != 1 {
		t.Errorf("definition of [b] in unsaved content: %d %+v", st, loc)
	}
	if st := c.do("GET", "/api/lang/definition?path=project/software/hello/software.cfg&line=3&column=10", nil, nil); st != 404 {
		t.Errorf("definition of a plain value: %d, want 404", st)
	}
	if st := c.do("GET", "/api/lang/definition?path=project/software/hello/software.cfg&line=x&column=1", nil, nil); st != 400 {
		t.Errorf("bad line: %d, want 400", st)
	}
	var hover struct{ Text string }
	if st := c.do("GET", "/api/lang/hover?path=project/software/hello/software.cfg&line=5&column=1", nil, &hover); st != 200 ||
		!strings.Contains(hover.Text, "= 1") || !strings.Contains(hover.Text, "project/software/hello/software.cfg:5") {
		t.Errorf("hover of x: %d %q", st, hover.Text)
	}
}

func TestLangCompletion(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	var got struct{ Items []lang.CompletionItem }
	body := map[string]any{"path": "project/software/hello/software.cfg", "line": 3, "column": 9,
		"content": "[buildout]\nparts =\nx = ${bu\n"}
	if st := c.do("POST", "/api/lang/completion", body, &got); st != 200 || len(got.Items) == 0 || got.Items[0].Label != "buildout" {
		t.Errorf("completion: %d %+v", st, got.Items)
	}
}
