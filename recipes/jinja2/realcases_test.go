package jinja2

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRealCases renders the cases under testdata/realcases: real SlapOS
// corpus templates with contexts built by testdata/probes/realcases.py,
// whose expected outputs come from the corpus reference renderer.
// JINJA2_REALCASES names another folder of such cases instead (the
// probe's full output: realcases.py 1000 DIR).
func TestRealCases(t *testing.T) {
	root := filepath.Join("testdata", "realcases")
	if d := os.Getenv("JINJA2_REALCASES"); d != "" {
		root = d
	}
	cases, err := filepath.Glob(filepath.Join(root, "*", "case.json"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases under %s: %v", root, err)
	}
	for _, c := range cases {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if err := checkCase(dir, true); err != nil {
				t.Error(err)
			}
		})
	}
}
