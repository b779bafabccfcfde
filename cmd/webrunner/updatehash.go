package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"webrunner/recipes/hashcfg"
)

func init() {
	commands["update-hash"] = command{
		summary: "update the md5sum values of buildout.hash.cfg files",
		run:     runUpdateHash,
	}
}

// runUpdateHash implements "webrunner update-hash [FILE…]": the md5sum of
// each section is recomputed from its file and changed in place.
func runUpdateHash(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("update-hash", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: webrunner update-hash [FILE…]  (default FILE: buildout.hash.cfg)")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"buildout.hash.cfg"}
	}
	status := 0
	for _, f := range files {
		changes, err := hashcfg.UpdateFile(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "update-hash: %v\n", err)
			status = 1
			continue
		}
		for _, c := range changes {
			old := c.Old
			if old == "" {
				old = "(none)"
			}
			fmt.Printf("%s: [%s] %s: %s -> %s\n", f, c.Section, c.Filename, old, c.New)
		}
	}
	return status
}
