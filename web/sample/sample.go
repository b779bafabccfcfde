// Package sample holds the small SlapOS-style repository that a new
// Webrunner workspace starts with: a stack, components and the helloworld
// software release, all buildable offline.
package sample

import (
	"embed"
	"io/fs"
)

//go:embed all:tree
var tree embed.FS

// FS is the sample repository; its root holds software/, component/ and stack/.
var FS fs.FS = mustSub(tree, "tree")

// Profile is the path, relative to FS, of the release a new workspace selects.
const Profile = "software/helloworld/software.cfg"

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
