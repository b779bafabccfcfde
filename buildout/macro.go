package buildout

import (
	"fmt"
	"strings"
)

// expand is zc.buildout's Options._do_extend_raw: the options of the
// sections named by "<=" (one per line, merged left to right, each
// expanded first), then the section's own options merged over them with
// the += / -= rules. The buildout section is never expanded.
func (c *Config) expand(name string, s *Section, doing []string) (*Section, *Error) {
	if name == "buildout" {
		return s, nil
	}
	for _, d := range doing {
		if d == name {
			return nil, &Error{Pos: s.Pos, Section: name, Option: "<", Msg: fmt.Sprintf("Infinite extending loop %s", pyRepr(name))}
		}
	}
	lt, ok := s.vals["<"]
	if !ok {
		return s, nil
	}
	doing = append(doing, name)
	result := newSection(name, s.Pos)
	ltPos := lt.Pos()
	for _, iname := range strings.Split(lt.Text, "\n") {
		iname = strings.TrimSpace(iname)
		if iname == "" {
			continue
		}
		raw, ok := c.sections[iname]
		if !ok {
			return nil, &Error{Pos: ltPos, Section: name, Option: "<", Msg: fmt.Sprintf("No section named %s", pyRepr(iname))}
		}
		sub, err := c.expand(iname, raw, doing)
		if err != nil {
			return nil, err
		}
		for _, k := range sub.keys {
			v := sub.vals[k]
			result.set(k, &Value{Text: v.Text, Data: v.Data, Final: v.Final, Last: &Op{Kind: OpMacro, Value: iname, Pos: ltPos, Prev: v.Last}})
		}
	}
	updateSection(result, s)
	result.del("<")
	return result, nil
}
