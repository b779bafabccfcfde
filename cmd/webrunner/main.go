// Command webrunner is a browser IDE for building and running SlapOS-style
// buildout software releases. With no subcommand it runs "serve".
//
// Each subcommand lives in its own file of this package and adds itself to
// the command table in an init function.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one webrunner subcommand.
type command struct {
	summary string
	// run gets the arguments after the subcommand name and returns the
	// process exit status.
	run func(ctx context.Context, args []string) int
}

// commands is the subcommand table, filled by init functions.
var commands = map[string]command{}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	name := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage()
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "webrunner: unknown command %q\n", name)
		usage()
		return 2
	}
	return c.run(ctx, args)
}

func usage() {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: webrunner [command] [arguments]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", n, commands[n].summary)
	}
}
