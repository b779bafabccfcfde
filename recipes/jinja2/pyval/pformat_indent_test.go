package pyval

import "testing"

// TestPformatIndent2 checks pprint.pformat(x, indent=2), which
// slapos.cookbook:promise.plugin uses, against outputs written by Python.
func TestPformatIndent2(t *testing.T) {
	for _, tc := range pformatIndent2Dicts {
		d := NewDict()
		for _, kv := range tc.in {
			d.SetStr(kv[0], kv[1])
		}
		if got, err := PformatIndent(d, 2); err != nil || got != tc.want {
			t.Errorf("PformatIndent(%v, 2) =\n%s (%v)\nwant\n%s", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range pformatIndent2Tuples {
		tu := make(Tuple, len(tc.in))
		for i, s := range tc.in {
			tu[i] = s
		}
		if got, err := PformatIndent(tu, 2); err != nil || got != tc.want {
			t.Errorf("PformatIndent(%q, 2) =\n%s (%v)\nwant\n%s", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"a", "'a'"},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{"a\\b\n\t\x01é", `'a\\b\n\t\x01é'`},
		{"\u0085", `'\x85'`},
	} {
		if got := QuoteString(tc.in); got != tc.want {
			t.Errorf("QuoteString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
