package buildout

import "testing"

type fakeList []string

func (l fakeList) String() string { return "['a', 'b']" }

func TestOptionsValues(t *testing.T) {
	o := NewOptions("s")
	o.set("a", "text")
	o.set("none", nil)
	o.set("list", fakeList{"a", "b"})
	for _, tc := range []struct{ key, want string }{
		{"a", "text"},
		{"none", "None"},
		{"list", "['a', 'b']"},
	} {
		if got, ok := o.Get(tc.key); !ok || got != tc.want {
			t.Errorf("Get(%q) = %q, %v; want %q", tc.key, got, ok, tc.want)
		}
	}
	if v, _ := o.Value("none"); v != nil {
		t.Errorf("Value(none) = %#v, want nil", v)
	}
	o.set("unread", "x")
	o.SetValue("by-recipe", "y")
	if u := o.Unused(); len(u) != 1 || u[0] != "unread" {
		t.Errorf("Unused = %q, want [unread]", u)
	}
	o.Delete("a")
	if _, ok := o.Get("a"); ok || len(o.Keys()) != 4 {
		t.Errorf("after Delete: keys %q", o.Keys())
	}
}
