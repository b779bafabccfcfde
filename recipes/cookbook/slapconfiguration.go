package cookbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/jinja2/pyval"
	"webrunner/recipes/slap"
)

func init() {
	buildout.Register("slapos.cookbook:slapconfiguration", slapconfigurationFactory(false))
	buildout.Register("slapos.cookbook:slapconfiguration.serialised", slapconfigurationFactory(true))
	buildout.Register("slapos.cookbook:slapconfiguration.jsondump", newSlapconfigurationJSONDump)
}

// newSlapconfigurationJSONDump makes slapos.cookbook:slapconfiguration.jsondump:
// slapconfiguration.serialised whose Install also writes the instance
// parameters as JSON (indent 2, sorted keys) to json-output.
func newSlapconfigurationJSONDump(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	out, ok := opts.Get("json-output")
	if !ok {
		return nil, fmt.Errorf("Missing option: %s:json-output", name)
	}
	if _, err := slapconfigurationFactory(true)(ctx, h, name, opts); err != nil {
		return nil, err
	}
	conf, _ := opts.Value("configuration")
	text, err := pyval.JSONDumps(conf, pyval.JSONOptions{SortKeys: true, Indent: "  ", HasIndent: true, EnsureASCII: true})
	if err != nil {
		return nil, fmt.Errorf("section %s: %w", name, err)
	}
	out = option.Abs(h, out)
	return installer(func(context.Context) ([]string, error) {
		if err := os.WriteFile(out, []byte(text), 0o666); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{out}, nil
	}), nil
}

// masterKeys are the parameters the master adds to those of the user; the
// recipe pops them, so user parameters with these names are dropped.
var masterKeys = map[string]bool{
	"ip_list": true, "full_address_list": true, "full_ip_list": true,
	"slap_software_type": true, "instance_title": true, "root_instance_title": true,
	"slap_computer_id": true, "slap_computer_partition_id": true,
	"slap_software_release_url": true, "slave_instance_list": true, "timestamp": true,
}

// paramsDict returns params as a Python dict of str (or None) values.
func paramsDict(params []slap.Param) *pyval.Dict {
	d := pyval.NewDict()
	for _, p := range params {
		d.SetStr(p.Name, p.Value)
	}
	return d
}

