package buildout

import "fmt"

// Options is the ordered set of options of one section, as a recipe sees it:
// values are already substituted. A value is a string or, in the SlapOS
// dialect, a structured Python value (dict, list, set…) stored by a recipe
// such as slapos.cookbook:slapconfiguration; its string form is fmt.Sprint(v), and nil (Python's None) is "None".
type Options struct {
	section string
	keys    []string
	values  map[string]any
	used    map[string]bool
}

// NewOptions returns an empty option set for the named section.
func NewOptions(section string) *Options {
	return &Options{section: section, values: map[string]any{}, used: map[string]bool{}}
}

// Section returns the name of the section the options belong to.
func (o *Options) Section() string { return o.section }

// Get returns the string form of option key and whether it exists, and marks it used.
func (o *Options) Get(key string) (string, bool) {
	s, ok := o.lookup(key)
	if ok {
		o.used[key] = true
	}
	return s, ok
}

// Value returns the raw value of option key (a string or a structured value) and whether it exists.
func (o *Options) Value(key string) (any, bool) {
	v, ok := o.values[key]
	if ok {
		o.used[key] = true
	}
	return v, ok
}

// Set sets option key to a string value, appending the key if it is new.
func (o *Options) Set(key, value string) { o.SetValue(key, value) }

// SetValue sets option key to a string or structured value, appending the
// key if it is new. An option set this way (by a recipe) counts as used.
func (o *Options) SetValue(key string, v any) {
	o.set(key, v)
	o.used[key] = true
}

// set stores a value without marking it used: the engine fills options this
// way from the configuration.
func (o *Options) set(key string, v any) {
	if _, ok := o.values[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.values[key] = v
}

// Delete removes option key.
func (o *Options) Delete(key string) {
	if _, ok := o.values[key]; !ok {
		return
	}
	delete(o.values, key)
	for i, k := range o.keys {
		if k == key {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// Keys returns the option names in order: file order, then the order in which they were added.
func (o *Options) Keys() []string { return append([]string(nil), o.keys...) }

// Unused returns the options of the configuration that were never read (with
// Get, Value or through a ${section:option} reference) nor set by a recipe, in order.
func (o *Options) Unused() []string {
	var out []string
	for _, k := range o.keys {
		if !o.used[k] {
			out = append(out, k)
		}
	}
	return out
}

// lookup returns the string form of option key without marking it used.
func (o *Options) lookup(key string) (string, bool) {
	v, ok := o.values[key]
	if !ok {
		return "", false
	}
	return valueString(v), true
}

// valueString is the string form of an option value, as Python's str():
// a structured value prints itself and nil is None.
func valueString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "None"
	}
	return fmt.Sprint(v)
}
