package buildout

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LoadOptions tune Load.
type LoadOptions struct {
	// Overrides are command-line assignments, applied over every file.
	Overrides []Override
	// Sections are options set over the configuration after the
	// overrides, section by section (a missing section is added). Their
	// values are final: not substituted again; a structured value is
	// seen as such by recipes and as its string form by ${}.
	Sections map[string]*Options
	// EmulateLocation gives every section with a recipe, when it is
	// initialized without a location, location = parts-directory/name
	// (what most recipes do in their constructor; used by the corpus).
	EmulateLocation bool
	// Env evaluates conditional sections; nil means DefaultEnvironment().
	Env *Environment
	// Cache shares parsed files between loads; nil means a fresh cache.
	Cache *FileCache
	// Executable is ${buildout:executable}; empty means /usr/bin/python3.
	Executable string
	// Offline forbids downloading URL extends (buildout:offline=true does too).
	Offline bool
	// Overlay holds file contents, by absolute cleaned path, read instead
	// of the files on disk (an editor's unsaved text); they bypass Cache.
	Overlay map[string][]byte
}

// A Config is a merged buildout configuration: every extends folded,
// += / -= applied and command-line overrides set. Sections are
// substituted lazily, on first access, as zc.buildout does. A Config is
// not safe for concurrent use.
type Config struct {
	// Path is the absolute path of the profile.
	Path string
	// Directory is buildout:directory as computed from Path.
	Directory string
	// Files lists every file read, in first-read order.
	Files []string
	// Errors holds every parse and merge error, with positions.
	Errors ErrorList
	// Fatal is the error that stopped merging (as zc.buildout would stop), or nil.
	Fatal *Error

	sections map[string]*Section
	order    []string
	opts     LoadOptions

	// preDirectory holds the [buildout] directory values before they were
	// made absolute (what annotate shows).
	preDirectory map[string]*Value

	states   map[string]*secState
	parts    []string
	initHook func(name string, opts *Options) error
	markUsed bool // references count as uses of an option (install runs)
}

// Load reads the profile at path with its extends, as zc.buildout's
// Buildout constructor does (without user defaults). The returned Config
// is usable even when err is non-nil: err is Config.Fatal, and all parse
// errors are in Config.Errors.
func Load(ctx context.Context, path string, opts LoadOptions) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if opts.Env == nil {
		opts.Env = DefaultEnvironment()
	}
	if opts.Cache == nil {
		opts.Cache = NewFileCache()
	}
	if opts.Executable == "" {
		opts.Executable = defaultExecutable
	}
	c := &Config{
		Path:      abs,
		Directory: filepath.Dir(abs),
		sections:  map[string]*Section{},
		opts:      opts,
		states:    map[string]*secState{},
	}
	bs := newSection("buildout", Pos{})
	for _, d := range defaultOptions {
		v := d[1]
		if d[0] == "executable" {
			v = opts.Executable
		}
		bs.set(d[0], &Value{Text: v, Last: &Op{Kind: OpDefault, Value: v}})
	}
	bs.set("directory", &Value{Text: c.Directory, Last: &Op{Kind: OpComputed, Value: c.Directory}})
	data := &tree{sections: map[string]*Section{"buildout": bs}, order: []string{"buildout"}}

	l := &loader{ctx: ctx, env: opts.Env, cache: opts.Cache, offline: opts.Offline, overlay: opts.Overlay,
		seenFiles: map[string]bool{}, memo: map[string]*tree{}, owners: 1,
		rerooted: map[rerootKey]*tree{}, fileTrees: map[*File]*tree{}}
	for _, o := range opts.Overrides {
		if o.Section == "buildout" {
			switch o.Option {
			case "offline":
				l.offline = o.Value == "true"
			case "extends-cache":
				l.extendsCache = o.Value
			}
		}
	}
	if t, _ := l.open(c.Directory, abs, Pos{}, nil); t != nil {
		data.update(t)
	}
	if l.fatal == nil {
		for _, o := range opts.Overrides {
			if o.Section == "buildout" && o.Option == "extends" {
				for _, e := range strings.Fields(o.Value) {
					if t, seg := l.open(c.Directory, e, Pos{}, nil); t != nil {
						data.update(l.reroot(t, seg))
					}
				}
			}
		}
	}
	// Spell ${:_profile_base_location_} from the profile's directory.
	for name, s := range data.sections {
		if !s.hasMarkers {
			continue
		}
		if s.owner != data.owner {
			s = s.clone()
			s.owner = data.owner
			data.sections[name] = s
		}
		s.hasMarkers = false
		for k, v := range s.vals {
			if strings.Contains(v.Text, baseOpen) {
				s.vals[k] = &Value{Text: expandBase(v.Text, c.Directory), Last: v.Last}
			}
		}
	}
	c.Files = l.files
	c.Errors = l.errs
	if l.fatal != nil {
		c.Fatal = l.fatal
		if len(c.Errors) == 0 || c.Errors[0] != l.fatal {
			c.Errors = append(ErrorList{l.fatal}, c.Errors...)
		}
	}
	// Command-line assignments, grouped by section.
	cl := &tree{sections: map[string]*Section{}}
	for _, o := range sortedOverrides(opts.Overrides) {
		key, op := o.Option, byte('=')
		if n := len(key); n > 1 && (key[n-1] == '+' || key[n-1] == '-') {
			key, op = strings.TrimRight(key[:n-1], " "), key[n-1]
		}
		s, ok := cl.sections[o.Section]
		if !ok {
			s = newSection(o.Section, Pos{})
			cl.sections[o.Section] = s
			cl.order = append(cl.order, o.Section)
		}
		s.set(joinKey(key, op), &Value{Text: o.Value, Last: &Op{Kind: OpCommandLine, Value: o.Value}})
	}
	data.update(cl)
	if len(opts.Sections) > 0 {
		names := make([]string, 0, len(opts.Sections))
		for n := range opts.Sections {
			names = append(names, n)
		}
		sort.Strings(names)
		preset := &tree{sections: map[string]*Section{}}
		for _, n := range names {
			o := opts.Sections[n]
			s := newSection(n, Pos{})
			for _, k := range o.Keys() {
				v, _ := o.Value(k)
				text, isString := v.(string)
				val := &Value{Final: true, Last: &Op{Kind: OpCommandLine}}
				if isString {
					val.Text = text
				} else {
					val.Text, val.Data = fmt.Sprint(v), v
				}
				val.Last.Value = val.Text
				s.set(k, val)
			}
			preset.sections[n] = s
			preset.order = append(preset.order, n)
		}
		data.update(preset)
	}
	c.sections = data.sections
	c.order = data.order
	c.finishMerge()
	if c.Fatal != nil {
		return c, c.Fatal
	}
	return c, nil
}

