package template

import (
	"context"
	"errors"
	"os"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/fetch"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/internal/subst"
)

func init() {
	buildout.Register("collective.recipe.template", newCollective)
}

// newCollective makes collective.recipe.template: the text of input (a
// path or URL, or "inline:" followed by the text) or of inline is
// buildout-substituted and written to output, with mode, or else the mode
// of the input file.
func newCollective(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	r := &templateRecipe{}
	out, err := option.Required(opts, "output")
	if err != nil {
		return nil, err
	}
	r.output = option.Abs(h, out)
	if r.mode, _, err = option.Mode(opts, "mode"); err != nil {
		return nil, err
	}
	input, hasInput := opts.Get("input")
	if !hasInput {
		input, hasInput = opts.Get("url")
	}
	inline, hasInline := opts.Get("inline")
	var text string
	switch {
	case hasInput && hasInline:
		return nil, errors.New("You can't specify both input and inline.")
	case hasInline:
		text = inline
	case hasInput && strings.HasPrefix(strings.TrimSpace(input), "inline:"):
		text = strings.TrimLeft(strings.TrimSpace(input)[len("inline:"):], "\r\n")
	case hasInput:
		c, err := fetch.ConfigOf(h)
		if err != nil {
			return nil, err
		}
		path, cleanup, err := fetch.Fetch(ctx, c, strings.TrimSpace(input), option.Get(opts, "md5sum", ""))
		if err != nil {
			return nil, fetch.AtOption(err, "md5sum")
		}
		defer cleanup()
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		text = string(b)
		if fi, err := os.Stat(path); err == nil && r.mode == 0 {
			r.mode = fi.Mode().Perm()
		}
	default:
		return nil, errors.New("No input file or inline template specified.")
	}
	s, err := subst.Expand(h, opts, text)
	if err != nil {
		return nil, err
	}
	r.content = []byte(s)
	return r, nil
}
