// Package pyval is a model of the Python values that Jinja2 templates of
// slapos.recipe.template:jinja2 handle: None, bool, int, float, str, and the
// insertion-ordered dict, list, tuple and set, with Python's printing
// (str/repr), comparison, arithmetic and methods.
//
// A Value is a plain Go value:
//
//	nil          None
//	bool         bool
//	int          int (values beyond int64 are *big.Int)
//	float64      float
//	string       str
//	*List        list (a pointer: mutation is shared, as in Python)
//	Tuple        tuple
//	*Dict        dict, insertion ordered
//	*Set         set (and frozenset)
//	Callable     a function, builtin, bound method or macro
//
// Go callers build values with the Go literals above, NewList, NewDict,
// NewSet, Of (from ordinary Go values) or FromJSON (from JSON text, keeping
// key order).
package pyval

import (
	"fmt"
	"math/big"
)

// Value is any Python value of the model; see the package documentation for
// the Go type of each Python type.
type Value = any

// List is a Python list. It is used through a pointer so that mutation is
// seen by every holder, as in Python.
type List struct {
	Items []Value
}

// NewList returns a list holding items.
func NewList(items ...Value) *List {
	if items == nil {
		items = []Value{}
	}
	return &List{Items: items}
}

// Tuple is a Python tuple.
type Tuple []Value

// Set is a Python set. Iteration follows CPython's order for numbers and
// insertion order otherwise (CPython's string hashes are randomised).
type Set struct {
	Frozen bool
	d      *Dict
}

