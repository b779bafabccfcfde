package buildout

import (
	"context"
	"encoding/json"
	"io"
)

// A Report is the machine-readable outcome of resolving a profile, in the
// shape of the corpus reference: every section's substituted options and
// the errors of the sections and options that could not be computed.
type Report struct {
	Profile     string                       `json:"profile"`
	Substituted map[string]map[string]string `json:"substituted"`
	Errors      map[string]map[string]string `json:"errors"`
	Fatal       *string                      `json:"fatal"`
}

// ErrorPrefix starts a substituted value that could not be computed.
const ErrorPrefix = "!ERROR: "

// Report resolves every section (buildout first, then sorted) and
// returns the outcome.
func (c *Config) Report() *Report {
	r := &Report{Profile: c.Path, Substituted: map[string]map[string]string{}, Errors: map[string]map[string]string{}}
	if c.Fatal != nil {
		msg := c.Fatal.Error()
		r.Fatal = &msg
		return r
	}
	names := append([]string{"buildout"}, c.SortedSections()...)
	for _, name := range names {
		if _, done := r.Substituted[name]; done {
			continue
		}
		if st, err := c.access(name); err == nil && st.opts != nil {
			vals := make(map[string]string, len(st.opts.keys))
			for _, k := range st.opts.keys {
				vals[k], _ = st.opts.lookup(k)
			}
			r.Substituted[name] = vals
			continue
		}
		res := c.Resolve(name)
		vals := make(map[string]string, len(res.Keys))
		for _, k := range res.Keys {
			if e, ok := res.OptErr[k]; ok {
				vals[k] = ErrorPrefix + e.Msg
				continue
			}
			vals[k] = res.Values[k]
		}
		r.Substituted[name] = vals
		if res.Err != nil {
			errs := map[string]string{"<section>": res.Err.Msg}
			for k, e := range res.OptErr {
				errs[k] = e.Msg
			}
			r.Errors[name] = errs
		}
	}
	return r
}

// OK reports whether every section was substituted without error.
func (r *Report) OK() bool { return r.Fatal == nil && len(r.Errors) == 0 }

// WriteJSON writes r as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(r)
}

// ResolveFile loads the profile at path and reports every section.
func ResolveFile(ctx context.Context, path string, opts LoadOptions) (*Report, *Config) {
	c, _ := Load(ctx, path, opts)
	if c == nil {
		msg := "cannot load " + path
		return &Report{Profile: path, Fatal: &msg}, nil
	}
	return c.Report(), c
}

// Diagnostics returns every error of the configuration at once, for an
// editor: parse and merge errors, then, for each section that cannot be
// substituted, one error per culprit option, positioned on that option's
// assignment (or on the section header when no option is to blame).
func (c *Config) Diagnostics() ErrorList {
	out := append(ErrorList(nil), c.Errors...)
	if c.Fatal != nil {
		return out
	}
	for _, name := range c.SortedSections() {
		res := c.Resolve(name)
		if res.Err == nil {
			continue
		}
		raw, _ := c.Expanded(name)
		if len(res.OptErr) == 0 {
			pos := res.Err.Pos
			if s, ok := c.sections[name]; ok && (!pos.IsValid() || res.Err.Section != name) {
				pos = s.Pos
			}
			out = append(out, &Error{Pos: pos, Section: name, Msg: res.Err.Msg, Err: res.Err})
			continue
		}
		for _, k := range res.Keys {
			e, ok := res.OptErr[k]
			if !ok {
				continue
			}
			pos := e.Pos
			if raw != nil {
				if v, ok := raw.vals[k]; ok {
					pos = v.Pos()
				}
			}
			out = append(out, &Error{Pos: pos, Section: name, Option: k, Msg: e.Msg, Err: e})
		}
	}
	return out
}