// finishMerge applies what Buildout.__init__ computes after merging:
// the versions pins and absolute directories.
func (c *Config) finishMerge() {
	bs := c.sections["buildout"]
	computed := func(s *Section, k, v string) {
		s.set(k, &Value{Text: v, Last: &Op{Kind: OpComputed, Value: v}})
	}
	if _, ok := bs.vals["versions"]; !ok {
		computed(bs, "versions", "versions")
	}
	if vname := bs.vals["versions"].Text; vname != "" {
		vs, ok := c.sections[vname]
		if !ok {
			vs = newSection(vname, Pos{})
			c.order = append(c.order, vname)
		} else {
			vs = vs.clone() // it may be shared with the file cache's trees
		}
		c.sections[vname] = vs
		if _, ok := vs.vals["zc.buildout"]; !ok {
			computed(vs, "zc.buildout", ">=3.0.1")
		}
		if _, ok := vs.vals["zc.recipe.egg"]; !ok {
			computed(vs, "zc.recipe.egg", ">=2.0.6")
		}
	}
	dir := bs.vals["directory"].Text
	for _, name := range []string{"download-cache", "eggs-directory", "extends-cache"} {
		v, ok := bs.vals[name]
		if !ok || v.Text == "" || strings.Contains(v.Text, "${") {
			continue
		}
		p := v.Text
		if strings.HasPrefix(p, "~") {
			if home, err := os.UserHomeDir(); err == nil {
				p = home + p[1:]
			}
		}
		if !strings.HasPrefix(p, "/") {
			base := dir
			if pos := v.Pos(); pos.File != "" && v.Last.Kind != OpCommandLine {
				base = pyDirname(pos.File)
			}
			p = pyJoin(base, p)
		}
		if p != v.Text {
			bs.set(name, &Value{Text: p, Last: &Op{Kind: OpDirectory, Value: p, Prev: v.Last}})
		}
	}
	for _, name := range []string{"bin-directory", "parts-directory", "eggs-directory", "develop-eggs-directory"} {
		v, ok := bs.vals[name]
		if !ok || strings.Contains(v.Text, "${") {
			continue
		}
		if c.preDirectory == nil {
			c.preDirectory = map[string]*Value{}
		}
		c.preDirectory[name] = v
		if p := pyJoin(dir, v.Text); p != v.Text {
			bs.set(name, &Value{Text: p, Last: v.Last})
		}
	}
}

// Sections returns the names of the merged sections, in the order they
// first appear (defaults, then files in extends order, then the command line).
func (c *Config) Sections() []string { return append([]string(nil), c.order...) }

// Section returns the merged (unsubstituted, before macros) section name.
func (c *Config) Section(name string) (*Section, bool) {
	s, ok := c.sections[name]
	return s, ok
}

// SortedSections returns the section names sorted.
func (c *Config) SortedSections() []string {
	names := c.Sections()
	sort.Strings(names)
	return names
}

// Expanded returns section name after its <= macros are expanded (values
// inherited from a macro have an OpMacro step naming it), initializing
// the section if needed. It returns the merged section if the macros
// cannot be expanded, with the error.
func (c *Config) Expanded(name string) (*Section, error) {
	st, err := c.access(name)
	if st == nil {
		return nil, err
	}
	if st.raw == nil {
		return c.sections[name], err
	}
	if err != nil {
		return st.raw, err
	}
	return st.raw, nil
}
