package cookbook

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/slap"
)

func init() {
	buildout.Register("slapos.cookbook:publish", publishFactory(false, false))
	buildout.Register("slapos.cookbook:publish.serialised", publishFactory(true, false))
	buildout.Register("slapos.cookbook:publish_failsafe", publishFactory(false, true))
	buildout.Register("slapos.cookbook:publish.serialised_failsafe", publishFactory(true, true))
	buildout.RegisterUninstall("slapos.cookbook:publish_failsafe", uninstallFailsafe)
	buildout.RegisterUninstall("slapos.cookbook:publish.serialised_failsafe", uninstallFailsafe)
}

// publishFactory returns the factory of slapos.cookbook:publish and its
// variants (spec §4.11): serialised publishes {"_": json}, failsafe records
// errors in -error-status-file instead of failing.
func publishFactory(serialised, failsafe bool) buildout.Factory {
	return func(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
		// This section and the transitive closure of -extends.
		sections := []*buildout.Options{opts}
		seen := map[string]bool{name: true}
		for i := 0; i < len(sections); i++ {
			ext, _ := sections[i].Get("-extends")
			for _, s := range strings.Fields(ext) {
				if seen[s] {
					continue
				}
				seen[s] = true
				o, err := h.Section(s)
				if err != nil {
					return nil, fmt.Errorf("section %s: option -extends: %w", name, err)
				}
				sections = append(sections, o)
			}
		}
		errorFile, _ := opts.Get("-error-status-file")
		slaveRef, _ := opts.Get("-slave-reference")
		// The values are read when the part is constructed, as buildout
		// resolves them then; Install publishes them.
		var params []slap.Param
		var paramsErr error
		index := map[string]int{}
	collect:
		for _, o := range sections {
			keys := o.Keys()
			if p, ok := o.Get("-publish"); ok {
				keys = strings.Fields(p)
			}
			for _, k := range keys {
				if k == "recipe" || strings.HasPrefix(k, "-") || strings.HasPrefix(k, "__") {
					continue
				}
				v, ok := o.Get(k)
				if !ok {
					paramsErr = fmt.Errorf("section %s: -publish names %q, which section %s does not define", name, k, o.Section())
					break collect
				}
				if i, dup := index[k]; dup {
					params[i].Value = v
					continue
				}
				index[k] = len(params)
				params = append(params, slap.Param{Name: k, Value: v})
			}
		}
		if serialised {
			params = []slap.Param{{Name: "_", Value: jsonObject(params)}}
		}
		publish := func(ctx context.Context) error {
			if paramsErr != nil {
				return paramsErr
			}
			m, c, err := master(ctx, h, name, nil)
			if err != nil {
				return err
			}
			return m.Publish(ctx, c.computerID, c.partitionID, slaveRef, params)
		}
		install := func(ctx context.Context) ([]string, error) {
			err := publish(ctx)
			if !failsafe || errorFile == "" {
				if err != nil {
					return nil, err
				}
				return []string{}, nil
			}
			if err != nil {
				h.Logf("%s: publishing failed: %v", name, err)
				if werr := os.WriteFile(errorFile, []byte(err.Error()+"\n"), 0o644); werr != nil {
					return nil, werr
				}
				return []string{}, nil
			}
			if rerr := os.Remove(errorFile); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				return nil, rerr
			}
			return []string{}, nil
		}
		update := func(ctx context.Context) ([]string, error) {
			if len(sections) > 1 {
				return install(ctx)
			}
			if failsafe && errorFile != "" {
				if _, err := os.Stat(errorFile); err == nil {
					return install(ctx)
				}
			}
			return nil, nil
		}
		return recipe{install, update}, nil
	}
}

// uninstallFailsafe removes the error status file of a failsafe publish part.
func uninstallFailsafe(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) error {
	if f, _ := opts.Get("-error-status-file"); f != "" {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
