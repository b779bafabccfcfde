package node

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"webrunner/buildout"
)

// SoftwareRefError is an instance build error caused by a ${section:option}
// reference to a section of the software release: instance profiles are
// rendered by Jinja2 at software build time, which leaves ${...} alone, so
// such a reference is looked up in the instance's own buildout, where the
// section does not exist (or is another section of the same name).
type SoftwareRefError struct {
	Err     error  // the engine's error
	Ref     string // the reference, e.g. ${dcron:location}
	Section string // the software section it names
	Option  string
}

func (e *SoftwareRefError) Error() string {
	name := strings.NewReplacer("-", "_", ".", "_").Replace(e.Section + "_" + e.Option)
	return fmt.Sprintf("%v\nHint: %s refers to [%s] of the software release, which the instance's buildout does not see "+
		"(the instance profile is rendered by Jinja2, which leaves ${...} references alone). "+
		"Pass the value through the context of the section that renders the instance profile in software.cfg, "+
		"e.g. \"raw %s %s\", and write {{ %s }} in the instance profile instead of %s.",
		e.Err, e.Ref, e.Section, name, e.Ref, name, e.Ref)
}

func (e *SoftwareRefError) Unwrap() error { return e.Err }

// explainSoftwareRef returns err as a *SoftwareRefError when it is an
// unresolved reference to a part that the software release at softwarePath
// installed with that option; otherwise err unchanged.
func explainSoftwareRef(err error, softwarePath string) error {
	var be *buildout.Error
	if !errors.As(err, &be) || be.Ref == "" {
		return err
	}
	section, option, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(be.Ref, "${"), "}"), ":")
	if !ok || section == "" {
		return err
	}
	opts, found, rerr := buildout.InstalledOptions(filepath.Join(softwarePath, ".installed.cfg"), section)
	if rerr != nil || !found {
		return err
	}
	if _, has := opts[option]; !has {
		return err
	}
	return &SoftwareRefError{Err: err, Ref: be.Ref, Section: section, Option: option}
}
