package option

import (
	"os"
	"testing"

	"webrunner/buildout"
)

func TestBool(t *testing.T) {
	o := buildout.NewOptions("s")
	for _, tc := range []struct {
		v       string
		want    bool
		wantErr bool
	}{{"yes", true, false}, {"TRUE", true, false}, {"on", true, false}, {"1", true, false}, {"y", true, false},
		{"no", false, false}, {"Off", false, false}, {"0", false, false}, {"", true, false}, {"maybe", false, true}} {
		o.Set("k", tc.v)
		got, err := Bool(o, "k", true)
		if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
			t.Errorf("Bool(%q) = %v, %v", tc.v, got, err)
		}
	}
	if got, _ := Bool(o, "absent", true); !got {
		t.Error("absent option does not give the default")
	}
}

func TestMode(t *testing.T) {
	o := buildout.NewOptions("s")
	for _, tc := range []struct {
		v    string
		want os.FileMode
		ok   bool
		err  bool
	}{{"0755", 0o755, true, false}, {"700", 0o700, true, false}, {"0o640", 0o640, true, false},
		{"4755", 0o755 | os.ModeSetuid, true, false}, {"", 0, false, false}, {"9", 0, false, true}, {"77777", 0, false, true}} {
		o.Set("mode", tc.v)
		got, ok, err := Mode(o, "mode")
		if got != tc.want || ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("Mode(%q) = %o, %v, %v", tc.v, got, ok, err)
		}
	}
}

func TestRequiredAndLines(t *testing.T) {
	o := buildout.NewOptions("part")
	if _, err := Required(o, "x"); err == nil || err.Error() != "Missing option: part:x" {
		t.Errorf("Required: %v", err)
	}
	if got := Lines("\n a \n\n b\t\n"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("Lines = %q", got)
	}
}
