package template

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/fetch"
	"webrunner/recipes/internal/files"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/jinja2"
	"webrunner/recipes/jinja2/pyval"
)

func init() {
	buildout.Register("slapos.recipe.template:jinja2", newJinja2)
}

// jinja2Recipe is a slapos.recipe.template:jinja2 part. Context values are
// looked up when the part is constructed (so that the sections they name
// are initialized first, as in buildout); the template is read and rendered
// by Install.
type jinja2Recipe struct {
	host       buildout.Host
	name       string
	url        string // template URL or path; "" for inline
	inline     string
	md5sum     string
	output     string
	mode       os.FileMode
	once       string
	encoding   string
	extensions []string
	ctx        *jinja2.Context
	loader     *jinja2.ImportList
}

// firstOf returns the value of the first option of keys that is set.
func firstOf(opts *buildout.Options, keys ...string) (string, string, bool) {
	for _, k := range keys {
		if v, ok := opts.Get(k); ok {
			return k, v, true
		}
	}
	return "", "", false
}

func newJinja2(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	r := &jinja2Recipe{host: h, name: name}
	_, out, ok := firstOf(opts, "output", "rendered")
	if !ok {
		return nil, fmt.Errorf("Missing option: %s:output", name)
	}
	r.output = option.Abs(h, out)
	key, tmpl, ok := firstOf(opts, "url", "template", "inline")
	switch {
	case !ok:
		return nil, errors.New("one of the options 'inline' 'url' is required")
	case key == "inline":
		r.inline = tmpl
	case key == "template" && strings.HasPrefix(tmpl, "inline:"):
		r.inline = strings.TrimLeft(tmpl[len("inline:"):], "\r\n")
	default:
		r.url = strings.TrimSpace(tmpl)
	}
	r.md5sum = strings.TrimSpace(option.Get(opts, "md5sum", ""))
	if r.url == "" && r.md5sum != "" {
		return nil, errors.New("options 'inline' & 'md5sum' conflict")
	}
	mode, _, err := option.Mode(opts, "mode")
	if err != nil {
		return nil, err
	}
	r.mode = mode
	if once, _ := opts.Get("once"); strings.TrimSpace(once) != "" {
		r.once = option.Abs(h, strings.TrimSpace(once))
	}
	r.encoding = strings.TrimSpace(option.Get(opts, "encoding", "utf-8"))
	r.extensions = strings.Fields(option.Get(opts, "extensions", ""))
	if r.ctx, err = buildContext(h, opts); err != nil {
		return nil, err
	}
	if r.loader, err = buildImportList(h, opts); err != nil {
		return nil, err
	}
	r.loader.Encoding = r.encoding
	return r, nil
}

// lookup returns buildout[section][option] for an expression
// "section:option" ("" section: the current one), as the key context type does.
func lookup(h buildout.Host, opts *buildout.Options, expr string) (pyval.Value, error) {
	sec, opt, ok := strings.Cut(expr, ":")
	if !ok || strings.Contains(opt, ":") {
		return nil, fmt.Errorf("section %s: %q must be section:option, with exactly one colon", opts.Section(), expr)
	}
	o := opts
	if sec != "" && sec != opts.Section() {
		var err error
		if o, err = h.Section(sec); err != nil {
			return nil, err
		}
	} else {
		sec = opts.Section()
	}
	v, ok := o.Value(opt)
	if !ok {
		return nil, fmt.Errorf("Missing option: %s:%s", sec, opt)
	}
	return v, nil
}

// sectionDict returns dict(buildout[name]): every option, in order.
func sectionDict(h buildout.Host, opts *buildout.Options, name string) (*pyval.Dict, error) {
	o := opts
	if name != opts.Section() {
		var err error
		if o, err = h.Section(name); err != nil {
			return nil, err
		}
	}
	d := pyval.NewDict()
	for _, k := range o.Keys() {
		v, _ := o.Value(k)
		d.SetStr(k, v)
	}
	return d, nil
}

