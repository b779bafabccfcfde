// Package buildout is Webrunner's buildout engine: the configuration
// language of zc.buildout 3.0.1 in its SlapOS dialect, and the install
// algorithm that runs recipes.
//
// The pipeline reads in file order:
//
//	parse.go      one file: sections, options, += / -=, conditional
//	              sections [name:expr] (condition.go), positions
//	extends.go    extends folded as zc.buildout folds them, defaults,
//	              command-line overrides, ${:_profile_base_location_}
//	macro.go      <= section inheritance
//	subst.go      lazy, memoised ${section:option} substitution
//	annotate.go   where every value comes from (buildout annotate)
//	resolve.go    the corpus JSON report (webrunner buildout resolve)
//	plan.go       the parts to install and their order
//	install.go    Run: install, update and uninstall parts
//	installed.go  the .installed.cfg format
//
// # Configuration
//
// Load reads a profile and returns a *Config; it parses each file once
// (FileCache shares parses between loads) and never copies the
// configuration deeply: trees of merged sections are shared and cloned
// section by section when a fold changes them. Every parse and merge
// error is in Config.Errors with its file and line; the first one that
// stops zc.buildout is Config.Fatal (and the error Load returns).
//
//	c, err := buildout.Load(ctx, "software.cfg", buildout.LoadOptions{})
//	for _, name := range c.Sections() { ... }      // merge order
//	s, _ := c.Section("instance-profile")          // merged, before <= and ${}
//	v, _ := s.Get("url")                           // v.Text, v.Pos(), v.History()
//	opts, err := c.Get("instance-profile")         // substituted *Options
//	res := c.Resolve("instance-profile")           // values and per-option errors
//	x, err := c.Expanded("instance-profile")       // after <=, with OpMacro steps
//
// Sections are substituted on first access, as zc.buildout does: every
// option of the section is substituted, then the sections named by
// "=> a b" (<part-dependencies>) are accessed, then the recipe, if any,
// is constructed. A section that fails reports the first error and every
// culprit option (Config.Resolve).
//
// # Running
//
// Run is bin/buildout: it loads the profile, constructs the recipes
// registered with Register (the engine never imports a recipe package;
// cmd/webrunner imports them for their side effect), uninstalls removed
// or changed parts, installs new ones and updates unchanged ones, and
// keeps .installed.cfg consistent after each part so that a failed or
// cancelled run resumes where it stopped.
//
//	err := buildout.Run(ctx, buildout.RunOptions{
//		Directory: dir,                       // where buildout.cfg is
//		Config:    "buildout.cfg",
//		Overrides: []buildout.Override{{Section: "buildout", Option: "directory", Value: dir}},
//		Offline:   true,
//		OnEvent:   func(e buildout.Event) { ... },   // "Installing x.", process output...
//		Log:       logFile,
//	})
//	// err is a *RunError ("While:\n  Installing x.\nError: ...") or nil;
//	// errors.As finds *UnsupportedRecipeError, *Error (file:line) and
//	// errors.Is finds context.Canceled.
//
// Events are delivered in order, one at a time, the moment they are
// produced: buildout's own lines at LevelInfo (LevelWarning, LevelDebug
// with Verbose), and each line a recipe writes to Host.Output() — the
// output of the processes it starts with buildout/proc — at LevelOutput,
// attributed to the part. Cancelling ctx stops the run: recipes pass ctx
// to proc.Command, whose process group is killed (SIGTERM, then SIGKILL
// after the grace period) before Run returns.
package buildout
