package pyval

import (
	"math"
	"math/big"
)

// Dict is an insertion-ordered Python dict. Keys must be hashable (None,
// bool, int, float, str, tuple of hashables, frozenset).
type Dict struct {
	keys  []Value
	vals  []Value
	index map[any]int
}

// NewDict returns an empty dict.
func NewDict() *Dict { return &Dict{index: map[any]int{}} }

// DictOf returns a dict of string keys built from pairs.
func DictOf(pairs ...KV) *Dict {
	d := NewDict()
	for _, p := range pairs {
		d.SetStr(p.Key, p.Value)
	}
	return d
}

type noneKey struct{}

// hashKey returns a comparable Go value standing for the Python hash
// identity of v: equal Python keys (1, 1.0, True) give equal hash keys.
func hashKey(v Value) (any, error) {
	switch v := unmark(v).(type) {
	case nil:
		return noneKey{}, nil
	case string:
		return v, nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	case int:
		return v, nil
	case *big.Int:
		return "\x00big:" + v.String(), nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
			return int(v), nil
		}
		return v, nil
	case *NamedTuple:
		return hashKey(v.Values)
	case Tuple:
		s := "\x00tuple:"
		for _, it := range v {
			k, err := hashKey(it)
			if err != nil {
				return nil, err
			}
			r, _ := Repr(k)
			s += TypeName(k) + ":" + r + ","
		}
		return s, nil
	case *Set:
		if v.Frozen {
			// Order-insensitive: a sorted list of element keys.
			s := "\x00frozenset:"
			for _, it := range v.Items() {
				r, _ := Repr(it)
				s += r + ","
			}
			return s, nil
		}
	case *Type, *Func, *Module:
		return v, nil
	case *Undefined:
		if v.Strict {
			return nil, v.Err()
		}
	}
	return nil, Errorf("TypeError", "unhashable type: '%s'", TypeName(v))
}

// Len returns the number of items.
func (d *Dict) Len() int { return len(d.keys) }

// Get returns the value for key k.
func (d *Dict) Get(k Value) (Value, bool, error) {
	h, err := hashKey(k)
	if err != nil {
		return nil, false, err
	}
	i, ok := d.index[h]
	if !ok {
		return nil, false, nil
	}
	return d.vals[i], true, nil
}

// GetStr returns the value for the string key k.
func (d *Dict) GetStr(k string) (Value, bool) {
	i, ok := d.index[k]
	if !ok {
		return nil, false
	}
	return d.vals[i], true
}

// Set sets key k to v, keeping the position of an existing key.
func (d *Dict) Set(k, v Value) error {
	h, err := hashKey(k)
	if err != nil {
		return err
	}
	if i, ok := d.index[h]; ok {
		d.vals[i] = v
		return nil
	}
	d.index[h] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return nil
}

// SetStr sets the string key k to v.
func (d *Dict) SetStr(k string, v Value) {
	if i, ok := d.index[k]; ok {
		d.vals[i] = v
		return
	}
	d.index[k] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

// Delete removes key k and reports whether it was present.
func (d *Dict) Delete(k Value) (Value, bool, error) {
	h, err := hashKey(k)
	if err != nil {
		return nil, false, err
	}
	i, ok := d.index[h]
	if !ok {
		return nil, false, nil
	}
	v := d.vals[i]
	delete(d.index, h)
	d.keys = append(d.keys[:i:i], d.keys[i+1:]...)
	d.vals = append(d.vals[:i:i], d.vals[i+1:]...)
	for j := i; j < len(d.keys); j++ {
		hk, _ := hashKey(d.keys[j])
		d.index[hk] = j
	}
	return v, true, nil
}

// Keys returns the keys in insertion order (a copy).
func (d *Dict) Keys() []Value { return append([]Value(nil), d.keys...) }

// Values returns the values in insertion order (a copy).
func (d *Dict) Values() []Value { return append([]Value(nil), d.vals...) }

// Items returns the items as 2-tuples in insertion order.
func (d *Dict) Items() []Value {
	out := make([]Value, len(d.keys))
	for i, k := range d.keys {
		out[i] = Tuple{k, d.vals[i]}
	}
	return out
}

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	c := &Dict{keys: d.Keys(), vals: d.Values(), index: make(map[any]int, len(d.keys))}
	for k, v := range d.index {
		c.index[k] = v
	}
	return c
}

// Clear removes every item.
func (d *Dict) Clear() {
	d.keys, d.vals, d.index = nil, nil, map[any]int{}
}

// update merges a mapping or an iterable of pairs into d, as dict.update.
func (d *Dict) update(src Value) error {
	if m, ok := src.(*Dict); ok {
		for i, k := range m.keys {
			if err := d.Set(k, m.vals[i]); err != nil {
				return err
			}
		}
		return nil
	}
	items, err := Iterate(src)
	if err != nil {
		return err
	}
	for n, it := range items {
		if u, ok := it.(*Undefined); ok && u.Strict {
			return u.Err()
		}
		pair, err := Iterate(it)
		if err != nil {
			return Errorf("TypeError", "cannot convert dictionary update sequence element #%d to a sequence", n)
		}
		if len(pair) != 2 {
			return Errorf("ValueError", "dictionary update sequence element #%d has length %d; 2 is required", n, len(pair))
		}
		if err := d.Set(pair[0], pair[1]); err != nil {
			return err
		}
	}
	return nil
}
