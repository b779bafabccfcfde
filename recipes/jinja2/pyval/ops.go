package pyval

import (
	"math"
	"math/big"
	"strings"
	"unicode/utf8"
)

// Truth returns Python's bool(v).
func Truth(v Value) (bool, error) {
	switch v := unmark(v).(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case int:
		return v != 0, nil
	case *big.Int:
		return v.Sign() != 0, nil
	case float64:
		return v != 0, nil
	case string:
		return v != "", nil
	case *List:
		return len(v.Items) > 0, nil
	case Tuple:
		return len(v) > 0, nil
	case *Dict:
		return v.Len() > 0, nil
	case *Set:
		return v.Len() > 0, nil
	case *View:
		return v.Dict.Len() > 0, nil
	case Range:
		return v.Len() > 0, nil
	case *Undefined:
		if v.Strict {
			return false, v.Err()
		}
		return false, nil
	}
	return true, nil
}

// Iterate returns the items iteration over v yields: the keys of a dict,
// the characters of a str, the elements of a sequence. An iterator is
// consumed.
func Iterate(v Value) ([]Value, error) {
	switch v := unmark(v).(type) {
	case *List:
		return v.Items, nil
	case Tuple:
		return v, nil
	case *Dict:
		return v.keys, nil
	case *Set:
		return v.Items(), nil
	case *View:
		return v.Items(), nil
	case string:
		out := make([]Value, 0, len(v))
		for _, r := range v {
			out = append(out, string(r))
		}
		return out, nil
	case Range:
		n := v.Len()
		out := make([]Value, n)
		for i := range n {
			out[i] = v.Start + i*v.Step
		}
		return out, nil
	case *Iterator:
		if v.Gen != nil {
			// Python would loop forever.
			return nil, Errorf("OverflowError", "cannot consume the endless iterator %s", v.Repr())
		}
		out := v.Items[v.Pos:]
		v.Pos = len(v.Items)
		return out, nil
	case *Undefined:
		if v.Strict {
			return nil, v.Err()
		}
		return nil, nil
	case interface{ PyIter() ([]Value, error) }:
		return v.PyIter()
	}
	return nil, Errorf("TypeError", "'%s' object is not iterable", TypeName(v))
}

// Len returns Python's len(v).
func Len(v Value) (int, error) {
	switch v := unmark(v).(type) {
	case string:
		return utf8.RuneCountInString(v), nil
	case *List:
		return len(v.Items), nil
	case Tuple:
		return len(v), nil
	case *Dict:
		return v.Len(), nil
	case *Set:
		return v.Len(), nil
	case *View:
		return v.Dict.Len(), nil
	case Range:
		return v.Len(), nil
	case *NamedTuple:
		return len(v.Values), nil
	case *Undefined:
		if v.Strict {
			return 0, v.Err()
		}
		return 0, nil
	}
	return 0, Errorf("TypeError", "object of type '%s' has no len()", TypeName(v))
}

// Contains returns Python's (item in container).
func Contains(container, item Value) (bool, error) {
	container, item = unmark(container), unmark(item)
	switch c := container.(type) {
	case string:
		s, ok := item.(string)
		if !ok {
			return false, Errorf("TypeError", "'in <string>' requires string as left operand, not %s", TypeName(item))
		}
		return strings.Contains(c, s), nil
	case *Dict:
		_, ok, err := c.Get(item)
		return ok, err
	case *Set:
		return c.Contains(item)
	case *Undefined:
		return false, c.Err()
	}
	items, err := Iterate(container)
	if err != nil {
		return false, Errorf("TypeError", "argument of type '%s' is not iterable", TypeName(container))
	}
	for _, it := range items {
		if Equal(it, item) {
			return true, nil
		}
	}
	return false, nil
}

