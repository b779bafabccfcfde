package pyval

import (
	"fmt"
	"os"
	"testing"
)

func TestSetOrderFollowsCPython(t *testing.T) {
	for _, tc := range []struct {
		items []Value
		want  string
	}{
		// Expected values printed by CPython 3.11.
		{[]Value{3, 1, 2}, "{1, 2, 3}"},
		{[]Value{1000, 8, 16, 24, 32, 40, 48, 56, 64}, "{32, 64, 1000, 8, 40, 16, 48, 24, 56}"},
		{[]Value{true, 0, 2}, "{0, True, 2}"},
		{[]Value{"b", "a"}, "{'b', 'a'}"}, // random in CPython: insertion order
	} {
		s, err := NewSet(tc.items...)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := Repr(s); got != tc.want {
			t.Errorf("set(%v) = %s, want %s", tc.items, got, tc.want)
		}
	}
}

func TestPformat(t *testing.T) {
	d := mustJSON(t, `{"b": 1, "a": {"d": [1, 2], "c": null}}`)
	if got, _ := Pformat(d); got != "{'a': {'c': None, 'd': [1, 2]}, 'b': 1}" {
		t.Errorf("short pformat = %s", got)
	}
	items := make([]Value, 30)
	for i := range items {
		items[i] = i
	}
	got, _ := Pformat(NewList(items...))
	if want := "[0,\n 1,\n 2,"; got[:len(want)] != want {
		t.Errorf("long pformat starts %q", got[:12])
	}
}

func TestHashlibAndCase(t *testing.T) {
	h, _ := ImportModule("hashlib")
	md5, _ := h.Attr("md5")
	obj, err := md5.(Callable).Call([]Value{"abc"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hexdigest, _ := GetAttr(obj, "hexdigest")
	if v, _ := hexdigest.(Callable).Call(nil, nil); v != "900150983cd24fb0d6963f7d28e17f72" {
		t.Errorf("md5 = %v", v)
	}
	for _, tc := range []struct{ got, want string }{
		{Upper("straße"), "STRASSE"}, {Lower("ΟΔΟΣ"), "οδος"}, {Title("ǆemal x1y"), "ǅemal X1Y"},
		{Capitalize("ﬁne"), "Fine"}, {Casefold("Straße"), "strasse"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestStrFormatNested(t *testing.T) {
	for _, tc := range []struct {
		format string
		args   []Value
		kw     []KV
		want   string
	}{
		{"{:>{}}|", []Value{"a", 5}, nil, "    a|"},
		{"{:{w}.{p}f}", []Value{3.14159}, []KV{{"w", 8}, {"p", 2}}, "    3.14"},
		{"{0:^{1}}|", []Value{"x", 5}, nil, "  x  |"},
		{"{:,}", []Value{1234567}, nil, "1,234,567"},
		{"{!r:>6}", []Value{"a"}, nil, "   'a'"},
	} {
		got, err := StrFormat(tc.format, tc.args, tc.kw)
		if err != nil || got != tc.want {
			t.Errorf("%q.format(%v) = %q, %v; want %q", tc.format, tc.args, got, err, tc.want)
		}
	}
}

func TestStringer(t *testing.T) {
	d := mustJSON(t, `{"k": [1, "a", null]}`)
	if got := fmt.Sprint(d); got != "{'k': [1, 'a', None]}" {
		t.Errorf("fmt.Sprint(dict) = %s", got)
	}
}

func TestUnquote(t *testing.T) {
	// Expected values from Python's urllib.parse.unquote.
	for in, want := range map[string]string{
		"a%20b":        "a b",
		"%zz%e9%41%":   "%zz\ufffdA%",
		"%C3%A9%e9%e9": "é\ufffd\ufffd",
		"%e9%80x":      "\ufffdx",
		"%":            "%",
		"%4":           "%4",
		"plain+text":   "plain+text",
	} {
		if got := Unquote(in); got != want {
			t.Errorf("Unquote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOSIDs(t *testing.T) {
	m, err := ImportModule("os")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"getuid": os.Getuid(), "geteuid": os.Geteuid(), "getgid": os.Getgid(), "getegid": os.Getegid()} {
		f, ok := m.Attr(name)
		if !ok {
			t.Fatalf("os.%s missing", name)
		}
		got, err := f.(Callable).Call(nil, nil)
		if err != nil || got != want {
			t.Errorf("os.%s() = %v, %v; want %d", name, got, err, want)
		}
	}
}

func TestNormPath(t *testing.T) {
	// Expected values from Python's posixpath.normpath.
	for in, want := range map[string]string{
		"": ".", "//a//b/..": "//a", "///a": "/a", "a/../..": "..", "/..": "/",
		"//": "//", "./a/": "a", "a/./b/../c": "a/c",
	} {
		if got := NormPath(in); got != want {
			t.Errorf("NormPath(%q) = %q, want %q", in, got, want)
		}
	}
}
