package pyval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// FromJSON decodes JSON text into a Value, keeping object key order. An
// object {"__set__": [...]} decodes to a set and {"__tuple__": [...]} to a
// tuple; integers beyond int64 decode to *big.Int.
func FromJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec, true)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("pyval: trailing data after JSON value")
	}
	return v, nil
}

// LoadsJSON decodes JSON text as Python's json.loads: like FromJSON but
// without the __set__/__tuple__ tags.
func LoadsJSON(data string) (Value, error) {
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec, false)
	if err != nil {
		return nil, Errorf("JSONDecodeError", "%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, Errorf("JSONDecodeError", "Extra data")
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder, tags bool) (Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			items := []Value{}
			for dec.More() {
				v, err := decodeJSON(dec, tags)
				if err != nil {
					return nil, err
				}
				items = append(items, v)
			}
			_, err := dec.Token()
			return &List{Items: items}, err
		case '{':
			d := NewDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSON(dec, tags)
				if err != nil {
					return nil, err
				}
				d.SetStr(kt.(string), v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if tags && d.Len() == 1 {
				if l, ok := d.GetStr("__set__"); ok {
					items, err := Iterate(l)
					if err != nil {
						return nil, err
					}
					return NewSet(items...)
				}
				if l, ok := d.GetStr("__tuple__"); ok {
					items, err := Iterate(l)
					if err != nil {
						return nil, err
					}
					return Tuple(append([]Value{}, items...)), nil
				}
			}
			return d, nil
		}
	case json.Number:
		return parseNumber(string(t))
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("pyval: unexpected JSON token %v", tok)
}

func parseNumber(s string) (Value, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.Atoi(s); err == nil {
			return i, nil
		}
		z, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("pyval: bad integer %q", s)
		}
		return z, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && errors.Is(err, strconv.ErrRange) {
		err = nil // Python gives inf (or 0.0) too
	}
	return f, err
}

// Of converts an ordinary Go value to a Value: Go integers to int, float32
// to float, []T to a list, map[string]T to a dict (keys sorted, since Go
// maps have no order), and Values unchanged.
func Of(v any) Value {
	switch x := v.(type) {
	case nil, bool, int, *big.Int, float64, string, Markup, *List, Tuple, *Dict, *Set, Callable, Attrer, *Iterator, Range, *View, *Undefined:
		return v
	case []Value:
		out := make([]Value, len(x))
		for i, it := range x {
			out[i] = Of(it)
		}
		return &List{Items: out}
	case []string:
		return &List{Items: strValues(x)}
	case map[string]string:
		d := NewDict()
		for _, k := range sortedKeys(x) {
			d.SetStr(k, x[k])
		}
		return d
	case map[string]any:
		d := NewDict()
		for _, k := range sortedKeys(x) {
			d.SetStr(k, Of(x[k]))
		}
		return d
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := rv.Uint()
		if u > 1<<63-1 {
			return new(big.Int).SetUint64(u)
		}
		return int(u)
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Slice, reflect.Array:
		out := make([]Value, rv.Len())
		for i := range out {
			out[i] = Of(rv.Index(i).Interface())
		}
		return &List{Items: out}
	case reflect.Map:
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		d := NewDict()
		for _, k := range keys {
			d.Set(Of(k.Interface()), Of(rv.MapIndex(k).Interface()))
		}
		return d
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		if rv.Elem().Kind() == reflect.Struct {
			return v // a model object (match, hash, template module...)
		}
		return Of(rv.Elem().Interface())
	}
	return v
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
