package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"webrunner/server/logrotate"
)

func init() {
	commands["logrotate"] = command{
		summary: "rotate logs as logrotate does ([-f] [-d] [-v] [-s STATE] CONFIG…)",
		run:     runLogrotate,
	}
}

func runLogrotate(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("logrotate", flag.ContinueOnError)
	stateFile := fs.String("s", "/var/lib/logrotate/status", "state file")
	force := fs.Bool("f", false, "force rotation")
	debug := fs.Bool("d", false, "dry run: only print what would be done")
	verbose := fs.Bool("v", false, "print what is done")
	fs.String("m", "", "ignored: mail command")
	fs.String("l", "", "ignored: log file")
	fs.Bool("force", false, "same as -f")
	// Like logrotate, accept options after the configuration files: the
	// wrapper slapos.cookbook:logrotate writes appends "$@" to them.
	var confs []string
	for {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		confs, args = append(confs, fs.Arg(0)), fs.Args()[1:]
	}
	if len(confs) == 0 {
		fmt.Fprintln(os.Stderr, "webrunner logrotate: no configuration file given")
		return 2
	}
	if f := fs.Lookup("force"); f.Value.String() == "true" {
		*force = true
	}
	state, err := logrotate.ReadState(*stateFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webrunner logrotate:", err)
		return 1
	}
	var logw io.Writer
	if *verbose || *debug {
		logw = os.Stderr
	}
	r := &logrotate.Rotator{Force: *force, DryRun: *debug, Log: logw}
	status := 0
	for _, conf := range confs {
		c, err := logrotate.ParseFile(conf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			status = 1
			continue
		}
		for _, w := range c.Warnings {
			fmt.Fprintln(os.Stderr, "error:", w)
		}
		if err := r.Run(ctx, c, state); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			status = 1
		}
	}
	if !*debug {
		if err := state.Write(*stateFile); err != nil {
			fmt.Fprintln(os.Stderr, "webrunner logrotate: state file:", err)
			status = 1
		}
	}
	return status
}
