package node

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"webrunner/buildout"
)

func TestExplainSoftwareRef(t *testing.T) {
	sp := t.TempDir()
	installed := "[buildout]\nparts = dcron\n\n[dcron]\n__buildout_installed__ = \n__buildout_signature__ = x\nlocation = /sw/parts/dcron\nrecipe = slapos.recipe.template\n"
	if err := os.WriteFile(filepath.Join(sp, ".installed.cfg"), []byte(installed), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := func(r string) error {
		return &buildout.RunError{Doing: []string{"Installing cron."}, Err: &buildout.Error{
			Pos: buildout.Pos{File: "/p/buildout.cfg", Line: 12}, Section: "cron", Option: "dcrond-binary",
			Msg: "The referenced section, 'dcron', was not defined.", Ref: r}}
	}
	for _, tc := range []struct {
		name string
		err  error
		hint bool
	}{
		{"software part with the option", ref("${dcron:location}"), true},
		{"option the part does not have", ref("${dcron:nope}"), false},
		{"section unknown to the software", ref("${gzip:location}"), false},
		{"not a reference error", errors.New("boom"), false},
		{"no error", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explainSoftwareRef(tc.err, sp)
			var se *SoftwareRefError
			if errors.As(got, &se) != tc.hint {
				t.Fatalf("explainSoftwareRef = %v, hint %v", got, !tc.hint)
			}
			if !tc.hint {
				if got != tc.err {
					t.Fatalf("error changed to %v", got)
				}
				return
			}
			msg := got.Error()
			for _, want := range []string{"/p/buildout.cfg:12", "${dcron:location}", "raw dcron_location ${dcron:location}", "{{ dcron_location }}"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
		})
	}
}
