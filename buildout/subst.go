package buildout

import (
	"fmt"
	"sort"
	"strings"
)

type secStatus uint8

const (
	secNew  secStatus = iota
	secInit           // being initialized
	secDone
	secFailed
)

// secState is the substitution state of one section, zc.buildout's Options.
type secState struct {
	name      string
	raw       *Section // after macro expansion
	status    secStatus
	err       *Error
	cooked    map[string]string
	optErr    map[string]*Error
	computing map[string]bool
	opts      *Options // set once initialized
	// referenced holds the options read through ${} references while the
	// section was being initialized: they count as used.
	referenced map[string]bool
}

// isSimple reports whether s matches [-a-zA-Z0-9 ._]+, the characters
// allowed in the names of a ${section:option} reference.
func isSimple(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ' ' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// refValid reports whether ref matches \${[-a-zA-Z0-9 ._]*:[-a-zA-Z0-9 ._]+}.
func refValid(ref string) bool {
	sec, opt, ok := strings.Cut(ref[2:len(ref)-1], ":")
	return ok && (sec == "" || isSimple(sec)) && isSimple(opt)
}

func missingSection(name string) *Error {
	return &Error{Section: name, Msg: fmt.Sprintf("The referenced section, %s, was not defined.", pyRepr(name))}
}

// state returns the substitution state of section name, creating it.
func (c *Config) state(name string) (*secState, bool) {
	if st, ok := c.states[name]; ok {
		return st, true
	}
	if _, ok := c.sections[name]; !ok {
		return nil, false
	}
	st := &secState{name: name, cooked: map[string]string{}, optErr: map[string]*Error{}, computing: map[string]bool{}}
	c.states[name] = st
	return st, true
}

// access is buildout[name]: it initializes the section on first access
// (macros, every substitution, part dependencies, recipe) and returns its
// state, or the error that made initialization fail.
func (c *Config) access(name string) (*secState, *Error) {
	st, ok := c.state(name)
	if !ok {
		return nil, missingSection(name)
	}
	switch st.status {
	case secInit, secDone:
		return st, nil
	case secFailed:
		return st, st.err
	}
	st.status = secInit
	if err := c.initialize(st); err != nil {
		st.status = secFailed
		st.err = err
		return st, err
	}
	st.status = secDone
	return st, nil
}

func (c *Config) fail(st *secState, err *Error) *Error {
	st.status = secFailed
	st.err = err
	return err
}

func (c *Config) initialize(st *secState) *Error {
	raw, err := c.expand(st.name, c.sections[st.name], nil)
	if err != nil {
		return err
	}
	st.raw = raw
	// Every option is substituted, in sorted order, even after one failed
	// (so that the culprits are all known); the first error fails the
	// section. Sections referenced meanwhile see this one as being
	// initialized, as in zc.buildout.
	keys := append([]string(nil), raw.keys...)
	sort.Strings(keys)
	var first *Error
	for _, k := range keys {
		if v := raw.vals[k]; !v.Final && strings.Contains(v.Text, "${") {
			if _, err := c.get(st, k); err != nil && first == nil {
				first = err
			}
		}
	}
	if first != nil {
		return first
	}
	opts := NewOptions(st.name)
	for _, k := range raw.keys {
		if d := raw.vals[k].Data; d != nil {
			opts.set(k, d)
			continue
		}
		v, _ := c.get(st, k)
		opts.set(k, v)
	}
	for k := range st.referenced {
		opts.used[k] = true
	}
	if st.name == "buildout" {
		dir, _ := opts.lookup("directory")
		for _, n := range []string{"bin-directory", "parts-directory", "eggs-directory", "develop-eggs-directory"} {
			if v, ok := opts.lookup(n); ok && !strings.Contains(v, "${") {
				opts.set(n, pyJoin(dir, v))
			}
		}
		if v, ok := opts.lookup("installed"); ok && v != "" {
			opts.set("installed", pyJoin(dir, v))
		}
		st.opts = opts
		return nil
	}
	// The section is complete for lookups from now on (zc.buildout caches
	// the Options before running the recipe constructor).
	st.opts = opts
	if deps, ok := opts.lookup("<part-dependencies>"); ok {
		opts.used["<part-dependencies>"] = true
		for _, d := range strings.Fields(deps) {
			if _, err := c.access(d); err != nil {
				st.opts = nil
				return err
			}
		}
	}
	if recipe, _ := opts.lookup("recipe"); recipe != "" {
		if c.opts.EmulateLocation {
			if _, ok := opts.lookup("location"); !ok {
				if bst, err := c.access("buildout"); err == nil && bst.opts != nil {
					pd, _ := bst.opts.lookup("parts-directory")
					opts.set("location", pyJoin(pd, st.name))
				}
			}
		}
		if c.initHook != nil {
			if err := c.initHook(st.name, opts); err != nil {
				st.opts = nil
				if e, ok := err.(*Error); ok {
					return e
				}
				return &Error{Pos: c.sections[st.name].Pos, Section: st.name, Msg: err.Error(), Err: err}
			}
		}
		c.parts = append(c.parts, st.name)
	}
	return nil
}

// get is Options.get: the substituted value of option key of a section
// being initialized (or initialized), computed once.
func (c *Config) get(st *secState, key string) (string, *Error) {
	if st.opts != nil {
		if v, ok := st.opts.lookup(key); ok {
			if c.markUsed {
				st.opts.used[key] = true
			}
			return v, nil
		}
		return "", errMissing
	}
	if v, ok := st.cooked[key]; ok {
		return v, nil
	}
	if e, ok := st.optErr[key]; ok {
		return "", e
	}
	if st.raw == nil {
		return "", errMissing
	}
	rv, ok := st.raw.vals[key]
	if !ok {
		return "", errMissing
	}
	if rv.Final || !strings.Contains(rv.Text, "${") {
		st.cooked[key] = rv.Text
		return rv.Text, nil
	}
	if st.computing[key] {
		return "", &Error{Pos: rv.Pos(), Section: st.name, Option: key, Msg: "Circular reference in substitutions.\n"}
	}
	st.computing[key] = true
	v, err := c.substitute(st, key, rv)
	delete(st.computing, key)
	if err != nil {
		st.optErr[key] = err
		return "", err
	}
	st.cooked[key] = v
	return v, nil
}

// errMissing marks a missing option; callers turn it into their message.
var errMissing = &Error{Msg: "missing option"}

// substitute replaces the ${section:option} references of a value in the
// SlapOS dialect: pieces between "$$" are substituted and joined with "$".
func (c *Config) substitute(st *secState, key string, rv *Value) (string, *Error) {
	text := rv.Text
	var b strings.Builder
	for i, piece := range strings.Split(text, "$$") {
		if i > 0 {
			b.WriteByte('$')
		}
		last := 0
		for {
			// A reference is "${" up to the next "}" (regexp [$]{[^}]*}).
			i := strings.Index(piece[last:], "${")
			if i < 0 {
				break
			}
			j := strings.IndexByte(piece[last+i:], '}')
			if j < 0 {
				break
			}
			start, end := last+i, last+i+j+1
			b.WriteString(piece[last:start])
			last = end
			ref := piece[start:end]
			v, err := c.reference(st, ref)
			if err != nil {
				if err.Pos.File == "" && !err.Pos.IsValid() && err.Section == "" {
					err = &Error{Pos: rv.Pos(), Section: st.name, Option: key, Msg: err.Msg, Ref: err.Ref}
				}
				return "", err
			}
			b.WriteString(v)
		}
		b.WriteString(piece[last:])
	}
	return b.String(), nil
}

func (c *Config) reference(st *secState, ref string) (string, *Error) {
	s := strings.Split(ref[2:len(ref)-1], ":")
	if !refValid(ref) {
		switch {
		case len(s) < 2:
			return "", &Error{Msg: fmt.Sprintf("The substitution, %s,\ndoesn't contain a colon.", ref)}
		case len(s) > 2:
			return "", &Error{Msg: fmt.Sprintf("The substitution, %s,\nhas too many colons.", ref)}
		case !isSimple(s[0]):
			return "", &Error{Msg: fmt.Sprintf("The section name in substitution, %s,\nhas invalid characters.", ref)}
		default:
			return "", &Error{Msg: fmt.Sprintf("The option name in substitution, %s,\nhas invalid characters.", ref)}
		}
	}
	section, option := s[0], s[1]
	target := st
	if section == "" {
		section = st.name
	} else {
		other, aerr := c.access(section)
		if aerr != nil {
			if _, defined := c.state(section); !defined {
				// Positioned at the referencing option by substitute.
				return "", &Error{Msg: aerr.Msg, Ref: ref}
			}
			return "", aerr
		}
		target = other
	}
	v, err := c.get(target, option)
	if err == nil && c.markUsed && target.opts == nil {
		if target.referenced == nil {
			target.referenced = map[string]bool{}
		}
		target.referenced[option] = true
	}
	if err == errMissing {
		if option == "_buildout_section_name_" {
			return st.name, nil
		}
		return "", &Error{Msg: fmt.Sprintf("Referenced option does not exist: %s %s", section, option), Ref: ref}
	}
	return v, err
}

// Get returns the substituted options of section name, initializing it
// (and the sections it references) on first use.
func (c *Config) Get(name string) (*Options, error) {
	st, err := c.access(name)
	if err != nil {
		return nil, err
	}
	if st.opts == nil {
		return nil, &Error{Section: name, Msg: "section is being initialized"}
	}
	return st.opts, nil
}

// A Resolved section is the outcome of substituting one section: its
// values, or the error of the section and of each culprit option.
type Resolved struct {
	Name   string
	Keys   []string          // option names in order
	Values map[string]string // substituted values of the options that could be computed
	Err    *Error            // the error raised when the section is accessed, or nil
	OptErr map[string]*Error // per-option errors
}

// Resolve substitutes section name and reports every option's value or error.
func (c *Config) Resolve(name string) *Resolved {
	r := &Resolved{Name: name, Values: map[string]string{}, OptErr: map[string]*Error{}}
	st, err := c.access(name)
	if err == nil && st.opts != nil {
		for _, k := range st.opts.keys {
			r.Keys = append(r.Keys, k)
			r.Values[k], _ = st.opts.lookup(k)
		}
		return r
	}
	r.Err = err
	if st == nil || st.raw == nil {
		return r
	}
	for _, k := range st.raw.keys {
		r.Keys = append(r.Keys, k)
		v, e := c.get(st, k)
		if e != nil {
			if e == errMissing {
				e = &Error{Section: name, Option: k, Msg: "missing option"}
			}
			r.OptErr[k] = e
			continue
		}
		r.Values[k] = v
	}
	return r
}
