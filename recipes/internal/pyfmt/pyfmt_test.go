package pyfmt

import "testing"

func TestRepr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a", "'a'"},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{"a\\b\n\t\x01é", `'a\\b\n\t\x01é'`},
		{"\u0085", `'\x85'`},
	}
	for _, tc := range tests {
		if got := Repr(tc.in); got != tc.want {
			t.Errorf("Repr(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestPformat(t *testing.T) {
	for _, tc := range dictCases {
		if got := PformatDict(tc.in); got != tc.want {
			t.Errorf("PformatDict(%v) =\n%s\nwant\n%s", tc.in, got, tc.want)
		}
	}
	for _, tc := range tupleCases {
		if got := PformatTuple(tc.in); got != tc.want {
			t.Errorf("PformatTuple(%v) =\n%s\nwant\n%s", tc.in, got, tc.want)
		}
	}
}
