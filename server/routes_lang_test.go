package server

import (
	"os"
	"path/filepath"
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
				Message: "1 problem(s) in extended file(s) project/stack/base.cfg"}}},
		{"extended file through the release", map[string]any{"path": "project/stack/base.cfg"},
			[]lang.Diagnostic{{Path: "project/stack/base.cfg", Line: 4, Severity: "error",
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
