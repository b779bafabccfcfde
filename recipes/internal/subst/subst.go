// Package subst performs buildout's ${section:option} substitution on text
// that recipes read from files (slapos.recipe.template's url), in the SlapOS
// dialect: "$$" is a literal "$".
package subst

import (
	"fmt"
	"regexp"
	"strings"

	"webrunner/buildout"
)

var (
	refRE  = regexp.MustCompile(`\$\{[^}]*\}`)
	nameRE = regexp.MustCompile(`^[-a-zA-Z0-9 ._]*$`)
)

// Expand substitutes the ${section:option} references of text, looking
// sections up through h; ${:option} refers to opts, the options of the
// section being processed. The text is split on "$$", each piece is
// substituted, and the pieces are joined with a single "$".
func Expand(h buildout.Host, opts *buildout.Options, text string) (string, error) {
	pieces := strings.Split(text, "$$")
	for i, p := range pieces {
		var err error
		pieces[i] = refRE.ReplaceAllStringFunc(p, func(ref string) string {
			if err != nil {
				return ref
			}
			var v string
			v, err = lookup(h, opts, ref)
			return v
		})
		if err != nil {
			return "", err
		}
	}
	return strings.Join(pieces, "$"), nil
}

func lookup(h buildout.Host, opts *buildout.Options, ref string) (string, error) {
	parts := strings.Split(ref[2:len(ref)-1], ":")
	switch {
	case len(parts) < 2:
		return "", fmt.Errorf("The substitution, %s,\ndoesn't contain a colon.", ref)
	case len(parts) > 2:
		return "", fmt.Errorf("The substitution, %s,\nhas too many colons.", ref)
	case !nameRE.MatchString(parts[0]):
		return "", fmt.Errorf("The section name in substitution, %s,\nhas invalid characters.", ref)
	case parts[1] == "" || !nameRE.MatchString(parts[1]):
		return "", fmt.Errorf("The option name in substitution, %s,\nhas invalid characters.", ref)
	}
	sec, opt := parts[0], parts[1]
	o := opts
	if sec != "" && sec != opts.Section() {
		var err error
		if o, err = h.Section(sec); err != nil {
			return "", err
		}
	}
	v, ok := o.Get(opt)
	if !ok {
		if opt == "_buildout_section_name_" {
			return opts.Section(), nil
		}
		if sec == "" {
			sec = opts.Section()
		}
		return "", fmt.Errorf("Referenced option does not exist: %s %s", sec, opt)
	}
	return v, nil
}
