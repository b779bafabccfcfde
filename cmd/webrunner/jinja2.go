package main

import (
	"context"
	"fmt"
	"os"

	"webrunner/recipes/jinja2"
)

func init() {
	commands["jinja2"] = command{
		summary: "render a Jinja2 conformance case as slapos.recipe.template:jinja2 (jinja2 render CASE_DIR)",
		run:     runJinja2,
	}
}

func runJinja2(_ context.Context, args []string) int {
	if len(args) != 2 || args[0] != "render" {
		fmt.Fprintln(os.Stderr, "usage: webrunner jinja2 render CASE_DIR")
		return 2
	}
	out, err := jinja2.RenderCase(args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "webrunner jinja2: %v\n", err)
		return 1
	}
	if _, err := os.Stdout.WriteString(out); err != nil {
		fmt.Fprintf(os.Stderr, "webrunner jinja2: %v\n", err)
		return 1
	}
	return 0
}
