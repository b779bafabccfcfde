package template

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	_ "webrunner/recipes/cookbook"
	_ "webrunner/recipes/download"
	"webrunner/recipes/recipestest"
	"webrunner/recipes/slap"
)

// The tutorial's template (seeds: "Add Template Folder and Template").
const renderedIn = `{% if title %}
{{ title }}
{% endif %}
Title: {{ name }}!
`

// The part of the tutorial's instance.cfg.in that uses it.
const instanceCfgIn = `[template-creation]
# XXX Jinja action!
recipe = slapos.recipe.template:jinja2
template = {{ template_get['location'] }}/{{ template_get['filename'] }}
rendered = ${directory:data}/data1.txt
mode = 700
context =
  key name instance-parameter:configuration.name
  key title instance-parameter:configuration.title
`

// TestTutorialTemplateSteps chains, as the engine would, the tutorial's
// "Add Feature" steps: [template-get] (hexagonit.recipe.download) and
// [instance-profile] (jinja2 with "section template_get template-get") in
// the software release build, then [instance-parameter]
// (slapconfiguration), [directory] (mkdirectory) and [template-creation]
// (jinja2, mode 700) in the instance, which must produce srv/data/data1.txt.
func TestTutorialTemplateSteps(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params []slap.Param
		want   string
	}{
		{"default parameters", nil, "\nTitle: John Doe!"},
		{"name and title", []slap.Param{{Name: "name", Value: "Alice"}, {Name: "title", Value: "My page"}}, "\nMy page\n\nTitle: Alice!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()

			// Software release build.
			sr := recipestest.New(t)
			project := t.TempDir()
			os.MkdirAll(filepath.Join(project, "template"), 0o755)
			os.WriteFile(filepath.Join(project, "template/rendered.in"), []byte(renderedIn), 0o644)
			os.WriteFile(filepath.Join(project, "instance.cfg.in"), []byte(instanceCfgIn), 0o644)
			sr.Add("template-get", "recipe", "hexagonit.recipe.download",
				"url", filepath.Join(project, "template/rendered.in"),
				"location", sr.Path("parts/template-get"), "filename", "rendered.in", "download-only", "true")
			if _, err := sr.Install(ctx, "hexagonit.recipe.download", "template-get"); err != nil {
				t.Fatal(err)
			}
			sr.Add("instance-profile", "recipe", jinja2Name, "url", filepath.Join(project, "instance.cfg.in"),
				"output", sr.Path("instance.cfg"), "extensions", "jinja2.ext.do",
				"context", "section buildout buildout\nsection template_get template-get")
			if _, err := sr.Install(ctx, jinja2Name, "instance-profile"); err != nil {
				t.Fatal(err)
			}
			instanceCfg := recipestest.Read(t, sr.Path("instance.cfg"))
			m := regexp.MustCompile(`(?m)^template = (.*)$`).FindStringSubmatch(instanceCfg)
			if m == nil || m[1] != sr.Path("parts/template-get/rendered.in") {
				t.Fatalf("instance.cfg:\n%s", instanceCfg)
			}

			// Instance.
			inst, _, ictx := newTutorialInstance(t, tc.params)
			inst.Add("instance-parameter", "recipe", "slapos.cookbook:slapconfiguration",
				"computer", "COMP-1", "partition", "slappart0", "url", "http://127.0.0.1:1", "key", "", "cert", "",
				"configuration.name", "John Doe", "configuration.title", "")
			if _, err := inst.Install(ictx, "slapos.cookbook:slapconfiguration", "instance-parameter"); err != nil {
				t.Fatal(err)
			}
			inst.Add("directory", "recipe", "slapos.cookbook:mkdirectory", "home", inst.Dir,
				"etc", inst.Path("etc"), "var", inst.Path("var"), "data", inst.Path("srv/data"))
			if _, err := inst.Install(ictx, "slapos.cookbook:mkdirectory", "directory"); err != nil {
				t.Fatal(err)
			}
			inst.Add("template-creation", "recipe", jinja2Name, "template", m[1],
				"rendered", inst.Path("srv/data")+"/data1.txt", "mode", "700",
				"context", "\nkey name instance-parameter:configuration.name\nkey title instance-parameter:configuration.title ")
			paths, err := inst.Install(ictx, jinja2Name, "template-creation")
			if err != nil {
				t.Fatal(err)
			}
			data := inst.Path("srv/data/data1.txt")
			if len(paths) != 1 || paths[0] != data {
				t.Errorf("paths = %q", paths)
			}
			if got := recipestest.Read(t, data); got != tc.want {
				t.Errorf("data1.txt = %q, want %q", got, tc.want)
			}
			if mode := recipestest.Mode(t, data); mode != 0o700 {
				t.Errorf("data1.txt mode = %o, want 700", mode)
			}
		})
	}
}

// newTutorialInstance returns the host of partition slappart0, with a
// [slap-connection] section and a master holding params.
func newTutorialInstance(t *testing.T, params []slap.Param) (*recipestest.Host, *slap.Memory, context.Context) {
	h := recipestest.New(t)
	h.Add("slap-connection", "computer-id", "COMP-1", "partition-id", "slappart0")
	m := slap.NewMemory(&slap.Partition{ComputerID: "COMP-1", PartitionID: "slappart0", InstanceGUID: "COMP-1-slappart0",
		RequestedState: "started", Parameters: params,
		Addresses: []slap.Address{{Interface: "slappart0", IP: "fd00::2"}}})
	return h, m, slap.NewContext(context.Background(), m)
}
