package template

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"webrunner/recipes/internal/files"
	"webrunner/recipes/recipestest"
)

const recipe = "slapos.recipe.template"

func TestTemplate(t *testing.T) {
	umask := files.Umask()
	tests := []struct {
		name    string
		file    string // content of template.in, if not empty
		opts    []string
		want    string
		mode    os.FileMode
		wantErr string
	}{
		{name: "inline", opts: []string{"inline", "hello ${x}\n"}, want: "hello ${x}\n", mode: 0o666 &^ umask},
		{name: "url substitution", file: "a=${sec:a} self=${:output-name} $${lit:eral} $$x $$$${y}\n",
			opts: []string{"output-name", "o"}, want: "a=A self=o ${lit:eral} $x $${y}\n", mode: 0o666 &^ umask},
		{name: "shebang executable", file: "#!/bin/sh\necho\n", want: "#!/bin/sh\necho\n", mode: 0o777 &^ umask},
		{name: "shebang with space", file: "#! /bin/sh -e\necho\n", want: "#! /bin/sh -e\necho\n", mode: 0o777 &^ umask},
		{name: "shebang missing interpreter", file: "#!/no/such/sh\n", want: "#!/no/such/sh\n", mode: 0o666 &^ umask},
		{name: "explicit mode", file: "#!/bin/sh\n", opts: []string{"mode", "0640"}, want: "#!/bin/sh\n", mode: 0o640},
		{name: "mode 700", opts: []string{"inline", "x", "mode", "700"}, want: "x", mode: 0o700},
		{name: "md5 ok", file: "hello world", opts: []string{"md5sum", "5eb63bbbe01eeed093cb22bb8f5acdc3"}, want: "hello world", mode: 0o666 &^ umask},
		{name: "md5 mismatch", file: "hello", opts: []string{"md5sum", "5eb63bbbe01eeed093cb22bb8f5acdc3"},
			wantErr: "MD5 checksum mismatch for local resource at '{dir}/template.in'."},
		{name: "inline and url", opts: []string{"inline", "x", "url", "y"}, wantErr: "options 'inline' & 'url' conflict"},
		{name: "inline and md5sum", opts: []string{"inline", "x", "md5sum", "y"}, wantErr: "options 'inline' & 'md5sum' conflict"},
		{name: "neither", opts: []string{"mode", "0644"}, wantErr: "one of the options 'inline' 'url' is required"},
		{name: "bad reference", file: "${nosection:x}", wantErr: "The referenced section, 'nosection', was not defined."},
		{name: "missing option", file: "${sec:nope}", wantErr: "Referenced option does not exist: sec nope"},
		{name: "bad mode", opts: []string{"inline", "x", "mode", "9"}, wantErr: "invalid octal mode \"9\" for option template:mode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			h.Add("sec", "a", "A")
			out := h.Path("out/file")
			opts := []string{"output", out}
			if tc.file != "" {
				in := h.Path("template.in")
				os.WriteFile(in, []byte(tc.file), 0o644)
				opts = append(opts, "url", in)
			}
			h.Add("template", append(opts, tc.opts...)...)
			paths, err := h.Install(context.Background(), recipe, "template")
			if tc.wantErr != "" {
				recipestest.ErrorContains(t, err, replaceDir(tc.wantErr, h.Dir))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) != 1 || paths[0] != out {
				t.Errorf("paths = %q", paths)
			}
			if got := recipestest.Read(t, out); got != tc.want {
				t.Errorf("output = %q, want %q", got, tc.want)
			}
			if m := recipestest.Mode(t, out); m != tc.mode {
				t.Errorf("mode = %o, want %o", m, tc.mode)
			}
		})
	}
}

func replaceDir(s, dir string) string { return strings.ReplaceAll(s, "{dir}", dir) }

func TestTemplateReinstallKeepsIdenticalFile(t *testing.T) {
	h := recipestest.New(t)
	out := h.Path("out")
	h.Add("template", "inline", "same", "output", out, "mode", "0600")
	ctx := context.Background()
	if _, err := h.Install(ctx, recipe, "template"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(out)
	os.Chmod(out, 0o644)
	if _, err := h.Install(ctx, recipe, "template"); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(out)
	if !os.SameFile(before, after) {
		t.Error("identical output was recreated")
	}
	if after.Mode().Perm() != 0o600 {
		t.Errorf("mode = %o, want 600", after.Mode().Perm())
	}
	h.Add("template", "inline", "changed")
	if _, err := h.Install(ctx, recipe, "template"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, out); got != "changed" {
		t.Errorf("output = %q", got)
	}
}

func TestTemplateUpdate(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		opts      []string
		rerenders bool
	}{
		{"url without md5sum", nil, true},
		{"url with md5sum", []string{"md5sum", "4f98f59e877ecb84ff75ef0fab45bac5"}, false}, // md5("v1\n")
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			in, out := h.Path("in"), h.Path("out")
			os.WriteFile(in, []byte("v1\n"), 0o644)
			h.Add("template", append([]string{"url", in, "output", out}, tc.opts...)...)
			if _, err := h.Install(ctx, recipe, "template"); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(out, []byte("edited by hand"), 0o644)
			paths, err := h.Update(ctx, recipe, "template")
			if err != nil {
				t.Fatal(err)
			}
			got := recipestest.Read(t, out)
			if tc.rerenders && (got != "v1\n" || len(paths) != 1) {
				t.Errorf("update did not re-render: %q %q", got, paths)
			}
			if !tc.rerenders && (got != "edited by hand" || paths != nil) {
				t.Errorf("update changed the output: %q %q", got, paths)
			}
		})
	}
}

func TestTemplateInlineUpdateKeepsOutput(t *testing.T) {
	h := recipestest.New(t)
	out := filepath.Join(h.Dir, "out")
	h.Add("template", "inline", "x", "output", out)
	ctx := context.Background()
	if _, err := h.Install(ctx, recipe, "template"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(out, []byte("y"), 0o644)
	if _, err := h.Update(ctx, recipe, "template"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, out); got != "y" {
		t.Errorf("inline update rewrote the output: %q", got)
	}
}
