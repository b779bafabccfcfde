package cookbook

import (
	"context"
	"os"
	"testing"

	"webrunner/recipes/recipestest"
	"webrunner/recipes/slap"
)

// newInstanceHost returns a host with a [slap-connection] section and a
// context holding an in-memory master that knows partition slappart0.
func newInstanceHost(t *testing.T, p *slap.Partition) (*recipestest.Host, *slap.Memory, context.Context) {
	t.Helper()
	h := recipestest.New(t)
	h.Add("slap-connection", "computer-id", "COMP-1", "partition-id", "slappart0",
		"server-url", "http://127.0.0.1:1", "software-release-url", "/sr/software.cfg")
	if p == nil {
		p = &slap.Partition{}
	}
	p.ComputerID, p.PartitionID = "COMP-1", "slappart0"
	m := slap.NewMemory(p)
	return h, m, slap.NewContext(context.Background(), m)
}

func TestPublish(t *testing.T) {
	tests := []struct {
		name   string
		recipe string
		setup  func(h *recipestest.Host)
		want   []slap.Param
	}{
		{"plain", "slapos.cookbook:publish", func(h *recipestest.Host) {
			h.Add("publish", "recipe", "slapos.cookbook:publish", "name", "Hello John Doe!", "url.python", "http://[::1]:7777")
		}, []slap.Param{param("name", "Hello John Doe!"), param("url.python", "http://[::1]:7777")}},
		{"-publish and -extends", "slapos.cookbook:publish", func(h *recipestest.Host) {
			h.Add("publish", "recipe", "slapos.cookbook:publish", "-extends", "other", "a", "1", "hidden", "x", "-publish", "a")
			h.Add("other", "b", "2", "a", "overridden", "-private", "no")
		}, []slap.Param{param("a", "overridden"), param("b", "2")}},
		{"serialised", "slapos.cookbook:publish.serialised", func(h *recipestest.Host) {
			h.Add("publish", "recipe", "slapos.cookbook:publish.serialised", "server_url", "http://[::1]:8081", "title", "Tïtle \"x\"\n")
		}, []slap.Param{param("_", `{"server_url": "http://[::1]:8081", "title": "T\u00eftle \"x\"\n"}`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, m, ctx := newInstanceHost(t, nil)
			tc.setup(h)
			paths, err := h.Install(ctx, tc.recipe, "publish")
			if err != nil {
				t.Fatal(err)
			}
			if paths == nil || len(paths) != 0 {
				t.Errorf("paths = %q", paths)
			}
			got := m.Published["slappart0"]
			if len(got) != len(tc.want) {
				t.Fatalf("published %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("published[%d] = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestPublishUpdateAndErrors(t *testing.T) {
	h, m, ctx := newInstanceHost(t, nil)
	h.Add("publish", "a", "1", "-slave-reference", "SLAVE-1")
	if _, err := h.Install(ctx, "slapos.cookbook:publish", "publish"); err != nil {
		t.Fatal(err)
	}
	if v, _ := slap.Lookup(m.Published["slappart0/SLAVE-1"], "a"); v != "1" {
		t.Fatalf("slave publish = %v", m.Published)
	}
	delete(m.Published, "slappart0/SLAVE-1")
	if _, err := h.Update(ctx, "slapos.cookbook:publish", "publish"); err != nil {
		t.Fatal(err)
	}
	if len(m.Published) != 0 {
		t.Error("update without -extends published again")
	}
	_, err := h.Install(context.Background(), "slapos.cookbook:publish", "publish")
	recipestest.ErrorContains(t, err, "section publish: no SlapOS master")

	h.Add("slap-connection", "partition-id", "slappart9")
	_, err = h.Install(ctx, "slapos.cookbook:publish", "publish")
	recipestest.ErrorContains(t, err, "partition slappart9 of computer COMP-1: not found")

	// failsafe: the error goes to the status file, which goes away on success.
	status := h.Path("publish.err")
	h.Add("safe", "a", "1", "-error-status-file", status)
	if _, err := h.Install(ctx, "slapos.cookbook:publish_failsafe", "safe"); err != nil {
		t.Fatal(err)
	}
	recipestest.ErrorContains(t, errorf(recipestest.Read(t, status)), "not found")
	h.Add("slap-connection", "partition-id", "slappart0")
	if _, err := h.Update(ctx, "slapos.cookbook:publish_failsafe", "safe"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(status); !os.IsNotExist(err) {
		t.Error("status file kept after a successful publish")
	}
}

// param returns a slap.Param.
func param(name string, v any) slap.Param { return slap.Param{Name: name, Value: v} }

type errorf string

func (e errorf) Error() string { return string(e) }