// numeric classifies v as an int (bool included) or float.
func numeric(v Value) (i *big.Int, f float64, kind int) {
	switch v := v.(type) {
	case bool:
		if v {
			return big.NewInt(1), 1, 1
		}
		return big.NewInt(0), 0, 1
	case int:
		return big.NewInt(int64(v)), float64(v), 1
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return v, f, 1
	case float64:
		return nil, v, 2
	}
	return nil, 0, 0
}

// Equal returns Python's (a == b).
func Equal(a, b Value) bool {
	a, b = unmark(a), unmark(b)
	switch a := a.(type) {
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case nil:
		return b == nil
	case int:
		if bi, ok := b.(int); ok {
			return a == bi
		}
	case *List:
		bl, ok := b.(*List)
		return ok && equalSeq(a.Items, bl.Items)
	case Tuple:
		if bn, ok := b.(*NamedTuple); ok {
			b = bn.Values
		}
		bt, ok := b.(Tuple)
		return ok && equalSeq(a, bt)
	case *Dict:
		bd, ok := b.(*Dict)
		if !ok || a.Len() != bd.Len() {
			return false
		}
		for i, k := range a.keys {
			v, ok, _ := bd.Get(k)
			if !ok || !Equal(a.vals[i], v) {
				return false
			}
		}
		return true
	case *Set:
		bs, ok := b.(*Set)
		if !ok || a.Len() != bs.Len() {
			return false
		}
		for _, k := range a.Items() {
			if ok, _ := bs.Contains(k); !ok {
				return false
			}
		}
		return true
	case *View:
		bv, ok := b.(*View)
		return ok && a.Kind == bv.Kind && equalSeq(a.Items(), bv.Items())
	case Range:
		br, ok := b.(Range)
		return ok && a == br
	case *NamedTuple:
		return Equal(a.Values, b)
	}
	ai, af, ak := numeric(a)
	bi, bf, bk := numeric(b)
	if ak == 0 || bk == 0 {
		return a == b
	}
	if ak == 1 && bk == 1 {
		return ai.Cmp(bi) == 0
	}
	return af == bf
}