// slapconfigurationFactory returns the factory of
// slapos.cookbook:slapconfiguration (spec §4.12): everything happens when
// the part is constructed, so that other sections see its options; Install
// and Update do nothing. Structured options (configuration, ipv4, ipv6,
// slave-instance-list, storage-dict) are pyval values.
func slapconfigurationFactory(serialised bool) buildout.Factory {
	return func(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
		firstOption(opts, "url", "server-url")
		firstOption(opts, "key", "key-file")
		firstOption(opts, "cert", "cert-file")
		m, c, err := master(ctx, h, name, opts)
		if err != nil {
			return nil, err
		}
		if c.computerID == "" || c.partitionID == "" {
			return nil, fmt.Errorf("section %s: the computer and partition options (or [slap-connection] computer-id and partition-id) are required", name)
		}
		p, err := m.Partition(ctx, c.computerID, c.partitionID)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		set := opts.SetValue
		set("instance-state", p.RequestedState)
		set("instance-guid", p.InstanceGUID)
		set("slap-software-type", p.SoftwareType)
		set("slap-computer-partition-id", p.PartitionID)
		set("slap-computer-id", p.ComputerID)
		set("slap-software-release-url", p.SoftwareReleaseURL)
		slaves := make([]pyval.Value, len(p.Slaves))
		for i, s := range p.Slaves {
			slaves[i] = paramsDict(s)
		}
		set("slave-instance-list", pyval.NewList(slaves...))
		if p.Timestamp != "" {
			set("timestamp", p.Timestamp)
		}
		set("instance-title", orDefault(p.InstanceTitle, "UNKNOWN Instance"))
		set("root-instance-title", orDefault(p.RootInstanceTitle, "UNKNOWN"))
		set("root-instance-short-title", "UNKNOWN")

		var v4, v6 []pyval.Value
		var v4s, v6s []string
		for _, a := range p.Addresses {
			if strings.Contains(a.IP, ":") {
				v6, v6s = append(v6, a.IP), append(v6s, a.IP)
			} else {
				v4, v4s = append(v4, a.IP), append(v4s, a.IP)
			}
		}
		for _, f := range []struct {
			key  string
			vals []pyval.Value
			strs []string
		}{{"ipv4", v4, v4s}, {"ipv6", v6, v6s}} {
			s, err := pyval.NewSet(f.vals...)
			if err != nil {
				return nil, err
			}
			set(f.key, s)
			if len(f.strs) > 0 {
				sort.Strings(f.strs)
				set(f.key+"-random", f.strs[0])
			}
		}

		dir := ""
		if b, err := h.Section("buildout"); err == nil {
			dir, _ = b.Get("directory")
		}
		storage, err := storageDict(dir, opts)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		set("storage-dict", storage)

		var params []slap.Param
		for _, q := range p.Parameters {
			if !masterKeys[q.Name] {
				params = append(params, q)
			}
		}
		var conf pyval.Value = paramsDict(params)
		if serialised {
			if raw, ok := slap.Lookup(params, "_"); ok {
				s, _ := raw.(string)
				if conf, err = pyval.FromJSON([]byte(s)); err != nil {
					return nil, fmt.Errorf("section %s: parameter _ is not JSON: %w", name, err)
				}
			}
		}
		set("configuration", conf)
		if d, ok := conf.(*pyval.Dict); ok {
			for _, item := range d.Items() {
				kv := item.(pyval.Tuple)
				k, isString := kv[0].(string)
				if !isString || strings.ContainsAny(k, "=:") {
					continue
				}
				set("configuration."+k, kv[1])
			}
		}
		if err := resourceOptions(dir, opts); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return installer(func(context.Context) ([]string, error) { return []string{}, nil }), nil
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// storageDict links the subdirectories of storage-home into <dir>/DATA and
// returns {name: <dir>/DATA/name}.
func storageDict(dir string, opts *buildout.Options) (*pyval.Dict, error) {
	d := pyval.NewDict()
	home := firstOption(opts, "storage-home")
	if home == "" || dir == "" {
		return d, nil
	}
	entries, err := os.ReadDir(home)
	if errors.Is(err, os.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "DATA")
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if err := os.MkdirAll(data, 0o777); err != nil {
			return nil, err
		}
		link := filepath.Join(data, e.Name())
		if _, err := os.Lstat(link); errors.Is(err, os.ErrNotExist) {
			if err := os.Symlink(filepath.Join(home, e.Name()), link); err != nil {
				return nil, err
			}
		}
		d.SetStr(e.Name(), link)
	}
	return d, nil
}

// resourceOptions sets the flattened keys of the first .slapos-resource
// file found in dir or a parent, as options that do not exist yet.
func resourceOptions(dir string, opts *buildout.Options) error {
	for d := dir; d != ""; {
		path := filepath.Join(d, ".slapos-resource")
		b, err := os.ReadFile(path)
		if err == nil {
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			flatten("", v, func(k string, v any) {
				k = strings.ReplaceAll(k, "_", "-")
				if _, exists := opts.Value(k); !exists {
					opts.SetValue(k, pyval.Of(jsonValue(v)))
				}
			})
			return nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return nil
}

// flatten calls set for each leaf of v with the keys joined by "-".
func flatten(prefix string, v any, set func(string, any)) {
	m, ok := v.(map[string]any)
	if !ok {
		set(prefix, v)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if prefix != "" {
			flatten(prefix+"-"+k, m[k], set)
		} else {
			flatten(k, m[k], set)
		}
	}
}

// jsonValue converts a decoded JSON scalar or list to a pyval value.
func jsonValue(v any) pyval.Value {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
		return x
	case []any:
		out := make([]pyval.Value, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return pyval.NewList(out...)
	}
	return v
}
