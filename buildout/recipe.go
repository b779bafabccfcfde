package buildout

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
)

// A Recipe installs and updates one part. It is made by a Factory for each
// part of a buildout run, the way zc.buildout instantiates a recipe class.
type Recipe interface {
	// Install creates the part and returns the paths it created; they are
	// removed when the part is uninstalled.
	Install(ctx context.Context) ([]string, error)
	// Update is called instead of Install when the part's options did not
	// change since it was installed. Paths it returns are added to those
	// recorded; nil keeps the recorded list.
	Update(ctx context.Context) ([]string, error)
}

// A FileLiner is an error that knows the file and line it is about, such
// as a template error; the engine reports a recipe's error at that position
// (the file must be an absolute path) rather than at the part's section.
type FileLiner interface {
	FileLine() (file string, line int)
}

// An OptionError is a recipe error caused by one option of its part, such
// as a wrong md5sum; the engine reports it at the line that defines the
// option.
type OptionError struct {
	Option string
	Err    error
}

func (e *OptionError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *OptionError) Unwrap() error { return e.Err }

// Host is what a recipe sees of the buildout that runs it.
type Host interface {
	// Section returns the substituted options of the named section,
	// initializing it (and the sections it references) if needed.
	Section(name string) (*Options, error)
	// Logf writes one log line (without a trailing newline) to the run's event stream.
	Logf(format string, args ...any)
	// Output returns a writer whose lines go to the run's event stream as
	// they are written; recipes give it to the processes they run.
	Output() io.Writer
}

// A Factory constructs the recipe of part name. It may read other sections
// through h and read or change opts: options it sets (such as location)
// are visible to later ${section:option} lookups, as in zc.buildout.
type Factory func(ctx context.Context, h Host, name string, opts *Options) (Recipe, error)

// An Uninstaller runs when a part is uninstalled, before its recorded paths
// are removed, with the options recorded in .installed.cfg.
type Uninstaller func(ctx context.Context, h Host, name string, opts *Options) error

var (
	recipesMu    sync.RWMutex
	recipes      = map[string]Factory{}
	uninstallers = map[string]Uninstaller{}
)

// Register makes a recipe available under its entry-point name, such as
// "slapos.recipe.template:jinja2". A name without ":" is the egg's default
// entry point and is also reachable as "name:default". Register panics if
// the name is registered twice or f is nil.
func Register(name string, f Factory) {
	recipesMu.Lock()
	defer recipesMu.Unlock()
	if f == nil {
		panic("buildout: Register factory is nil for " + name)
	}
	name = canonicalRecipe(name)
	if _, dup := recipes[name]; dup {
		panic("buildout: Register called twice for recipe " + name)
	}
	recipes[name] = f
}

// RegisterUninstall registers the uninstall entry point of a recipe.
func RegisterUninstall(name string, u Uninstaller) {
	recipesMu.Lock()
	defer recipesMu.Unlock()
	if u == nil {
		panic("buildout: RegisterUninstall uninstaller is nil for " + name)
	}
	uninstallers[canonicalRecipe(name)] = u
}

// LookupRecipe returns the factory registered under name.
func LookupRecipe(name string) (Factory, bool) {
	recipesMu.RLock()
	defer recipesMu.RUnlock()
	f, ok := recipes[canonicalRecipe(name)]
	return f, ok
}

// LookupUninstaller returns the uninstall entry point registered under name.
func LookupUninstaller(name string) (Uninstaller, bool) {
	recipesMu.RLock()
	defer recipesMu.RUnlock()
	u, ok := uninstallers[canonicalRecipe(name)]
	return u, ok
}

// Recipes returns the sorted names of the registered recipes.
func Recipes() []string {
	recipesMu.RLock()
	defer recipesMu.RUnlock()
	names := make([]string, 0, len(recipes))
	for n := range recipes {
		names = append(names, strings.TrimSuffix(n, ":default"))
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// UnsupportedRecipeError reports a part whose recipe is not registered.
type UnsupportedRecipeError struct {
	Section, Recipe string
	Supported       []string
}

func (e *UnsupportedRecipeError) Error() string {
	return fmt.Sprintf("section %s: recipe %s is not supported by Webrunner (supported: %s)",
		e.Section, e.Recipe, strings.Join(e.Supported, ", "))
}

// canonicalRecipe spells a recipe name with its entry point: "egg" means "egg:default".
func canonicalRecipe(name string) string {
	name = strings.TrimSpace(name)
	if !strings.Contains(name, ":") {
		return name + ":default"
	}
	return name
}
