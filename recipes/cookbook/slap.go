package cookbook

import (
	"context"
	"fmt"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/jinja2/pyval"
	"webrunner/recipes/slap"
)

// connection is a partition's identity in the [slap-connection] section.
type connection struct {
	computerID, partitionID string
}

// master returns the master of ctx and the identity of the partition from
// the [slap-connection] section, or the options of the recipe when they
// name them (computer-id / partition-id, or computer / partition).
func master(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (slap.Master, connection, error) {
	m, ok := slap.FromContext(ctx)
	if !ok {
		return nil, connection{}, fmt.Errorf("section %s: no SlapOS master is available to this buildout run", name)
	}
	var c connection
	if opts != nil {
		c.computerID = firstOption(opts, "computer-id", "computer")
		c.partitionID = firstOption(opts, "partition-id", "partition")
	}
	if c.computerID == "" || c.partitionID == "" {
		sc, err := h.Section("slap-connection")
		if err != nil {
			return nil, c, fmt.Errorf("section %s: %w", name, err)
		}
		if c.computerID == "" {
			c.computerID, _ = sc.Get("computer-id")
		}
		if c.partitionID == "" {
			c.partitionID, _ = sc.Get("partition-id")
		}
	}
	return m, c, nil
}

// firstOption returns the first non-empty value of the given options.
func firstOption(opts *buildout.Options, keys ...string) string {
	for _, k := range keys {
		if v, ok := opts.Get(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// jsonObject encodes string pairs as Python's json.dumps of a dict does,
// keeping their order.
func jsonObject(params []slap.Param) string {
	parts := make([]string, len(params))
	for i, p := range params {
		v := "null"
		if s, ok := p.Value.(string); ok {
			v = pyval.JSONString(s)
		}
		parts[i] = pyval.JSONString(p.Name) + ": " + v
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
