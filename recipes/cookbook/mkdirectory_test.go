package cookbook

import (
	"context"
	"os"
	"testing"

	"webrunner/recipes/internal/files"
	"webrunner/recipes/recipestest"
)

func TestMkdirectory(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	h.Add("directory", "recipe", "slapos.cookbook:mkdirectory",
		"home", h.Dir, "etc", h.Path("etc"), "service", h.Path("etc/service"),
		"script", h.Path("etc/run")+"/", "log", h.Path("var/log"), "empty", "")
	h.Add("private", "data", h.Path("srv/private/data"), "mode", "0700")
	for i := 0; i < 2; i++ { // a second install is a no-op
		paths, err := h.Install(ctx, "slapos.cookbook:mkdirectory", "directory")
		if err != nil || paths == nil || len(paths) != 0 {
			t.Fatalf("install = %q, %v; want an empty list", paths, err)
		}
	}
	for _, d := range []string{"etc", "etc/service", "etc/run", "var/log"} {
		if m := recipestest.Mode(t, h.Path(d)); m != 0o777&^files.Umask() {
			t.Errorf("%s: mode %o", d, m)
		}
	}
	if _, err := h.Update(ctx, "slapos.cookbook:mkdirectory", "private"); err != nil {
		t.Fatal(err)
	}
	if m := recipestest.Mode(t, h.Path("srv/private/data")); m != 0o700&^files.Umask() {
		t.Errorf("mode %o", m)
	}
	os.WriteFile(h.Path("file"), nil, 0o644)
	h.Add("bad", "x", h.Path("file"))
	if _, err := h.Install(ctx, "slapos.cookbook:mkdirectory", "bad"); err == nil {
		t.Error("no error when a path is a file")
	}
	h.Add("badmode", "mode", "rw", "x", h.Path("y"))
	_, err := h.Install(ctx, "slapos.cookbook:mkdirectory", "badmode")
	recipestest.ErrorContains(t, err, `invalid octal mode "rw" for option badmode:mode`)
}
