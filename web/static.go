// Package web holds the browser side of Webrunner: the templ pages and the
// static assets (the editor bundle and its style sheet), embedded in the
// binary so that building and running need no Node.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
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

// assetVersions maps each static asset to a short hash of its content.
var assetVersions = sync.OnceValue(func() map[string]string {
	v := make(map[string]string)
	fs.WalkDir(Static, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		v[path] = hex.EncodeToString(sum[:6])
		return nil
	})
	return v
})

// AssetURL returns the URL of the static asset name (a path inside
// web/static/), with a version query that changes with its content so that
// browsers may cache it for long.
func AssetURL(name string) string {
	if v, ok := assetVersions()[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}
