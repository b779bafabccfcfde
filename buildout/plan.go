package buildout

import "strings"

// Parts returns the parts to install, in zc.buildout's order: each part
// of [buildout] parts is accessed in turn, which initializes it and,
// depth first, every section it references through ${} or "=>"
// (<part-dependencies>); a section that has a recipe becomes a part when
// its initialization completes, so dependencies come first and
// referenced recipe sections not listed in parts are installed too
// (implicit parts). A listed section without a recipe is not a part.
// Sections initialized earlier (by [buildout] references) come first.
func (c *Config) Parts() ([]string, error) {
	if _, err := c.access("buildout"); err != nil {
		return nil, err
	}
	bo := c.states["buildout"].opts
	parts, _ := bo.lookup("parts")
	for _, p := range strings.Fields(parts) {
		if _, err := c.access(p); err != nil {
			return nil, err
		}
	}
	return append([]string(nil), c.parts...), nil
}
