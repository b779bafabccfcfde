package main

// The recipes register themselves with buildout.Register when their
// package is initialized, as database/sql drivers do.
import (
	_ "webrunner/recipes/cmmi"
	_ "webrunner/recipes/command"
	_ "webrunner/recipes/cookbook"
	_ "webrunner/recipes/download"
	_ "webrunner/recipes/template"
)
