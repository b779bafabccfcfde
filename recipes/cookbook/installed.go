package cookbook

import (
	"os"

	"webrunner/buildout"
	"webrunner/recipes/internal/option"
)

// previousOption returns the value that .installed.cfg records for option
// key of part name, as GenericBaseRecipe.getValueFromPreviousRun does.
func previousOption(h buildout.Host, name, key string) (string, bool) {
	b, err := h.Section("buildout")
	if err != nil {
		return "", false
	}
	path, ok := b.Get("installed")
	if !ok || path == "" {
		return "", false
	}
	src, err := os.ReadFile(option.Abs(h, path))
	if err != nil {
		return "", false
	}
	f, _ := buildout.Parse(path, src, nil)
	if f == nil {
		return "", false
	}
	s := f.Section(name)
	if s == nil {
		return "", false
	}
	o := s.Option(key, '=')
	if o == nil {
		return "", false
	}
	return o.Value, true
}