func equalSeq(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Compare returns -1, 0 or 1 ordering a and b as Python's < does, or a
// TypeError when they are not orderable.
func Compare(a, b Value) (int, error) {
	a, b = unmark(a), unmark(b)
	if n, ok := a.(*NamedTuple); ok {
		a = n.Values
	}
	if n, ok := b.(*NamedTuple); ok {
		b = n.Values
	}
	switch a := a.(type) {
	case string:
		if bs, ok := b.(string); ok {
			return strings.Compare(a, bs), nil
		}
	case *List:
		if bl, ok := b.(*List); ok {
			return compareSeq(a.Items, bl.Items)
		}
	case Tuple:
		if bt, ok := b.(Tuple); ok {
			return compareSeq(a, bt)
		}
	case int:
		if bi, ok := b.(int); ok {
			switch {
			case a < bi:
				return -1, nil
			case a > bi:
				return 1, nil
			}
			return 0, nil
		}
	}
	ai, af, ak := numeric(a)
	bi, bf, bk := numeric(b)
	if ak != 0 && bk != 0 {
		if ak == 1 && bk == 1 {
			return ai.Cmp(bi), nil
		}
		switch {
		case af < bf:
			return -1, nil
		case af > bf:
			return 1, nil
		}
		return 0, nil
	}
	if u, ok := a.(*Undefined); ok && u.Strict {
		return 0, u.Err()
	}
	if u, ok := b.(*Undefined); ok && u.Strict {
		return 0, u.Err()
	}
	return 0, Errorf("TypeError", "'<' not supported between instances of '%s' and '%s'", TypeName(a), TypeName(b))
}

func compareSeq(a, b []Value) (int, error) {
	for i := 0; i < len(a) && i < len(b); i++ {
		if Equal(a[i], b[i]) {
			continue
		}
		return Compare(a[i], b[i])
	}
	switch {
	case len(a) < len(b):
		return -1, nil
	case len(a) > len(b):
		return 1, nil
	}
	return 0, nil
}

// normInt returns a *big.Int result as int when it fits.
func normInt(z *big.Int) Value {
	if z.IsInt64() {
		return int(z.Int64())
	}
	return z
}

func checkUndef(vs ...Value) error {
	for _, v := range vs {
		if u, ok := v.(*Undefined); ok && u.Strict {
			return u.Err()
		}
	}
	return nil
}

func opError(op string, a, b Value) error {
	if err := checkUndef(a, b); err != nil {
		return err
	}
	return Errorf("TypeError", "unsupported operand type(s) for %s: '%s' and '%s'", op, TypeName(a), TypeName(b))
}

// Add returns a + b.
func Add(a, b Value) (Value, error) {
	if r, err := markupAdd(a, b); r != nil || err != nil {
		return r, err
	}
	if x, ok := a.(int); ok {
		if y, ok := b.(int); ok {
			s := x + y
			if (s > x) == (y > 0) {
				return s, nil
			}
		}
	}
	switch a := a.(type) {
	case string:
		if bs, ok := b.(string); ok {
			return a + bs, nil
		}
		return nil, Errorf("TypeError", "can only concatenate str (not \"%s\") to str", TypeName(b))
	case *List:
		if bl, ok := b.(*List); ok {
			items := make([]Value, 0, len(a.Items)+len(bl.Items))
			return &List{Items: append(append(items, a.Items...), bl.Items...)}, nil
		}
		return nil, opError("+", a, b)
	case Tuple:
		if bt, ok := b.(Tuple); ok {
			return append(append(Tuple{}, a...), bt...), nil
		}
		return nil, opError("+", a, b)
	}
	ai, af, ak := numeric(a)
	bi, bf, bk := numeric(b)
	switch {
	case ak == 0 || bk == 0:
		return nil, opError("+", a, b)
	case ak == 1 && bk == 1:
		return normInt(new(big.Int).Add(ai, bi)), nil
	}
	return af + bf, nil
}

// Sub returns a - b.
func Sub(a, b Value) (Value, error) {
	if s, ok := b.(*Set); ok {
		if as, ok := a.(*Set); ok {
			out, _ := NewSet()
			for _, it := range as.Items() {
				if in, _ := s.Contains(it); !in {
					out.Add(it)
				}
			}
			return out, nil
		}
	}
	ai, af, ak := numeric(a)
	bi, bf, bk := numeric(b)
	switch {
	case ak == 0 || bk == 0:
		return nil, opError("-", a, b)
	case ak == 1 && bk == 1:
		return normInt(new(big.Int).Sub(ai, bi)), nil
	}
	return af - bf, nil
}

func repeat(items []Value, n Value) ([]Value, bool) {
	c, ok := n.(int)
	if b, isb := n.(bool); isb {
		c, ok = 0, true
		if b {
			c = 1
		}
	}
	if !ok {
		return nil, false
	}
	var out []Value
	for range max(c, 0) {
		out = append(out, items...)
	}
	if out == nil {
		out = []Value{}
	}
	return out, true
}

// Mul returns a * b.
func Mul(a, b Value) (Value, error) {
	if m, ok := a.(Markup); ok {
		if n, ok := ToInt(b); ok {
			return Markup(strings.Repeat(string(m), max(n, 0))), nil
		}
	}
	if m, ok := b.(Markup); ok {
		if n, ok := ToInt(a); ok {
			return Markup(strings.Repeat(string(m), max(n, 0))), nil
		}
	}
	switch x := a.(type) {
	case string:
		if n, ok := ToInt(b); ok {
			return strings.Repeat(x, max(n, 0)), nil
		}
	case *List:
		if out, ok := repeat(x.Items, b); ok {
			return &List{Items: out}, nil
		}
	case Tuple:
		if out, ok := repeat(x, b); ok {
			return Tuple(out), nil
		}
	}
	switch b.(type) {
	case string, *List, Tuple:
		if _, ok := ToInt(a); ok {
			return Mul(b, a)
		}
	}
	ai, af, ak := numeric(a)
	bi, bf, bk := numeric(b)
	switch {
	case ak == 0 || bk == 0:
		return nil, opError("*", a, b)
	case ak == 1 && bk == 1:
		return normInt(new(big.Int).Mul(ai, bi)), nil
	}
	return af * bf, nil
}

// Div returns a / b (true division).
func Div(a, b Value) (Value, error) {
	_, af, ak := numeric(a)
	_, bf, bk := numeric(b)
	if ak == 0 || bk == 0 {
		return nil, opError("/", a, b)
	}
	if bf == 0 {
		return nil, Errorf("ZeroDivisionError", "division by zero")
	}
	return af / bf, nil
}

// FloorDiv returns a // b.
func FloorDiv(a, b Value) (Value, error) {
	ai, af, ak := numeric(a)
	bi, bf, bk := numeric(b)
	switch {
	case ak == 0 || bk == 0:
		return nil, opError("//", a, b)
	case bf == 0 && (bk == 2 || bi.Sign() == 0):
		return nil, Errorf("ZeroDivisionError", "integer division or modulo by zero")
	case ak == 1 && bk == 1:
		q, m := new(big.Int), new(big.Int)
		q.DivMod(ai, bi, m) // Euclidean
		if m.Sign() != 0 && bi.Sign() < 0 {
			q.Add(q, big.NewInt(1))
		}
		return normInt(q), nil
	}
	return math.Floor(af / bf), nil
}

// Mod returns a % b: string formatting for a str, else Python's modulo.
func Mod(a, b Value) (Value, error) {
	if m, ok := a.(Markup); ok {
		return markupMod(m, b)
	}
	if s, ok := a.(string); ok {
		return PercentFormat(s, b)
	}
	ai, af, ak := numeric(a)
	bi, bf, bk := numeric(b)
	switch {
	case ak == 0 || bk == 0:
		return nil, opError("%", a, b)
	case bf == 0 && (bk == 2 || bi.Sign() == 0):
		return nil, Errorf("ZeroDivisionError", "integer division or modulo by zero")
	case ak == 1 && bk == 1:
		m := new(big.Int).Mod(ai, bi) // non-negative
		if m.Sign() != 0 && bi.Sign() < 0 {
			m.Add(m, bi)
		}
		return normInt(m), nil
	}
	m := math.Mod(af, bf)
	if m != 0 && (m < 0) != (bf < 0) {
		m += bf
	}
	return m, nil
}

// Pow returns a ** b.
func Pow(a, b Value) (Value, error) {
	ai, af, ak := numeric(a)
	bi, bf, bk := numeric(b)
	switch {
	case ak == 0 || bk == 0:
		return nil, opError("**", a, b)
	case ak == 1 && bk == 1 && bi.Sign() >= 0:
		return normInt(new(big.Int).Exp(ai, bi, nil)), nil
	}
	return math.Pow(af, bf), nil
}

// Neg returns -a.
func Neg(a Value) (Value, error) {
	ai, af, ak := numeric(a)
	switch ak {
	case 1:
		return normInt(new(big.Int).Neg(ai)), nil
	case 2:
		return -af, nil
	}
	if err := checkUndef(a); err != nil {
		return nil, err
	}
	return nil, Errorf("TypeError", "bad operand type for unary -: '%s'", TypeName(a))
}

// ToInt returns v as a Go int if it is a Python int or bool.
func ToInt(v Value) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// ToFloat returns v as a float64 if it is a Python number.
func ToFloat(v Value) (float64, bool) {
	_, f, k := numeric(v)
	return f, k != 0
}

// index resolves a Python index (negative from the end) for length n.
func index(v Value, n int, what string) (int, error) {
	i, ok := ToInt(v)
	if !ok {
		return 0, Errorf("TypeError", "%s indices must be integers or slices, not %s", what, TypeName(v))
	}
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return 0, Errorf("IndexError", "%s index out of range", what)
	}
	return i, nil
}

