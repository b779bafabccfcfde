package pyval

import (
	"math"
	"math/big"
	"testing"
)

func mustJSON(t *testing.T, s string) Value {
	t.Helper()
	v, err := FromJSON([]byte(s))
	if err != nil {
		t.Fatalf("FromJSON(%s): %v", s, err)
	}
	return v
}

func TestFormatFloat(t *testing.T) {
	tenth, negZero := 0.1, math.Copysign(0, -1)
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{86400, "86400.0"}, {1e17, "1e+17"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
		{0.1, "0.1"}, {tenth + 0.2, "0.30000000000000004"}, {1e-4, "0.0001"}, {1e-5, "1e-05"},
		{1.5e20, "1.5e+20"}, {1e-7, "1e-07"}, {123456789.0, "123456789.0"}, {negZero, "-0.0"},
		{2.5, "2.5"}, {1.0 / 3, "0.3333333333333333"}, {math.Inf(1), "inf"}, {math.NaN(), "nan"},
		{1.5e300, "1.5e+300"},
	} {
		if got := FormatFloat(tc.f); got != tc.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestReprAndStr(t *testing.T) {
	big20, _ := new(big.Int).SetString("12345678901234567890", 10)
	for _, tc := range []struct {
		name      string
		v         Value
		str, repr string
	}{
		{"none", nil, "None", "None"},
		{"bools", Tuple{true, false}, "(True, False)", "(True, False)"},
		{"int", -4, "-4", "-4"},
		{"bigint", big20, "12345678901234567890", "12345678901234567890"},
		{"str", "it's", "it's", `"it's"`},
		{"str both quotes", `both ' "`, `both ' "`, `'both \' "'`},
		{"str escapes", "a\tb\n\\\x01é\u00a0", "a\tb\n\\\x01é\u00a0", `'a\tb\n\\\x01é\xa0'`},
		{"list", NewList("a", 1, nil, true, 2.5), "['a', 1, None, True, 2.5]", "['a', 1, None, True, 2.5]"},
		{"tuple1", Tuple{"x"}, "('x',)", "('x',)"},
		{"tuple0", Tuple{}, "()", "()"},
		{"dict order", mustJSON(t, `{"z": 1, "a": [1, {"b": null}], "m": {"__tuple__": []}}`),
			"{'z': 1, 'a': [1, {'b': None}], 'm': ()}", "{'z': 1, 'a': [1, {'b': None}], 'm': ()}"},
		{"set", mustJSON(t, `{"__set__": ["only"]}`), "{'only'}", "{'only'}"},
		{"empty set", mustJSON(t, `{"__set__": []}`), "set()", "set()"},
		{"view", &View{Kind: "items", Dict: DictOf(KV{"a", 1})}, "dict_items([('a', 1)])", "dict_items([('a', 1)])"},
		{"range", Range{0, 3, 1}, "range(0, 3)", "range(0, 3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Str(tc.v)
			if err != nil || s != tc.str {
				t.Errorf("Str = %q, %v; want %q", s, err, tc.str)
			}
			r, err := Repr(tc.v)
			if err != nil || r != tc.repr {
				t.Errorf("Repr = %q, %v; want %q", r, err, tc.repr)
			}
		})
	}
}

func TestStrictUndefinedRaises(t *testing.T) {
	u := &Undefined{Strict: true, Hint: "'x' is undefined"}
	if _, err := Str(u); err == nil {
		t.Error("Str(strict undefined) succeeded")
	}
	if _, err := Truth(u); err == nil {
		t.Error("Truth(strict undefined) succeeded")
	}
	if _, err := Iterate(u); err == nil {
		t.Error("Iterate(strict undefined) succeeded")
	}
	if _, err := Add(u, 1); err == nil || err.(*Exception).Type != "UndefinedError" {
		t.Errorf("Add(strict undefined, 1) = %v, want UndefinedError", err)
	}
	lenient := &Undefined{}
	if s, err := Str(lenient); err != nil || s != "" {
		t.Errorf("Str(lenient) = %q, %v", s, err)
	}
}

func TestDictOrderAndMutation(t *testing.T) {
	d := mustJSON(t, `{"b": 1, "a": 2, "c": 3}`).(*Dict)
	call := func(name string, args ...Value) Value {
		t.Helper()
		m, err := GetAttr(d, name)
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.(Callable).Call(args, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	if got, _ := Repr(call("keys")); got != "dict_keys(['b', 'a', 'c'])" {
		t.Errorf("keys = %s", got)
	}
	if got := call("pop", "a"); got != 2 {
		t.Errorf("pop = %v", got)
	}
	if got := call("pop", "zz", "dflt"); got != "dflt" {
		t.Errorf("pop default = %v", got)
	}
	call("setdefault", "a", NewList())
	call("setdefault", "b", "ignored")
	call("update", mustJSON(t, `{"c": 30, "d": 4}`))
	c := call("copy").(*Dict)
	c.SetStr("e", 5)
	if got, _ := Repr(d); got != "{'b': 1, 'c': 30, 'a': [], 'd': 4}" {
		t.Errorf("dict = %s", got)
	}
	if got := call("get", "zz"); got != nil {
		t.Errorf("get missing = %v", got)
	}
	if d.Len() != 4 || c.Len() != 5 {
		t.Errorf("len d=%d c=%d", d.Len(), c.Len())
	}
	// Equal keys: 1, 1.0 and True are one key.
	k := NewDict()
	k.Set(1, "a")
	k.Set(true, "b")
	k.Set(1.0, "c")
	if got, _ := Repr(k); got != "{1: 'c'}" {
		t.Errorf("numeric keys = %s", got)
	}
	if err := k.Set(NewList(), 1); err == nil {
		t.Error("list key accepted")
	}
}

func TestListSharedMutation(t *testing.T) {
	l := NewList(3, 1, 2)
	alias := Value(l)
	for _, step := range []struct {
		method string
		args   []Value
	}{
		{"append", []Value{4}}, {"extend", []Value{Tuple{5, 6}}}, {"insert", []Value{0, 0}},
		{"remove", []Value{5}}, {"sort", nil}, {"reverse", nil},
	} {
		m, err := GetAttr(alias, step.method)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.(Callable).Call(step.args, nil); err != nil {
			t.Fatalf("%s: %v", step.method, err)
		}
	}
	if got, _ := Repr(l); got != "[6, 4, 3, 2, 1, 0]" {
		t.Errorf("list = %s", got)
	}
	pop, _ := GetAttr(l, "pop")
	if v, _ := pop.(Callable).Call([]Value{0}, nil); v != 6 {
		t.Errorf("pop(0) = %v", v)
	}
	idx, _ := GetAttr(l, "index")
	if v, _ := idx.(Callable).Call([]Value{2}, nil); v != 2 {
		t.Errorf("index(2) = %v", v)
	}
}

func TestArithmetic(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(a, b Value) (Value, error)
		a, b Value
		want string
	}{
		{"div", Div, 1, 2, "0.5"}, {"div exact", Div, 4, 2, "2.0"}, {"floordiv neg", FloorDiv, -7, 2, "-4"},
		{"mod neg", Mod, -7, 3, "2"}, {"mod neg divisor", Mod, 7, -3, "-2"}, {"pow", Pow, 2, 10, "1024"},
		{"pow big", Pow, 2, 64, "18446744073709551616"}, {"pow neg", Pow, 2, -1, "0.5"},
		{"add overflow", Add, math.MaxInt64, 1, "9223372036854775808"}, {"mul str", Mul, "ab", 3, "'ababab'"},
		{"add list", Add, NewList(1), NewList(2), "[1, 2]"}, {"float mod", Mod, -7.5, 2, "0.5"},
		{"percent tuple", Mod, "%s:%s", Tuple{"h", 80}, "'h:80'"},
		{"percent dict", Mod, "%(a)s-%(b)05d", DictOf(KV{"a", 1}, KV{"b", 42}), "'1-00042'"},
		{"percent single list", Mod, "%s", NewList(1, 2), "'[1, 2]'"},
		{"percent float", Mod, "%.2f|%e|%g|%x|%r", Tuple{3.14159, 1.5, 1e20, 255, "x"}, `"3.14|1.500000e+00|1e+20|ff|'x'"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := tc.f(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := Repr(v); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := Mod("%s %s", Tuple{"a"}); err == nil {
		t.Error("missing format argument accepted")
	}
	if _, err := Add(1, "a"); err == nil || err.(*Exception).Type != "TypeError" {
		t.Errorf("1 + 'a': %v", err)
	}
}

func TestCompareAndContains(t *testing.T) {
	if c, _ := Compare(NewList(1, 2), NewList(1, 3)); c >= 0 {
		t.Error("[1, 2] < [1, 3] failed")
	}
	if !Equal(1, 1.0) || !Equal(1, true) || Equal("1", 1) {
		t.Error("numeric equality")
	}
	if _, err := Compare("a", 1); err == nil {
		t.Error("'a' < 1 accepted")
	}
	d := mustJSON(t, `{"a": 1}`)
	if ok, _ := Contains(d, "a"); !ok {
		t.Error("'a' in dict")
	}
	if ok, _ := Contains("abc", "bc"); !ok {
		t.Error("'bc' in 'abc'")
	}
	if ok, _ := Contains(Tuple{"a", "b"}, "c"); ok {
		t.Error("'c' in ('a', 'b')")
	}
}

func TestStringMethods(t *testing.T) {
	for _, tc := range []struct {
		s, method string
		args      []Value
		want      string
	}{
		{"  a b  ", "split", nil, "['a', 'b']"},
		{"a,b,,c", "split", []Value{","}, "['a', 'b', '', 'c']"},
		{"a,b,c", "split", []Value{",", 1}, "['a', 'b,c']"},
		{"a,b,c", "rsplit", []Value{",", 1}, "['a,b', 'c']"},
		{"aaa", "replace", []Value{"a", "b", 2}, "'bba'"},
		{"xhix", "strip", []Value{"x"}, "'hi'"},
		{"abc", "startswith", []Value{Tuple{"x", "a"}}, "True"},
		{"héllo", "find", []Value{"l"}, "2"},
		{"a\nb\r\nc", "splitlines", nil, "['a', 'b', 'c']"},
		{"hello world", "title", nil, "'Hello World'"},
		{"ab", "center", []Value{6, "*"}, "'**ab**'"},
		{"-5", "zfill", []Value{4}, "'-005'"},
		{"{}-{0}-{k}", "format", []Value{"a"}, "'a-a-v'"},
		{"a b", "partition", []Value{" "}, "('a', ' ', 'b')"},
	} {
		m, err := GetAttr(tc.s, tc.method)
		if err != nil {
			t.Fatal(err)
		}
		var kw []KV
		if tc.method == "format" {
			kw = []KV{{"k", "v"}}
		}
		v, err := m.(Callable).Call(tc.args, kw)
		if err != nil {
			t.Errorf("%q.%s: %v", tc.s, tc.method, err)
			continue
		}
		if got, _ := Repr(v); got != tc.want {
			t.Errorf("%q.%s%v = %s, want %s", tc.s, tc.method, tc.args, got, tc.want)
		}
	}
}

func TestSliceAndIndex(t *testing.T) {
	l := NewList(1, 2, 3, 4)
	for _, tc := range []struct {
		start, stop, step Value
		want              string
	}{
		{1, nil, nil, "[2, 3, 4]"}, {nil, -1, nil, "[1, 2, 3]"}, {nil, nil, -1, "[4, 3, 2, 1]"},
		{nil, nil, 2, "[1, 3]"}, {10, nil, nil, "[]"}, {-2, nil, nil, "[3, 4]"},
	} {
		v, err := Slice(l, tc.start, tc.stop, tc.step)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := Repr(v); got != tc.want {
			t.Errorf("[%v:%v:%v] = %s, want %s", tc.start, tc.stop, tc.step, got, tc.want)
		}
	}
	if v, _ := Slice("héllo", nil, nil, -1); v != "olléh" {
		t.Errorf("reverse str = %v", v)
	}
	if v, _ := GetItem(l, -1); v != 4 {
		t.Errorf("l[-1] = %v", v)
	}
	if _, err := GetItem(l, 9); err == nil {
		t.Error("l[9] accepted")
	}
}

func TestFromJSONAndOf(t *testing.T) {
	v := mustJSON(t, `{"n": 12345678901234567890, "f": 1.0, "i": 3, "t": {"__tuple__": [1, {"__set__": [2]}]}, "plain": {"__set__": [1], "x": 2}}`)
	if got, _ := Repr(v); got != "{'n': 12345678901234567890, 'f': 1.0, 'i': 3, 't': (1, {2}), 'plain': {'__set__': [1], 'x': 2}}" {
		t.Errorf("FromJSON = %s", got)
	}
	o := Of(map[string]any{"b": []string{"x"}, "a": int64(1), "c": float32(0.5), "d": map[string]string{"k": "v"}})
	if got, _ := Repr(o); got != "{'a': 1, 'b': ['x'], 'c': 0.5, 'd': {'k': 'v'}}" {
		t.Errorf("Of = %s", got)
	}
}

func TestJSONDumps(t *testing.T) {
	v := mustJSON(t, `{"b": [1, 2.5, null, true], "a": "é<'>"}`)
	for _, tc := range []struct {
		o    JSONOptions
		want string
	}{
		{JSONOptions{EnsureASCII: true}, `{"b": [1, 2.5, null, true], "a": "\u00e9<'>"}`},
		{JSONOptions{EnsureASCII: true, SortKeys: true}, `{"a": "\u00e9<'>", "b": [1, 2.5, null, true]}`},
		{JSONOptions{SortKeys: true, HasIndent: true, Indent: " "}, "{\n \"a\": \"é<'>\",\n \"b\": [\n  1,\n  2.5,\n  null,\n  true\n ]\n}"},
	} {
		got, err := JSONDumps(v, tc.o)
		if err != nil || got != tc.want {
			t.Errorf("JSONDumps(%+v) = %q, %v; want %q", tc.o, got, err, tc.want)
		}
	}
}

func TestBuiltins(t *testing.T) {
	call := func(name string, args ...Value) string {
		t.Helper()
		v, err := Builtin(name).(Callable).Call(args, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, _ := Repr(v)
		return r
	}
	for _, tc := range []struct{ got, want string }{
		{call("int", "10"), "10"}, {call("int", 3.9), "3"}, {call("float", "1e3"), "1000.0"},
		{call("str", 1.0), "'1.0'"}, {call("round", 2.675, 2), "2.67"}, {call("round", 2.5), "2"},
		{call("hex", 255), "'0xff'"}, {call("divmod", 7, 2), "(3, 1)"}, {call("len", "héllo"), "5"},
		{call("sorted", NewList("b", "a", "C")), "['C', 'a', 'b']"}, {call("bool", "0"), "True"},
		{call("isinstance", 1, Builtin("int")), "True"}, {call("isinstance", "x", Tuple{Builtin("list"), Builtin("str")}), "True"},
		{call("list", call2(t, "zip", NewList(1, 2), "xy")), "[(1, 'x'), (2, 'y')]"},
		{call("list", Range{1, 10, 3}), "[1, 4, 7]"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
	if _, err := Builtin("int").(Callable).Call([]Value{"x"}, nil); err == nil {
		t.Error("int('x') accepted")
	}
}

func call2(t *testing.T, name string, args ...Value) Value {
	t.Helper()
	v, err := Builtin(name).(Callable).Call(args, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestModules(t *testing.T) {
	if _, err := ImportModule("nonexistent"); err == nil {
		t.Error("unknown module imported")
	}
	up, _ := ImportModule("six.moves.urllib.parse")
	f, _ := up.Attr("urlparse")
	r, err := f.(Callable).Call([]Value{"https://[2001:db8::1]:8443/p?q#f"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for attr, want := range map[string]Value{"hostname": "2001:db8::1", "port": 8443, "path": "/p", "scheme": "https"} {
		if got, _ := GetAttr(r, attr); got != want {
			t.Errorf("urlparse.%s = %v, want %v", attr, got, want)
		}
	}
	re, _ := ImportModule("re")
	esc, _ := re.Attr("escape")
	if v, _ := esc.(Callable).Call([]Value{"a.b-c d"}, nil); v != `a\.b\-c\ d` {
		t.Errorf("re.escape = %v", v)
	}
}
