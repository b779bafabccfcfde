package buildout

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// Annotate writes the merged configuration (before macros and
// substitution) with the origin of every value, like "buildout annotate":
// sections and options sorted, each value followed by the files that set
// it. Verbose lists the whole history of each value. sections, if not
// empty, restricts the output; an entry "section:option" restricts it to
// one option.
func (c *Config) Annotate(w io.Writer, verbose bool, sections ...string) error {
	only := map[string][]string{}
	for _, s := range sections {
		name, opt, _ := strings.Cut(s, ":")
		if _, ok := c.sections[name]; !ok {
			return fmt.Errorf("annotate: no section named %s", pyRepr(name))
		}
		if opt != "" {
			only[name] = append(only[name], opt)
		} else if _, ok := only[name]; !ok {
			only[name] = nil
		}
	}
	var b strings.Builder
	b.WriteString("\nAnnotated sections\n==================\n")
	for _, name := range c.SortedSections() {
		opts, chosen := only[name]
		if len(only) > 0 && !chosen {
			continue
		}
		s := c.sections[name]
		fmt.Fprintf(&b, "\n[%s]\n", name)
		keys := append([]string(nil), s.keys...)
		sort.Strings(keys)
		if len(opts) > 0 {
			keys = opts
		}
		for _, k := range keys {
			v, ok := c.annotated(name, k)
			if !ok {
				return fmt.Errorf("annotate: section %s has no option %s", name, pyRepr(k))
			}
			c.writeAnnotation(&b, k, v, verbose)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// annotated returns the merged value of an option as annotate shows it.
func (c *Config) annotated(section, key string) (*Value, bool) {
	if section == "buildout" {
		if v, ok := c.preDirectory[key]; ok {
			return v, true
		}
	}
	v, ok := c.sections[section].vals[key]
	return v, ok
}

func (c *Config) writeAnnotation(b *strings.Builder, key string, v *Value, verbose bool) {
	lines := strings.Split(v.Text, "\n")
	if len(lines) <= 1 {
		b.WriteString(key + "=")
		if v.Text != "" {
			b.WriteString(" " + v.Text)
		}
		b.WriteByte('\n')
	} else {
		b.WriteString(key + "= " + lines[0] + "\n")
		for _, l := range lines[1:] {
			b.WriteString(l + "\n")
		}
	}
	if verbose {
		b.WriteByte('\n')
		for o := v.Last; o != nil; o = o.Prev {
			src := c.humanSource(o)
			if o.Pos.File != "" {
				b.WriteString("   IN " + src + "\n")
			} else {
				b.WriteString("   AS " + src + "\n")
			}
			op := o.Kind.String()
			switch {
			case o.Kind == OpSet && o.Prev != nil, o.Kind == OpCommandLine:
				op = "OVERRIDE"
			case o.Kind == OpDefault, o.Kind == OpComputed:
				op = "SET"
			}
			val := c.opValue(o)
			if strings.Contains(val, "\n") {
				b.WriteString("   " + op + " VALUE =\n")
				for _, l := range strings.Split(val, "\n") {
					b.WriteString("      " + l + "\n")
				}
			} else {
				b.WriteString("   " + op + " VALUE = " + val + "\n")
			}
		}
		b.WriteByte('\n')
		return
	}
	var out []string
	for o := v.Last; o != nil; o = o.Prev {
		if o.Kind == OpMacro {
			continue
		}
		src := c.humanSource(o)
		switch o.Kind {
		case OpAdd:
			out = append(out, "+=  "+src)
			continue
		case OpRemove:
			out = append(out, "-=  "+src)
			continue
		}
		out = append(out, "    "+src)
		break
	}
	for i := len(out) - 1; i >= 0; i-- {
		b.WriteString(out[i] + "\n")
	}
}

// humanSource names where a history step comes from: a file relative to
// the buildout directory, or DEFAULT_VALUE, COMPUTED_VALUE, COMMAND_LINE_VALUE.
func (c *Config) humanSource(o *Op) string {
	src := o.Source()
	if o.Pos.File != "" && strings.HasPrefix(src, c.Directory) {
		if rel, err := filepath.Rel(c.Directory, src); err == nil {
			return rel
		}
	}
	return src
}

// opValue is the text of a history step with ${:_profile_base_location_}
// spelled from the directory of the file that wrote it.
func (c *Config) opValue(o *Op) string {
	if o.Pos.File == "" {
		return o.Value
	}
	return expandBase(o.Value, filepath.Dir(o.Pos.File))
}