// GetItem returns v[key] for sequences, strings and mappings. A missing key
// or index is a KeyError or IndexError.
func GetItem(v, key Value) (Value, error) {
	if m, ok := v.(Markup); ok {
		r, err := GetItem(string(m), key)
		return markupWrap(r), err
	}
	switch c := v.(type) {
	case *Dict:
		r, ok, err := c.Get(key)
		if err != nil {
			return nil, err
		}
		if !ok {
			s, _ := Repr(key)
			return nil, Errorf("KeyError", "%s", s)
		}
		return r, nil
	case *List:
		i, err := index(key, len(c.Items), "list")
		if err != nil {
			return nil, err
		}
		return c.Items[i], nil
	case Tuple:
		i, err := index(key, len(c), "tuple")
		if err != nil {
			return nil, err
		}
		return c[i], nil
	case string:
		rs := []rune(c)
		i, err := index(key, len(rs), "string")
		if err != nil {
			return nil, err
		}
		return string(rs[i]), nil
	case Range:
		i, err := index(key, c.Len(), "range object")
		if err != nil {
			return nil, err
		}
		return c.Start + i*c.Step, nil
	case *NamedTuple:
		return GetItem(c.Values, key)
	case *Undefined:
		return nil, c.Err()
	}
	return nil, Errorf("TypeError", "'%s' object is not subscriptable", TypeName(v))
}

