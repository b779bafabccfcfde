// Package template implements the recipes of slapos.recipe.template: the
// default entry point, which renders a file with buildout substitution, and
// slapos.recipe.template:jinja2 (spec slapos.md §4.1, §4.2).
package template

import (
	"context"
	"errors"
	"os"

	"webrunner/buildout"
	"webrunner/recipes/internal/fetch"
	"webrunner/recipes/internal/files"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/internal/subst"
)

func init() {
	buildout.Register("slapos.recipe.template", newTemplate)
}

// templateRecipe is a slapos.recipe.template part: the output is rendered
// when the part is constructed, written by Install.
type templateRecipe struct {
	output   string
	content  []byte
	mode     os.FileMode // 0: inferred
	noUpdate bool        // md5sum or inline: update leaves the output alone
}

func newTemplate(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	r := &templateRecipe{}
	var err error
	if r.output, err = option.Required(opts, "output"); err != nil {
		return nil, err
	}
	r.output = option.Abs(h, r.output)
	mode, _, err := option.Mode(opts, "mode")
	if err != nil {
		return nil, err
	}
	r.mode = mode
	url, hasURL := opts.Get("url")
	inline, hasInline := opts.Get("inline")
	md5sum, hasMD5 := opts.Get("md5sum")
	switch {
	case hasInline && hasURL:
		return nil, errors.New("options 'inline' & 'url' conflict")
	case hasInline && hasMD5:
		return nil, errors.New("options 'inline' & 'md5sum' conflict")
	case hasInline:
		r.content = []byte(inline)
		r.noUpdate = true
		return r, nil
	case !hasURL:
		return nil, errors.New("one of the options 'inline' 'url' is required")
	}
	r.noUpdate = hasMD5
	text, err := read(ctx, h, url, md5sum)
	if err != nil {
		return nil, err
	}
	s, err := subst.Expand(h, opts, string(text))
	if err != nil {
		return nil, err
	}
	r.content = []byte(s)
	return r, nil
}

// read returns the content of the resource at url, checked against md5sum.
func read(ctx context.Context, h buildout.Host, url, md5sum string) ([]byte, error) {
	c, err := fetch.ConfigOf(h)
	if err != nil {
		return nil, err
	}
	path, cleanup, err := fetch.Fetch(ctx, c, url, md5sum)
	if err != nil {
		return nil, fetch.AtOption(err, "md5sum")
	}
	defer cleanup()
	return os.ReadFile(path)
}

func (r *templateRecipe) Install(ctx context.Context) ([]string, error) {
	if err := files.WriteTemplate(r.output, r.content, r.mode); err != nil {
		return nil, err
	}
	return []string{r.output}, nil
}

func (r *templateRecipe) Update(ctx context.Context) ([]string, error) {
	if r.noUpdate {
		return nil, nil
	}
	return r.Install(ctx)
}
