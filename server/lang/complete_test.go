package lang

import (
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	a := workspace(t, symbolFiles)
	src := "[buildout]\nextends = base.cfg\n\n[a]\nown = 1\nx = ${\ny = ${b:\nz = ${:o\nw = ${b:z} plain\nv = $${b\n"
	for _, tc := range []struct {
		name      string
		line, col int
		want      string // labels, space-separated
	}{
		{"sections", 6, 7, "a b buildout tpl versions"},
		{"options of a section", 7, 9, "z"},
		{"options of the current section", 8, 9, "own v w x y z"},
		{"after a closed reference", 9, 17, ""},
		{"outside a reference", 5, 3, ""},
		{"escaped reference", 10, 9, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := a.Complete(t.Context(), Request{Path: "p/new.cfg", Content: &src}, tc.line, tc.col)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Label)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("Complete(%d:%d) = %q, want %q", tc.line, tc.col, got, tc.want)
			}
		})
	}
}
