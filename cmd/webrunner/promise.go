package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"webrunner/promise"
)

func init() {
	commands["promise"] = command{
		summary: "run the promises of a partition now",
		run: func(ctx context.Context, args []string) int {
			return runPromise(ctx, args, os.Stdout, os.Stderr)
		},
	}
}

// runPromise implements "webrunner promise [--partition DIR] [NAME…]": it
// runs the partition's promises (or the named ones) ignoring their
// periodicity, prints a table and exits 1 if any failed.
func runPromise(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("promise", flag.ContinueOnError)
	fs.SetOutput(stderr)
	partition := fs.String("partition", ".", "partition `directory` (holding etc/plugin, etc/promise)")
	timeout := fs.Duration("timeout", promise.DefaultTimeout, "time limit of each promise")
	python := fs.String("python", "", "Python interpreter for promises without a native implementation (default python3)")
	anomaly := fs.Bool("anomaly", false, "run the anomaly checks instead of the tests")
	verbose := fs.Bool("v", false, "log what the launcher does")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: webrunner promise [flags] [NAME…]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	l := &promise.Launcher{
		PartitionDir: *partition,
		Timeout:      *timeout,
		Python:       *python,
		Logger:       slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	results, err := l.Run(ctx, promise.RunOptions{Force: true, CheckAnomaly: *anomaly, Only: fs.Args()})
	var perr *promise.Error
	if err != nil && !errors.As(err, &perr) {
		fmt.Fprintf(stderr, "webrunner promise: %v\n", err)
		return 1
	}
	if len(results) == 0 {
		fmt.Fprintf(stdout, "no promise in %s\n", *partition)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tCHECKED\tMESSAGE")
	for _, r := range results {
		checked := "-"
		if !r.Checked.IsZero() {
			checked = r.Checked.Local().Format(time.DateTime)
		}
		msg, _, more := strings.Cut(r.Message, "\n")
		if more {
			msg += " …"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Status, checked, msg)
	}
	tw.Flush()
	if perr != nil {
		fmt.Fprintf(stderr, "webrunner promise: %v\n", perr)
		return 1
	}
	return 0
}
