package lang

import (
	"strings"
	"testing"
)

var symbolFiles = map[string]string{
	"p/software.cfg": "[buildout]\nextends =\n  base.cfg\n  ../stack/s.cfg\nparts = a\n\n[a]\n<= tpl\nx = ${b:z} ${:y}\ny = 2\nz = ${a:location} ${nowhere:x}\n",
	"p/base.cfg":     "[b]\nz = 1\n  3\n\n[tpl]\nrecipe = r\nu = ${:y}/${b:z}\n",
	"stack/s.cfg":    "[b]\nz -= 3\n",
}

// col returns the 1-based column of the first occurrence of sub in line n
// of src, plus off.
func col(t *testing.T, src string, n int, sub string, off int) int {
	t.Helper()
	i := strings.Index(strings.Split(src, "\n")[n-1], sub)
	if i < 0 {
		t.Fatalf("%q not in line %d", sub, n)
	}
	return i + 1 + off
}

func TestDefinition(t *testing.T) {
	a := workspace(t, symbolFiles)
	src := symbolFiles["p/software.cfg"]
	for _, tc := range []struct {
		name      string
		line, col int
		want      Location
		wantFound bool
	}{
		{"option of a reference", 9, col(t, src, 9, "${b:z}", 4), Location{"p/base.cfg", 2}, true},
		{"section of a reference", 9, col(t, src, 9, "${b:z}", 2), Location{"p/base.cfg", 1}, true},
		{"own option", 9, col(t, src, 9, "${:y}", 3), Location{"p/software.cfg", 10}, true},
		{"macro base", 8, 4, Location{"p/base.cfg", 5}, true},
		{"option inherited through a macro", 7, 2, Location{"p/software.cfg", 7}, true},
		{"extends entry", 3, 4, Location{"p/base.cfg", 1}, true},
		{"extends entry in a parent folder", 4, 8, Location{"stack/s.cfg", 1}, true},
		{"option key", 10, 1, Location{"p/software.cfg", 10}, true},
		{"blank", 6, 1, Location{}, false},
		{"parts entry", 5, 9, Location{"p/software.cfg", 7}, true},
		{"computed option: its section", 11, 16, Location{"p/software.cfg", 7}, true},
		{"unknown section", 11, 25, Location{}, false},
		{"plain value", 10, 5, Location{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, found, err := a.Definition(t.Context(), Request{Path: "p/software.cfg", Release: "p/software.cfg"}, tc.line, tc.col)
			if err != nil {
				t.Fatal(err)
			}
			if found != tc.wantFound || got != tc.want {
				t.Errorf("Definition(%d:%d) = %+v %v, want %+v %v", tc.line, tc.col, got, found, tc.want, tc.wantFound)
			}
		})
	}
}

func TestHover(t *testing.T) {
	a := workspace(t, symbolFiles)
	src := symbolFiles["p/software.cfg"]
	for _, tc := range []struct {
		name      string
		line, col int
		want      []string // substrings, in order
	}{
		{"reference with history", 9, col(t, src, 9, "${b:z}", 4),
			[]string{"${b:z}", "= 1", "History:", "SET", "p/base.cfg:2", "1 3", "REMOVE", "stack/s.cfg:2"}},
		{"option key with substitution", 9, 1, []string{"${a:x}", "= 1 2", "SET", "p/software.cfg:9"}},
		{"blank line", 6, 1, nil},
		{"section", 7, 2, []string{"[a] defined at p/software.cfg:7", "option(s):", "recipe"}},
		{"missing option", 9, col(t, src, 9, "${:y}", 3), []string{"${a:y}", "= 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, found, err := a.Hover(t.Context(), Request{Path: "p/software.cfg", Release: "p/software.cfg"}, tc.line, tc.col)
			if err != nil {
				t.Fatal(err)
			}
			if found != (tc.want != nil) {
				t.Fatalf("Hover found = %v, text %q", found, got)
			}
			rest := got
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("Hover =\n%s\nmissing %q (in order)", got, w)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestHoverMacroHistory(t *testing.T) {
	a := workspace(t, symbolFiles)
	got, _, err := a.Hover(t.Context(), Request{Path: "p/base.cfg", Release: "p/software.cfg",
		Content: ptr("[b]\nz = 1\n  3\n\n[tpl]\nrecipe = r\nu = ${:y}/${b:z}\nv = ${a:recipe}\n")}, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"${a:recipe}", "= r", "MACRO"} {
		if !strings.Contains(got, w) {
			t.Errorf("Hover =\n%s\nmissing %q", got, w)
		}
	}
}
