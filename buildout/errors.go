package buildout

import (
	"fmt"
	"sort"
	"strings"
)

// A Pos is a position in a configuration file: the file as it was reached
// (spelled through extends, not normalised) and a 1-based line number.
// The zero Pos means "no position" (defaults, computed values).
type Pos struct {
	File string
	Line int
}

// IsValid reports whether p names a file line.
func (p Pos) IsValid() bool { return p.File != "" && p.Line > 0 }

// String formats p as file:line.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return "-"
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// An Error is one configuration error. Msg is worded like zc.buildout's
// message; Section and Option name the culprit when known.
type Error struct {
	Pos     Pos
	Section string
	Option  string
	Msg     string
	// Ref is the ${section:option} reference that could not be resolved
	// (missing section or option), when that is the error.
	Ref string
	// Err is the underlying error (a recipe's), if any.
	Err error
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Error formats e as "file:line: [section] option: message".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Pos.IsValid() || e.Pos.File != "" {
		b.WriteString(e.Pos.String())
		b.WriteString(": ")
	}
	if e.Section != "" {
		b.WriteString("[" + e.Section + "]")
		if e.Option != "" {
			b.WriteString(" " + e.Option)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is a list of configuration errors, like go/scanner.ErrorList.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(pos Pos, section, option, msg string) {
	*l = append(*l, &Error{Pos: pos, Section: section, Option: option, Msg: msg})
}

// Sort sorts the list by file, line, section and option.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Section != b.Section {
			return a.Section < b.Section
		}
		return a.Option < b.Option
	})
}

// Error returns the first error and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns l as an error, or nil if l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
