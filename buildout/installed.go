package buildout

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// installedFile is the content of .installed.cfg: what the last runs
// installed, part by part, with the options each part was installed with.
type installedFile struct {
	path   string
	exists bool
	// sections holds [buildout] (parts, installed_develop_eggs) and one
	// section per installed part, with decoded values.
	sections map[string]map[string]string
}

var spaceyDefaults = [][2]string{
	{"%(__buildout_space__)s", " "},
	{"%(__buildout_space_n__)s", "\n"},
	{"%(__buildout_space_r__)s", "\r"},
	{"%(__buildout_space_f__)s", "\f"},
	{"%(__buildout_space_v__)s", "\v"},
}

// readInstalled reads .installed.cfg at path with the configuration
// parser and decodes the %(__buildout_space…)s escapes. A missing file is
// an empty installation.
func readInstalled(path string) (*installedFile, error) {
	inst := &installedFile{path: path, sections: map[string]map[string]string{"buildout": {"parts": ""}}}
	if path == "" {
		return inst, nil
	}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return inst, nil
	}
	if err != nil {
		return nil, err
	}
	f, errs := Parse(path, b, DefaultEnvironment())
	if err := errs.Err(); err != nil {
		return nil, err
	}
	inst.exists = true
	for _, s := range f.Sections {
		m := inst.sections[s.Name]
		if m == nil {
			m = map[string]string{}
			inst.sections[s.Name] = m
		}
		for _, o := range s.Options {
			v := o.Value
			if strings.Contains(v, "%(") {
				for _, d := range spaceyDefaults {
					v = strings.ReplaceAll(v, d[0], d[1])
				}
			}
			m[joinKey(o.Key, o.Op)] = v
		}
	}
	return inst, nil
}

// parts returns the installed parts, in installation order.
func (inst *installedFile) parts() []string {
	return strings.Fields(inst.sections["buildout"]["parts"])
}

func (inst *installedFile) setParts(parts []string) {
	inst.sections["buildout"]["parts"] = strings.Join(parts, " ")
}

var spaceyNL = regexp.MustCompile(`[ \t\r\f\v]*\n[ \t\r\f\v\n]*|^[ \t\r\f\v]+|[ \t\r\f\v]+$`)

var spaceyReplacer = strings.NewReplacer(
	" ", "%(__buildout_space__)s",
	"\r", "%(__buildout_space_r__)s",
	"\f", "%(__buildout_space_f__)s",
	"\v", "%(__buildout_space_v__)s",
	"\n", "%(__buildout_space_n__)s",
)

// encodeValue is zc.buildout's _save_option quoting: spaces around line
// ends and at both ends, and blank lines, are written as
// %(__buildout_space…)s so that the parser reads the value back exactly.
func encodeValue(v string) string {
	v = spaceyNL.ReplaceAllStringFunc(v, func(m string) string {
		parts := strings.SplitN(m, "\n", 2)
		for i, p := range parts {
			parts[i] = spaceyReplacer.Replace(p)
		}
		return strings.Join(parts, "\n\t")
	})
	if strings.HasPrefix(v, "\n\t") {
		v = "%(__buildout_space_n__)s" + v[2:]
	}
	if strings.HasSuffix(v, "\n\t") {
		v = v[:len(v)-2] + "%(__buildout_space_n__)s"
	}
	return v
}

func writeSection(b *strings.Builder, name string, opts map[string]string) {
	fmt.Fprintf(b, "[%s]\n", name)
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(k + " = " + encodeValue(opts[k]) + "\n")
	}
}

// save rewrites the whole file: [buildout], then each installed part.
func (inst *installedFile) save() error {
	if inst.path == "" {
		return nil
	}
	var b strings.Builder
	writeSection(&b, "buildout", inst.sections["buildout"])
	for _, p := range inst.parts() {
		b.WriteByte('\n')
		writeSection(&b, p, inst.sections[p])
	}
	if err := writeFileAtomic(inst.path, []byte(b.String())); err != nil {
		return err
	}
	inst.exists = true
	return nil
}

// appendBuildout appends a [buildout] section with the given options, as
// zc.buildout records a change of the part list without rewriting.
func (inst *installedFile) appendBuildout(opts map[string]string) error {
	for k, v := range opts {
		inst.sections["buildout"][k] = v
	}
	if inst.path == "" {
		return nil
	}
	var b strings.Builder
	b.WriteString("\n")
	writeSection(&b, "buildout", opts)
	f, err := os.OpenFile(inst.path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeFileAtomic writes through a temporary file and a rename, so that
// an interrupted run never leaves a truncated file.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// InstalledOptions returns the options that the .installed.cfg at path
// records for part (decoded, as the engine reads them), and whether the
// part is recorded. A missing file records nothing.
func InstalledOptions(path, part string) (map[string]string, bool, error) {
	inst, err := readInstalled(path)
	if err != nil {
		return nil, false, err
	}
	opts, ok := inst.sections[part]
	if !ok || part == "buildout" && !inst.exists {
		return nil, false, nil
	}
	out := make(map[string]string, len(opts))
	for k, v := range opts {
		out[k] = v
	}
	return out, true, nil
}
