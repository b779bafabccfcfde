package cookbook

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/jinja2/pyval"
	"webrunner/recipes/slap"
)

func init() {
	buildout.Register("slapos.cookbook:request", requestFactory(false, false))
	buildout.Register("slapos.cookbook:request.serialised", requestFactory(true, false))
	buildout.Register("slapos.cookbook:requestoptional", requestFactory(false, true))
	buildout.Register("slapos.cookbook:requestoptional.serialised", requestFactory(true, true))
}

// requestFactory returns the factory of slapos.cookbook:request and its
// variants (spec §4.14). The request is made when the part is constructed,
// so that connection-<key> options are visible to other sections; Install
// reports its failure (requestoptional only logs it).
func requestFactory(serialised, optional bool) buildout.Factory {
	return func(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
		for _, k := range []string{"config", "sla"} {
			if _, ok := opts.Get(k); ok {
				return nil, fmt.Errorf("section %s: option %q is obsolete: use %s-<key> options", name, k, k)
			}
		}
		title, err := option.Required(opts, "name")
		if err != nil {
			return nil, err
		}
		url, err := option.Required(opts, "software-url")
		if err != nil {
			return nil, err
		}
		req := slap.Request{
			SoftwareURL:  strings.TrimSpace(url),
			Title:        title,
			SoftwareType: strings.TrimSpace(option.Get(opts, "software-type", "default")),
			Shared:       option.IsTrue(opts, "shared"),
			State:        strings.TrimSpace(option.Get(opts, "state", "")),
		}
		var config []slap.Param
		for _, k := range opts.Keys() {
			if key, ok := strings.CutPrefix(k, "config-"); ok {
				v, _ := opts.Get(k)
				config = append(config, slap.Param{Name: key, Value: v})
			} else if key, ok := strings.CutPrefix(k, "sla-"); ok {
				if v, _ := opts.Get(k); v != "" {
					req.Filter = append(req.Filter, slap.Param{Name: key, Value: v})
				}
			}
		}
		req.Parameters = config
		if serialised {
			req.Parameters = []slap.Param{{Name: "_", Value: jsonObject(config)}}
		}
		returns := strings.Fields(option.Get(opts, "return", ""))

		var inst *slap.Instance
		m, c, err := master(ctx, h, name, opts)
		if err == nil {
			inst, err = m.Request(ctx, c.computerID, c.partitionID, req)
		}
		var requestErr error
		if err != nil {
			requestErr = fmt.Errorf("section %s: %w", name, err)
			inst = &slap.Instance{State: req.State}
		}
		state := inst.State
		if state == "" {
			state = "started"
		}
		opts.Set("requested-state", state)
		values, err := connectionValues(inst.Connection, serialised)
		if err != nil && requestErr == nil {
			requestErr = fmt.Errorf("section %s: %w", name, err)
		}
		var missing []string
		for _, k := range returns {
			v, ok := values[k]
			if !ok {
				missing = append(missing, k)
			}
			opts.Set("connection-"+k, v)
		}
		if !req.Shared {
			opts.Set("instance-guid", inst.InstanceGUID)
			opts.Set("instance_guid", inst.InstanceGUID)
			opts.Set("instance-state", state)
			opts.Set("instance-status", "")
		}
		install := func(ctx context.Context) ([]string, error) {
			err := requestErr
			if err == nil && len(missing) > 0 {
				err = fmt.Errorf("Connection parameter %s not found. Status of requested instance is: %s. If this error persists, check status of this instance.", missing[0], state)
			}
			if err != nil {
				if optional {
					h.Logf("%s: %v", name, err)
					return []string{}, nil
				}
				return nil, err
			}
			return []string{}, nil
		}
		return installer(install), nil
	}
}

// connectionValues returns the string values of the connection
// parameters, decoded from the "_" JSON parameter for serialised requests.
func connectionValues(conn []slap.Param, serialised bool) (map[string]string, error) {
	values := map[string]string{}
	if !serialised {
		for _, p := range conn {
			values[p.Name] = p.String()
		}
		return values, nil
	}
	raw, ok := slap.Lookup(conn, "_")
	if !ok {
		return values, nil
	}
	s, _ := raw.(string)
	v, err := pyval.FromJSON([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("connection parameter _ is not JSON: %w", err)
	}
	d, ok := v.(*pyval.Dict)
	if !ok {
		return nil, errors.New("connection parameter _ is not a JSON object")
	}
	for _, item := range d.Items() {
		kv := item.(pyval.Tuple)
		k, _ := kv[0].(string)
		str, err := pyval.Str(kv[1])
		if err != nil {
			return nil, err
		}
		values[k] = str
	}
	return values, nil
}
