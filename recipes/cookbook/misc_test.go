package cookbook

import (
	"context"
	"os"
	"os/user"
	"regexp"
	"testing"

	"webrunner/recipes/recipestest"
)

func TestGeneratePassword(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	h.Add("pw", "bytes", "12")
	if _, err := h.Install(ctx, "slapos.cookbook:generate.password", "pw"); err != nil {
		t.Fatal(err)
	}
	o, _ := h.Section("pw")
	first, _ := o.Get("passwd")
	if !regexp.MustCompile(`^[a-z]{12}$`).MatchString(first) {
		t.Fatalf("passwd = %q", first)
	}
	if got := recipestest.Read(t, h.Path("parts/pw")); got != first {
		t.Errorf("storage = %q", got)
	}
	if m := recipestest.Mode(t, h.Path("parts/pw")); m != 0o600 {
		t.Errorf("storage mode = %o", m)
	}
	// The next run finds the same password.
	h2 := h.Add("pw2", "storage-path", h.Path("parts/pw"))
	if _, err := h.Install(ctx, "slapos.cookbook:generate.password", "pw2"); err != nil {
		t.Fatal(err)
	}
	if v, _ := h2.Get("passwd"); v != first {
		t.Errorf("second run passwd = %q, want %q", v, first)
	}
	h.Add("fixed", "passwd", "secret", "storage-path", "")
	if _, err := h.Install(ctx, "slapos.cookbook:generate.password", "fixed"); err != nil {
		t.Fatal(err)
	}
	h.Add("bad", "bytes", "x")
	_, err := h.Install(ctx, "slapos.cookbook:generate.password", "bad")
	recipestest.ErrorContains(t, err, `option bytes: "x" is not a positive number`)
}

func TestSymbolicLink(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	h.Add("links", "target-directory", h.Path("bin"), "link-binary", "/usr/bin/env\n/bin/sh\n")
	for i := 0; i < 2; i++ {
		paths, err := h.Install(ctx, "slapos.cookbook:symbolic.link", "links")
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) != 2 || paths[0] != h.Path("bin/env") {
			t.Fatalf("paths = %q", paths)
		}
	}
	if l, _ := os.Readlink(h.Path("bin/sh")); l != "/bin/sh" {
		t.Errorf("bin/sh -> %q", l)
	}
	os.WriteFile(h.Path("bin/true"), nil, 0o644)
	h.Add("clash", "target-directory", h.Path("bin"), "link-binary", "/bin/true")
	_, err := h.Install(ctx, "slapos.cookbook:symbolic.link", "clash")
	recipestest.ErrorContains(t, err, "exists but it is not link")
}

func TestUserinfo(t *testing.T) {
	h := recipestest.New(t)
	h.Add("userinfo")
	if _, err := h.Install(context.Background(), "slapos.cookbook:userinfo", "userinfo"); err != nil {
		t.Fatal(err)
	}
	u, _ := user.Current()
	o, _ := h.Section("userinfo")
	if v, _ := o.Get("pw-uid"); v != u.Uid {
		t.Errorf("pw-uid = %q", v)
	}
	if v, _ := o.Get("pw-name"); v != u.Username {
		t.Errorf("pw-name = %q", v)
	}
	if v, _ := o.Get("gr-gid"); v != u.Gid {
		t.Errorf("gr-gid = %q", v)
	}
}
