package cookbook

import (
	"context"
	"net"
	"os"
	"strconv"
	"testing"

	"webrunner/recipes/recipestest"
)

func TestFreePort(t *testing.T) {
	ctx := context.Background()
	// Occupy a port, and ask for a range starting there.
	var busy net.Listener
	first := 20000
	for ; busy == nil && first < 30000; first++ {
		busy, _ = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(first))
	}
	if busy == nil {
		t.Fatal("no port free between 20000 and 30000")
	}
	defer busy.Close()
	first = busy.Addr().(*net.TCPAddr).Port
	h := recipestest.New(t)
	installed := h.Path(".installed.cfg")
	h.Add("buildout", "directory", h.Dir, "installed", installed)
	h.Add("port", "recipe", "slapos.cookbook:free_port", "ip", "127.0.0.1",
		"minimum", strconv.Itoa(first), "maximum", strconv.Itoa(first+50))
	if _, err := h.Install(ctx, "slapos.cookbook:free_port", "port"); err != nil {
		t.Fatal(err)
	}
	opts, _ := h.Section("port")
	got, _ := opts.Get("port")
	p, _ := strconv.Atoi(got)
	if p <= first || p > first+50 {
		t.Fatalf("port = %q, want a free port in (%d, %d]", got, first, first+50)
	}

	// Recorded in .installed.cfg and now in use: kept.
	l, err := net.Listen("tcp", "127.0.0.1:"+got)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	os.WriteFile(installed, []byte("[buildout]\nparts = port\n\n[port]\nip = 127.0.0.1\nport = "+got+"\nrecipe = slapos.cookbook:free_port\n"), 0o644)
	h.Add("port", "recipe", "slapos.cookbook:free_port", "ip", "127.0.0.1",
		"minimum", strconv.Itoa(first), "maximum", strconv.Itoa(first+50))
	if _, err := h.Install(ctx, "slapos.cookbook:free_port", "port"); err != nil {
		t.Fatal(err)
	}
	opts, _ = h.Section("port")
	if again, _ := opts.Get("port"); again != got {
		t.Fatalf("port moved from %s to %s although .installed.cfg records it", got, again)
	}

	// Out of range or another ip: a new port is chosen.
	h.Add("port", "recipe", "slapos.cookbook:free_port", "ip", "127.0.0.2",
		"minimum", strconv.Itoa(first), "maximum", strconv.Itoa(first+50))
	if _, err := h.Install(ctx, "slapos.cookbook:free_port", "port"); err != nil {
		t.Fatal(err)
	}

	h.Add("bad", "recipe", "slapos.cookbook:free_port", "minimum", "x")
	_, err = h.Install(ctx, "slapos.cookbook:free_port", "bad")
	recipestest.ErrorContains(t, err, `section bad: option minimum: "x" is not a port number`)
}
