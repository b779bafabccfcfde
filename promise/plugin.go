package promise

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// pluginImportRE matches the import line that slapos.cookbook:promise.plugin
// writes for a toolbox module.
var pluginImportRE = regexp.MustCompile(`(?m)^from[ \t]+slapos\.promise\.plugin\.([A-Za-z_][A-Za-z0-9_]*)[ \t]+import[ \t]+RunPromise[ \t]*(?:#.*)?$`)

// extraConfigRE finds the module-level extra_config_dict assignment.
var extraConfigRE = regexp.MustCompile(`(?m)^extra_config_dict[ \t]*=[ \t]*`)

// runPromiseRE finds every mention of RunPromise outside comments.
var runPromiseRE = regexp.MustCompile(`\bRunPromise\b`)

// pluginFile is what the engine understands of a plugin promise file.
type pluginFile struct {
	// module is the slapos.toolbox plugin module the file imports
	// RunPromise from ("check_socket_listening"), or "" when the file
	// defines its promise some other way.
	module string
	// extra is the file's extra_config_dict, in source order.
	extra []pyItem
	// why tells why the file cannot run natively, when it cannot.
	why string
}

// parsePlugin reads a plugin promise file. Only I/O errors are returned;
// a file the engine cannot read natively gets pf.why set and runs with
// Python.
func parsePlugin(path string) (pf pluginFile, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return pf, err
	}
	src := string(data)
	code := stripComments(src)
	m := pluginImportRE.FindAllStringSubmatch(code, -1)
	switch {
	case len(m) == 0:
		pf.why = "no 'from slapos.promise.plugin.<module> import RunPromise' line"
		return pf, nil
	case len(m) > 1 || len(runPromiseRE.FindAllStringIndex(code, -1)) != 1:
		pf.why = "RunPromise is defined more than once"
		return pf, nil
	case strings.Contains(code, "exec("):
		pf.why = "the file executes other code"
		return pf, nil
	}
	if loc := extraConfigRE.FindStringIndex(code); loc != nil {
		p := &literalParser{src: src[loc[1]:], line: 1 + strings.Count(src[:loc[1]], "\n")}
		items, err := p.dict()
		if err != nil {
			pf.why = fmt.Sprintf("%s: extra_config_dict: %v", path, err)
			return pf, nil
		}
		pf.extra = items
	}
	pf.module = m[0][1]
	return pf, nil
}

// stripComments blanks out Python comments (outside string literals),
// keeping offsets and line numbers.
func stripComments(src string) string {
	b := []byte(src)
	var quote string
	for i := 0; i < len(b); i++ {
		c := b[i]
		if quote != "" {
			if c == '\\' {
				i++
				continue
			}
			if strings.HasPrefix(src[i:], quote) {
				i += len(quote) - 1
				quote = ""
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = string(c)
			if strings.HasPrefix(src[i:], strings.Repeat(quote, 3)) {
				quote = strings.Repeat(quote, 3)
				i += 2
			}
		case '#':
			for i < len(b) && b[i] != '\n' {
				b[i] = ' '
				i++
			}
		}
	}
	return string(b)
}
