package promise

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"webrunner/recipes/jinja2/pyval"
)

// TestReprMatchesPython compares the Python reprs and JSON encodings the
// engine writes with those of the real interpreter.
func TestReprMatchesPython(t *testing.T) {
	python := requirePython(t)
	strs := []string{"", "plain", "it's", `say "hi"`, `both ' and "`, "tab\tnew\nline\r", "back\\slash",
		"nul\x00bell\x07del\x7f", "é ü 日本", "\u00a0nbsp", "\u2028sep", "emoji 😀", "<&>"}
	floats := []float64{0, 0.05, 0.1, 3 * 0.05, 2, 20, 1704164645.123456, 1e-5, 1e16, 123456789.5}
	in, _ := json.Marshal(map[string]any{"s": strs, "f": floats})
	script := `
import sys, json
d = json.load(sys.stdin)
out = {"repr": [repr(s) for s in d["s"]], "json": [json.dumps(s) for s in d["s"]],
       "bytes": [repr(s.encode()) for s in d["s"]], "float": [repr(float(f)) for f in d["f"]]}
json.dump(out, sys.stdout)
`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var want struct{ Repr, JSON, Bytes, Float []string }
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range strs {
		if got := pyval.QuoteString(s); got != want.Repr[i] {
			t.Errorf("pyval.QuoteString(%q) = %s, Python %s", s, got, want.Repr[i])
		}
		if got := pyval.JSONString(s); got != want.JSON[i] {
			t.Errorf("pyval.JSONString(%q) = %s, Python %s", s, got, want.JSON[i])
		}
		if got := pyBytesRepr([]byte(s)); got != want.Bytes[i] {
			t.Errorf("pyBytesRepr(%q) = %s, Python %s", s, got, want.Bytes[i])
		}
	}
	for i, f := range floats {
		if got := pyFloat(f); got != want.Float[i] {
			t.Errorf("pyFloat(%v) = %s, Python %s", f, got, want.Float[i])
		}
	}
}

func TestPyParse(t *testing.T) {
	if n, err := pyParseInt(" 1_000 "); n != 1000 || err != nil {
		t.Errorf("int: %d %v", n, err)
	}
	if _, err := pyParseInt("8080a"); err == nil || err.Error() != "invalid literal for int() with base 10: '8080a'" {
		t.Errorf("int error: %v", err)
	}
	if f, err := pyParseFloat("2.5"); f != 2.5 || err != nil {
		t.Errorf("float: %v %v", f, err)
	}
	if _, err := pyParseFloat("often"); err == nil || describe(err) != "ValueError: could not convert string to float: 'often'" {
		t.Errorf("float error: %v", err)
	}
}
