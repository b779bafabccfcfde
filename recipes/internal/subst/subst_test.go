package subst

import (
	"testing"

	"webrunner/recipes/recipestest"
)

func TestExpand(t *testing.T) {
	h := recipestest.New(t)
	h.Add("a", "b", "B", "sp ace", "S")
	cur := h.Add("cur", "x", "X")
	tests := []struct{ in, want, err string }{
		{"${a:b}/${:x}", "B/X", ""},
		{"${a:sp ace}", "S", ""},
		{"$${a:b} $$ $$$${a:b}", "${a:b} $ $${a:b}", ""},
		{"${:_buildout_section_name_}", "cur", ""},
		{"${ab}", "", "The substitution, ${ab},\ndoesn't contain a colon."},
		{"${a:b:c}", "", "The substitution, ${a:b:c},\nhas too many colons."},
		{"${a/x:b}", "", "The section name in substitution, ${a/x:b},\nhas invalid characters."},
		{"${a:}", "", "The option name in substitution, ${a:},\nhas invalid characters."},
		{"${a:nope}", "", "Referenced option does not exist: a nope"},
		{"${:nope}", "", "Referenced option does not exist: cur nope"},
		{"${none:x}", "", "The referenced section, 'none', was not defined."},
	}
	for _, tc := range tests {
		got, err := Expand(h, cur, tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Expand(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
