package lang

import (
	"context"
	"sort"
	"strings"
)

// A CompletionItem is one proposal of Complete.
type CompletionItem struct {
	Label  string `json:"label"`
	Detail string `json:"detail,omitempty"` // where a section is defined, an option's value
	Kind   string `json:"kind"`             // "section" or "option"
}

// Complete returns the completions at line and column of req.Path inside
// an unfinished reference: the sections after "${", the options of the
// section after "${section:" (of the current section after "${:"). The
// items are sorted; the editor filters them by what is typed.
func (a *Analyzer) Complete(ctx context.Context, req Request, line, column int) ([]CompletionItem, error) {
	items := []CompletionItem{}
	if Kind(req.Path) != "buildout" {
		return items, nil
	}
	src, err := a.content(req)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return items, nil
	}
	text := strings.TrimRight(lines[line-1], "\r")
	before := text[:byteOffset(text, column-1)]
	i := strings.LastIndex(before, "${")
	if i < 0 || (i > 0 && before[i-1] == '$') || strings.ContainsAny(before[i:], "} \t") || strings.Count(before[i:], ":") > 1 {
		return items, nil
	}
	c, err := a.load(ctx, req)
	if c == nil {
		return nil, err
	}
	sec, _, isOption := strings.Cut(before[i+2:], ":")
	if !isOption {
		for _, name := range c.Sections() {
			it := CompletionItem{Label: name, Kind: "section"}
			if s, ok := c.Section(name); ok && s.Pos.IsValid() {
				it.Detail = a.posString(s.Pos)
			}
			items = append(items, it)
		}
	} else {
		if sec == "" {
			sec, _ = contextOf(lines, line)
		}
		s, _ := c.Expanded(sec)
		if s == nil {
			s, _ = c.Section(sec)
		}
		if s == nil {
			return items, nil
		}
		for _, k := range s.Keys() {
			if strings.HasSuffix(k, " +") || strings.HasSuffix(k, " -") || k == "<" {
				continue
			}
			it := CompletionItem{Label: k, Kind: "option"}
			if v, ok := s.Get(k); ok {
				it.Detail = shorten(v.Text)
			}
			items = append(items, it)
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Label < items[j].Label })
	return items, nil
}
