// Package web holds the browser side of Webrunner: the templ pages and the
// static assets (the editor bundle and its style sheet), embedded in the
// binary so that building and running need no Node.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var embedded embed.FS

// Static is the file system of the static assets, rooted at web/static/.
// The server serves it under /static/.
var Static fs.FS = mustSub(embedded, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic("web: " + err.Error())
	}
	return sub
}
