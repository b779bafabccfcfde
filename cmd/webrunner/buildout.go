package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"webrunner/buildout"
)

func init() {
	commands["buildout"] = command{
		summary: "run buildout: install, resolve or annotate a profile",
		run: func(ctx context.Context, args []string) int {
			return runBuildout(ctx, args, os.Stdout, os.Stderr)
		},
	}
}

func runBuildout(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "resolve":
			return buildoutResolve(ctx, args[1:], stdout, stderr)
		case "annotate":
			return buildoutAnnotate(ctx, args[1:], stdout, stderr)
		}
	}
	return buildoutInstall(ctx, args, stdout, stderr)
}

// splitAssignments separates section:option=value arguments from the others.
func splitAssignments(args []string) (ovs []buildout.Override, rest []string, err error) {
	for _, a := range args {
		if strings.Contains(a, "=") {
			o, err := buildout.ParseOverride(a)
			if err != nil {
				return nil, nil, err
			}
			ovs = append(ovs, o)
			continue
		}
		rest = append(rest, a)
	}
	return ovs, rest, nil
}

// realPath makes a relative profile path absolute against the real
// working directory (symlinks resolved, like Python's os.getcwd()).
func realPath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	if wd, err := filepath.EvalSymlinks("."); err == nil {
		if abs, err := filepath.Abs(wd); err == nil {
			return filepath.Join(abs, p)
		}
	}
	return p
}

func buildoutResolve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("buildout resolve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	emulate := fs.Bool("emulate-location", false, "give every section with a recipe a default location")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: webrunner buildout resolve [--emulate-location] [--json] PROFILE [section:option=value ...]")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ovs, rest, err := splitAssignments(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 2
	}
	if len(rest) != 1 {
		fs.Usage()
		return 2
	}
	rep, _ := buildout.ResolveFile(ctx, realPath(rest[0]), buildout.LoadOptions{Overrides: ovs, EmulateLocation: *emulate})
	rep.Profile = rest[0]
	if *asJSON {
		if err := rep.WriteJSON(stdout); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	} else {
		printReport(stdout, rep)
	}
	switch {
	case rep.Fatal != nil:
		fmt.Fprintln(stderr, "Error:", *rep.Fatal)
		return 1
	case !rep.OK():
		return 3
	}
	return 0
}

func printReport(w io.Writer, rep *buildout.Report) {
	if rep.Fatal != nil {
		return
	}
	names := make([]string, 0, len(rep.Substituted))
	for n := range rep.Substituted {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "[%s]\n", n)
		opts := rep.Substituted[n]
		keys := make([]string, 0, len(opts))
		for k := range opts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s = %s\n", k, strings.ReplaceAll(opts[k], "\n", "\n\t"))
		}
		if e, ok := rep.Errors[n]["<section>"]; ok {
			fmt.Fprintf(w, "# error: %s\n", strings.ReplaceAll(e, "\n", " "))
		}
		fmt.Fprintln(w)
	}
}

func buildoutAnnotate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("buildout annotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "show the whole history of every value")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: webrunner buildout annotate [-v] PROFILE [section[:option] ...] [section:option=value ...]")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ovs, rest, err := splitAssignments(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 2
	}
	if len(rest) < 1 {
		fs.Usage()
		return 2
	}
	c, err := buildout.Load(ctx, realPath(rest[0]), buildout.LoadOptions{Overrides: ovs})
	if err != nil {
		printErrors(stderr, c, err)
		return 1
	}
	if err := c.Annotate(stdout, *verbose, rest[1:]...); err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 1
	}
	return 0
}

// printErrors prints every configuration error, like gofmt -e.
func printErrors(w io.Writer, c *buildout.Config, err error) {
	if c == nil || len(c.Errors) == 0 {
		fmt.Fprintln(w, "Error:", err)
		return
	}
	for _, e := range c.Errors {
		fmt.Fprintln(w, "Error:", e)
	}
}

func buildoutInstall(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts := buildout.RunOptions{Config: "buildout.cfg", Newest: true, Log: stdout}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-h" || a == "--help" {
			fmt.Fprintln(stderr, "usage: webrunner buildout [-c FILE] [-N] [-o] [-v] [section:option=value ...] [install [part ...]]")
			return 0
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			switch a[j] {
			case 'v':
				opts.Verbose = true
			case 'q', 'U', 'D':
				// Quieter output, no user defaults (never read), debug: accepted.
			case 'N':
				opts.Newest = false
			case 'n':
				opts.Newest = true
			case 'o':
				opts.Offline = true
			case 'O':
				opts.Offline = false
			case 'c':
				if j+1 < len(a) {
					opts.Config = a[j+1:]
				} else if i+1 < len(args) {
					i++
					opts.Config = args[i]
				} else {
					fmt.Fprintln(stderr, "Error: -c needs a file name")
					return 2
				}
				j = len(a)
			default:
				fmt.Fprintf(stderr, "Error: unknown option -%c\n", a[j])
				return 2
			}
		}
	}
	ovs, rest, err := splitAssignments(rest)
	if err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		return 2
	}
	opts.Overrides = ovs
	if len(rest) > 0 {
		if rest[0] != "install" {
			fmt.Fprintf(stderr, "Error: unsupported command %q (only install, resolve and annotate)\n", rest[0])
			return 2
		}
		opts.Parts = rest[1:]
	}
	if !filepath.IsAbs(opts.Config) {
		opts.Config = realPath(opts.Config)
	}
	if err := buildout.Run(ctx, opts); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