// NewSet returns a set holding items; unhashable items are an error.
func NewSet(items ...Value) (*Set, error) {
	s := &Set{d: NewDict()}
	for _, it := range items {
		if err := s.Add(it); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Add adds v to the set.
func (s *Set) Add(v Value) error { return s.d.Set(v, nil) }

// Contains reports whether v is in the set.
func (s *Set) Contains(v Value) (bool, error) {
	_, ok, err := s.d.Get(v)
	return ok, err
}

// Len returns the number of elements.
func (s *Set) Len() int { return s.d.Len() }

// Items returns the elements in Python's iteration order: CPython's
// hash-table order for numbers, else insertion order.
func (s *Set) Items() []Value { return setOrder(s.d.Keys()) }

// Callable is a Python callable: a builtin function, a bound method, a type
// such as int or str, or a template macro.
type Callable interface {
	// Call calls the function with positional and keyword arguments.
	Call(args []Value, kwargs []KV) (Value, error)
	// Name returns the Python name of the callable, for messages.
	Name() string
}

// KV is a keyword argument or a dict item.
type KV struct {
	Key   string
	Value Value
}

// Func is a Callable implemented by a Go function.
type Func struct {
	N string
	F func(args []Value, kwargs []KV) (Value, error)
}

// Call calls f.F.
func (f *Func) Call(args []Value, kwargs []KV) (Value, error) { return f.F(args, kwargs) }

// Name returns the function name.
func (f *Func) Name() string { return f.N }

// Type is a Python builtin type used as a value (int, str, list...): it is
// callable and is the second argument of isinstance.
type Type struct {
	Func
	// Is reports whether a value is an instance of the type.
	Is func(v Value) bool
}

// Attrer is implemented by values with attributes (modules, namespaces,
// template modules, loop objects...).
type Attrer interface {
	// Attr returns the attribute name, and false if there is none.
	Attr(name string) (Value, bool)
}

// Module is a Python module (or any simple object) with fixed attributes.
type Module struct {
	N     string
	Attrs map[string]Value
}

// Attr returns a module attribute.
func (m *Module) Attr(name string) (Value, bool) {
	v, ok := m.Attrs[name]
	return v, ok
}

// Iterator is a one-shot Python iterator (the result of iter, enumerate,
// zip, map, filter, reversed).
type Iterator struct {
	Kind  string
	Items []Value
	Pos   int
	// Gen, when set, makes an endless iterator (itertools.count): Next
	// calls it instead of reading Items, and Repr prints it.
	Gen  func() Value
	Repr func() string
}

// Next returns the next item, and false when exhausted.
func (it *Iterator) Next() (Value, bool) {
	if it.Gen != nil {
		return it.Gen(), true
	}
	if it.Pos >= len(it.Items) {
		return nil, false
	}
	v := it.Items[it.Pos]
	it.Pos++
	return v, true
}

// Range is a Python range object.
type Range struct {
	Start, Stop, Step int
}

// Len returns the number of elements of the range.
func (r Range) Len() int {
	if r.Step > 0 && r.Start < r.Stop {
		return (r.Stop - r.Start + r.Step - 1) / r.Step
	}
	if r.Step < 0 && r.Start > r.Stop {
		return (r.Start - r.Stop - r.Step - 1) / (-r.Step)
	}
	return 0
}

// View is a dict view (dict_keys, dict_values, dict_items): live, it
// reflects later changes of its dict.
type View struct {
	Kind string // "keys", "values" or "items"
	Dict *Dict
}

// Items returns the current keys, values or (key, value) tuples.
func (v *View) Items() []Value {
	switch v.Kind {
	case "keys":
		return v.Dict.Keys()
	case "values":
		return v.Dict.Values()
	}
	return v.Dict.Items()
}

// Undefined is a Jinja2 undefined value. With Strict set (StrictUndefined,
// the recipe's choice) any use other than a defined test or the default
// filter is an UndefinedError; the lenient kind (from an inline if without
// else) prints as the empty string.
type Undefined struct {
	Strict bool
	Hint   string // the message of the error its use raises
}

// Err returns the UndefinedError raised by using u.
func (u *Undefined) Err() error { return Errorf("UndefinedError", "%s", u.Hint) }

// Exception is a Python exception, identified by its class name.
type Exception struct {
	Type string // e.g. "TypeError", "UndefinedError", "AssertionError"
	Msg  string
}

// Error formats the exception as Python prints it: "Type: message".
func (e *Exception) Error() string {
	if e.Msg == "" {
		return e.Type
	}
	return e.Type + ": " + e.Msg
}

// Errorf returns an *Exception of class typ.
func Errorf(typ, format string, args ...any) error {
	return &Exception{Type: typ, Msg: fmt.Sprintf(format, args...)}
}

// TypeName returns the Python type name of v ("str", "dict", "NoneType"...).
func TypeName(v Value) string {
	switch v := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case Markup:
		return "Markup"
	case *List:
		return "list"
	case Tuple:
		return "tuple"
	case *Dict:
		return "dict"
	case *Set:
		if v.Frozen {
			return "frozenset"
		}
		return "set"
	case *Type:
		return "type"
	case Callable:
		return "function"
	case *Module:
		return "module"
	case *Iterator:
		return v.Kind
	case Range:
		return "range"
	case *View:
		return "dict_" + v.Kind
	case *Undefined:
		if v.Strict {
			return "StrictUndefined"
		}
		return "Undefined"
	case interface{ TypeName() string }:
		return v.TypeName()
	}
	return fmt.Sprintf("%T", v)
}

// NamedTuple is a tuple whose items are also attributes (the result of
// the groupby filter, for instance).
type NamedTuple struct {
	Type   string
	Names  []string
	Values Tuple
	// TupleRepr prints the value as a plain tuple.
	TupleRepr bool
}

// Attr returns the item named name.
func (n *NamedTuple) Attr(name string) (Value, bool) {
	for i, f := range n.Names {
		if f == name {
			return n.Values[i], true
		}
	}
	return nil, false
}

// PyIter iterates the items.
func (n *NamedTuple) PyIter() ([]Value, error) { return n.Values, nil }

// TypeName returns the tuple type name.
func (n *NamedTuple) TypeName() string { return n.Type }

// PyRepr prints as Python's namedtuple.
func (n *NamedTuple) PyRepr() (string, error) {
	if n.TupleRepr {
		return Repr(n.Values)
	}
	var b []byte
	b = append(b, n.Type...)
	b = append(b, '(')
	for i, f := range n.Names {
		if i > 0 {
			b = append(b, ", "...)
		}
		r, err := Repr(n.Values[i])
		if err != nil {
			return "", err
		}
		b = append(b, f...)
		b = append(b, '=')
		b = append(b, r...)
	}
	return string(append(b, ')')), nil
}