// buildContext builds the template context from the context option:
// one "TYPE NAME EXPRESSION" entry per line.
func buildContext(h buildout.Host, opts *buildout.Options) (*jinja2.Context, error) {
	ctx := jinja2.NewContext()
	text, _ := opts.Get("context")
	for _, line := range option.Lines(text) {
		f := splitN(line, 3)
		if len(f) < 3 {
			return nil, fmt.Errorf("section %s: option context: %q is not TYPE NAME EXPRESSION", opts.Section(), line)
		}
		typ, name, expr := f[0], f[1], f[2]
		var v pyval.Value
		var err error
		switch typ {
		case "raw":
			v = expr
		case "key":
			v, err = lookup(h, opts, expr)
		case "json":
			v, err = pyval.LoadsJSON(expr)
		case "jsonkey":
			if v, err = lookup(h, opts, expr); err == nil {
				s, isString := v.(string)
				if !isString {
					return nil, fmt.Errorf("section %s: option context: jsonkey %s: %s is not a JSON string", opts.Section(), name, expr)
				}
				v, err = pyval.LoadsJSON(s)
			}
		case "section":
			v, err = sectionDict(h, opts, expr)
		case "import":
			if err := ctx.Import(name, expr); err != nil {
				return nil, fmt.Errorf("section %s: option context: %w", opts.Section(), err)
			}
			continue
		default:
			return nil, fmt.Errorf("section %s: option context: unknown type %q in %q (expected key, raw, json, jsonkey, section or import)", opts.Section(), typ, line)
		}
		if err != nil {
			return nil, fmt.Errorf("section %s: option context: %s %s: %w", opts.Section(), typ, name, err)
		}
		if err := ctx.Set(name, v); err != nil {
			return nil, fmt.Errorf("section %s: option context: %w", opts.Section(), err)
		}
	}
	return ctx, nil
}

// splitN splits s on runs of whitespace into at most n fields, like
// Python's str.split(None, n-1).
func splitN(s string, n int) []string {
	var out []string
	s = strings.TrimLeft(s, " \t\r\n\f\v")
	for s != "" && len(out) < n-1 {
		i := strings.IndexAny(s, " \t\r\n\f\v")
		if i < 0 {
			break
		}
		out = append(out, s[:i])
		s = strings.TrimLeft(s[i:], " \t\r\n\f\v")
	}
	if s != "" {
		out = append(out, strings.TrimRight(s, " \t\r\n\f\v"))
	}
	return out
}

// buildImportList builds the loader of the import-list option.
func buildImportList(h buildout.Host, opts *buildout.Options) (*jinja2.ImportList, error) {
	l := jinja2.NewImportList(option.Get(opts, "import-delimiter", "/"))
	text, _ := opts.Get("import-list")
	for _, line := range option.Lines(text) {
		f := splitN(line, 3)
		if len(f) < 3 {
			return nil, fmt.Errorf("section %s: option import-list: %q is not TYPE ALIAS EXPRESSION", opts.Section(), line)
		}
		kind, alias, expr := f[0], f[1], f[2]
		path := expr
		switch kind {
		case "file", "folder":
			v, err := lookup(h, opts, expr)
			if err != nil {
				return nil, fmt.Errorf("section %s: option import-list: %w", opts.Section(), err)
			}
			path = fmt.Sprint(v)
		case "rawfile", "rawfolder":
		default:
			return nil, fmt.Errorf("section %s: option import-list: unknown type %q (expected file, rawfile, folder or rawfolder)", opts.Section(), kind)
		}
		if err := l.Add(kind, alias, option.Abs(h, path)); err != nil {
			return nil, fmt.Errorf("section %s: option import-list: %w", opts.Section(), err)
		}
	}
	return l, nil
}

func (r *jinja2Recipe) Install(ctx context.Context) ([]string, error) {
	if r.once != "" {
		if _, err := os.Stat(r.once); err == nil {
			r.host.Logf("%s: %s exists, not rendering again", r.name, r.once)
			return []string{}, nil
		}
	}
	name, source := "<inline>", r.inline
	if r.url != "" {
		name = r.url
		c, err := fetch.ConfigOf(r.host)
		if err != nil {
			return nil, err
		}
		path, cleanup, err := fetch.Fetch(ctx, c, r.url, r.md5sum)
		if err != nil {
			return nil, fetch.AtOption(err, "md5sum")
		}
		data, err := os.ReadFile(path)
		cleanup()
		if err != nil {
			return nil, err
		}
		if source, err = jinja2.Decode(data, r.encoding); err != nil {
			return nil, fmt.Errorf("section %s: %s: %w", r.name, r.url, err)
		}
	}
	env, err := jinja2.NewEnvironment(r.extensions, r.loader)
	if err != nil {
		return nil, fmt.Errorf("section %s: option extensions: %w", r.name, err)
	}
	out, err := env.Render(name, source, r.ctx)
	if err != nil {
		return nil, err
	}
	if err := files.WriteTemplate(r.output, []byte(out), r.mode); err != nil {
		return nil, err
	}
	if r.once != "" {
		f, err := os.OpenFile(r.once, os.O_CREATE|os.O_WRONLY, 0o666)
		if err != nil {
			return nil, err
		}
		f.Close()
		return []string{}, nil
	}
	return []string{r.output}, nil
}

// Update renders again: unchanged output is left untouched.
func (r *jinja2Recipe) Update(ctx context.Context) ([]string, error) {
	return r.Install(ctx)
}