// SliceIndices computes the indices selected by [start:stop:step] (nil for
// an omitted bound) over a sequence of length n, as slice.indices.
func SliceIndices(start, stop, step Value, n int) ([]int, error) {
	st := 1
	if step != nil {
		s, ok := ToInt(step)
		if !ok {
			return nil, Errorf("TypeError", "slice indices must be integers or None")
		}
		if s == 0 {
			return nil, Errorf("ValueError", "slice step cannot be zero")
		}
		st = s
	}
	bound := func(v Value, dflt int) (int, error) {
		if v == nil {
			return dflt, nil
		}
		i, ok := ToInt(v)
		if !ok {
			return 0, Errorf("TypeError", "slice indices must be integers or None")
		}
		if i < 0 {
			i += n
			if i < 0 {
				if st < 0 {
					return -1, nil
				}
				return 0, nil
			}
		} else if i >= n {
			if st < 0 {
				return n - 1, nil
			}
			return n, nil
		}
		return i, nil
	}
	var lo, hi int
	var err error
	if st > 0 {
		if lo, err = bound(start, 0); err != nil {
			return nil, err
		}
		if hi, err = bound(stop, n); err != nil {
			return nil, err
		}
	} else {
		if lo, err = bound(start, n-1); err != nil {
			return nil, err
		}
		if hi, err = bound(stop, -1); err != nil {
			return nil, err
		}
	}
	var out []int
	for i := lo; (st > 0 && i < hi) || (st < 0 && i > hi); i += st {
		out = append(out, i)
	}
	return out, nil
}

// Slice returns v[start:stop:step]; nil bounds are omitted ones.
func Slice(v, start, stop, step Value) (Value, error) {
	if m, ok := v.(Markup); ok {
		r, err := Slice(string(m), start, stop, step)
		return markupWrap(r), err
	}
	switch c := v.(type) {
	case string:
		rs := []rune(c)
		idx, err := SliceIndices(start, stop, step, len(rs))
		if err != nil {
			return nil, err
		}
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = rs[j]
		}
		return string(out), nil
	case *List, Tuple, Range:
		items, _ := Iterate(c)
		idx, err := SliceIndices(start, stop, step, len(items))
		if err != nil {
			return nil, err
		}
		out := make([]Value, len(idx))
		for i, j := range idx {
			out[i] = items[j]
		}
		if _, ok := c.(Tuple); ok {
			return Tuple(out), nil
		}
		return &List{Items: out}, nil
	case *Undefined:
		return nil, c.Err()
	}
	return nil, Errorf("TypeError", "'%s' object is not subscriptable", TypeName(v))
}
