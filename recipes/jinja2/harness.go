package jinja2

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"webrunner/recipes/jinja2/pyval"
)

// RenderCase renders a conformance case directory as described in the
// corpus README (case.json with template, extensions, context, import,
// import_list and import_delimiter) through the same Context, ImportList and
// Environment the recipe uses, and returns the rendered text.
func RenderCase(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		return "", err
	}
	var c struct {
		Template        string          `json:"template"`
		Extensions      []string        `json:"extensions"`
		Context         json.RawMessage `json:"context"`
		Import          json.RawMessage `json:"import"`
		ImportList      [][3]string     `json:"import_list"`
		ImportDelimiter string          `json:"import_delimiter"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Join(dir, "case.json"), err)
	}
	ctx := NewContext()
	for _, section := range []struct {
		raw     json.RawMessage
		import_ bool
	}{{c.Context, false}, {c.Import, true}} {
		if len(section.raw) == 0 {
			continue
		}
		v, err := pyval.FromJSON(section.raw)
		if err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Join(dir, "case.json"), err)
		}
		d, ok := v.(*pyval.Dict)
		if !ok {
			return "", fmt.Errorf("%s: context and import must be objects", filepath.Join(dir, "case.json"))
		}
		for _, item := range d.Items() {
			kv := item.(pyval.Tuple)
			name := kv[0].(string)
			if section.import_ {
				module, _ := kv[1].(string)
				err = ctx.Import(name, module)
			} else {
				err = ctx.Set(name, kv[1])
			}
			if err != nil {
				return "", err
			}
		}
	}
	loader := NewImportList(c.ImportDelimiter)
	for _, e := range c.ImportList {
		if err := loader.Add(e[0], e[1], filepath.Join(dir, e[2])); err != nil {
			return "", err
		}
	}
	env, err := NewEnvironment(c.Extensions, loader)
	if err != nil {
		return "", err
	}
	src, err := os.ReadFile(filepath.Join(dir, c.Template))
	if err != nil {
		return "", err
	}
	text, err := Decode(src, "utf-8")
	if err != nil {
		return "", err
	}
	return env.Render(c.Template, text, ctx)
}
