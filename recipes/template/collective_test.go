package template

import (
	"context"
	"os"
	"testing"

	"webrunner/recipes/internal/files"
	"webrunner/recipes/recipestest"
)

func TestCollectiveTemplate(t *testing.T) {
	tests := []struct {
		name    string
		opts    []string
		want    string
		mode    os.FileMode
		wantErr string
	}{
		{"input file keeps its mode", []string{"input", "{dir}/in"}, "port=8080 $x", 0o751, ""},
		{"inline", []string{"inline", "a ${sec:port}"}, "a 8080", 0o666 &^ files.Umask(), ""},
		{"input inline:", []string{"input", "inline:\nb ${sec:port}", "mode", "0600"}, "b 8080", 0o600, ""},
		{"both", []string{"input", "x", "inline", "y"}, "", 0, "You can't specify both input and inline."},
		{"none", nil, "", 0, "No input file or inline template specified."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			os.WriteFile(h.Path("in"), []byte("port=${sec:port} $$x"), 0o751)
			h.Add("sec", "port", "8080")
			opts := []string{"output", h.Path("out")}
			for i := 0; i < len(tc.opts); i += 2 {
				v := tc.opts[i+1]
				if v == "{dir}/in" {
					v = h.Path("in")
				}
				opts = append(opts, tc.opts[i], v)
			}
			h.Add("tpl", opts...)
			_, err := h.Install(context.Background(), "collective.recipe.template", "tpl")
			if tc.wantErr != "" {
				recipestest.ErrorContains(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := recipestest.Read(t, h.Path("out")); got != tc.want {
				t.Errorf("output = %q, want %q", got, tc.want)
			}
			if m := recipestest.Mode(t, h.Path("out")); m != tc.mode {
				t.Errorf("mode = %o, want %o", m, tc.mode)
			}
		})
	}
}
