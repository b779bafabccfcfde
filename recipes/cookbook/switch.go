package cookbook

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"webrunner/buildout"
)

func init() {
	buildout.Register("slapos.cookbook:switch-softwaretype", newSwitchSoftwareType)
	buildout.Register("slapos.cookbook:switch-softwaretype.noop", newSwitchNoop)
}

// A SubBuildoutRunner runs another buildout, as
// slapos.cookbook:switch-softwaretype does with the profile of the
// partition's software type. The install engine's buildout.Host implements
// it; the recipe fails with a clear error on a Host that does not.
type SubBuildoutRunner interface {
	// RunSubBuildout runs, in the current buildout directory, the buildout
	// whose configuration file is config. The options of override are set
	// over those the configuration defines, section by section, as
	// command-line assignments are; a section absent from the file is added.
	RunSubBuildout(ctx context.Context, config string, override map[string]*buildout.Options) error
}

// newSwitchSoftwareType makes slapos.cookbook:switch-softwaretype (spec
// §4.13): the option named after the partition's software type names, as
// section:option, the profile of a sub-buildout run on every install and
// update.
func newSwitchSoftwareType(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	sc, err := h.Section("slap-configuration")
	if err != nil {
		return nil, errors.New("The section to retrieve slap partition parameters (with slapos.cookbook:slapconfiguration recipe or a derived one) must be named [slap-configuration].")
	}
	softwareType, _ := sc.Get("slap-software-type")
	if softwareType == "" {
		softwareType = "default"
	}
	target, ok := opts.Get(softwareType)
	if !ok && softwareType == "RootSoftwareInstance" {
		target, ok = opts.Get("default")
	}
	if !ok {
		return nil, fmt.Errorf("This software type (%s) isn't mapped. 'default' is the default software type.", softwareType)
	}
	section, key, ok := strings.Cut(strings.TrimSpace(target), ":")
	if !ok || section == "" || key == "" {
		return nil, fmt.Errorf("The software types in the section [%s] must be separated by a colon such as: 'section:key', where key is usually 'output' or 'rendered'. Got: %q", name, target)
	}
	ts, err := h.Section(section)
	if err != nil {
		return nil, err
	}
	profile, ok := ts.Get(key)
	if !ok {
		return nil, fmt.Errorf("Missing option: %s:%s", section, key)
	}
	run := func(ctx context.Context) ([]string, error) {
		override := map[string]*buildout.Options{}
		b, err := h.Section("buildout")
		if err != nil {
			return nil, err
		}
		bo := buildout.NewOptions("buildout")
		bo.Set("installed", ".installed-"+name+".cfg")
		for _, k := range []string{"offline", "verbosity", "newest", "directory", "eggs-directory", "develop-eggs-directory"} {
			if v, ok := b.Get(k); ok {
				bo.Set(k, v)
			}
		}
		override["buildout"] = bo
		if conn, err := h.Section("slap-connection"); err == nil {
			override["slap-connection"] = copyOptions(conn)
		}
		scCopy := copyOptions(sc)
		scCopy.Set("recipe", "slapos.cookbook:switch-softwaretype.noop")
		override["slap-configuration"] = scCopy
		runner, ok := h.(SubBuildoutRunner)
		if !ok {
			runner = runBuildout{h}
		}
		if err := runner.RunSubBuildout(ctx, profile, override); err != nil {
			return nil, err
		}
		return []string{}, nil
	}
	return installer(run), nil
}

// runBuildout runs a sub-buildout with buildout.Run when the Host cannot.
// Overrides are command-line assignments, so they carry only strings:
// slap-configuration runs its original recipe again (asking the master
// once more) instead of copying the structured options of the parent.
type runBuildout struct{ h buildout.Host }

func (r runBuildout) RunSubBuildout(ctx context.Context, config string, override map[string]*buildout.Options) error {
	dir := ""
	if b, err := r.h.Section("buildout"); err == nil {
		dir, _ = b.Get("directory")
	}
	var ovs []buildout.Override
	for _, name := range sortedKeys(override) {
		o := override[name]
		for _, k := range o.Keys() {
			v, _ := o.Value(k)
			s, isString := v.(string)
			if !isString {
				continue
			}
			if name == "slap-configuration" && k == "recipe" {
				continue
			}
			// Values are resolved already: keep their "$" literal.
			ovs = append(ovs, buildout.Override{Section: name, Option: k, Value: strings.ReplaceAll(s, "$", "$$")})
		}
	}
	if sc, err := r.h.Section("slap-configuration"); err == nil {
		recipe, _ := sc.Get("recipe")
		if recipe == "" {
			recipe = "slapos.cookbook:slapconfiguration"
		}
		ovs = append(ovs, buildout.Override{Section: "slap-configuration", Option: "recipe", Value: recipe})
	}
	out := r.h.Output()
	return buildout.Run(ctx, buildout.RunOptions{
		Config:    config,
		Directory: dir,
		Overrides: ovs,
		Newest:    true, // buildout:newest comes from the overrides
		OnEvent:   func(ev buildout.Event) { fmt.Fprintln(out, ev.Text) },
	})
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]*buildout.Options) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// copyOptions returns a copy of o, values included.
func copyOptions(o *buildout.Options) *buildout.Options {
	c := buildout.NewOptions(o.Section())
	for _, k := range o.Keys() {
		v, _ := o.Value(k)
		c.SetValue(k, v)
	}
	return c
}

// newSwitchNoop makes the recipe that stands for slap-configuration in the
// sub-buildout of switch-softwaretype: its options are already resolved.
func newSwitchNoop(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	for _, k := range opts.Keys() {
		opts.Value(k)
	}
	return installer(func(context.Context) ([]string, error) { return []string{}, nil }), nil
}
