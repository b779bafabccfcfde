// Package e2e drives the IDE in headless Chromium (chromedp) against a real
// `webrunner serve` on a temporary workspace.
package e2e

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"webrunner/server/servertest"
)

// moduleRoot is the repository root (two levels above this file).
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// password is the password of every test server.
const password = servertest.Password

const (
	inputCtrl  = chromedp.ModifierCtrl
	inputShift = chromedp.ModifierShift
)

// server is a running `webrunner serve`.
type server struct {
	url       string
	workspace string
}

// startServer starts webrunner serve on a fresh workspace; it is stopped
// when the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	s := servertest.Start(t, "")
	return &server{url: s.URL, workspace: s.Workspace}
}

// newBrowser starts headless Chromium with a fresh profile; the returned
// context is its first tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	chromium := os.Getenv("WEBRUNNER_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is required for the browser tests (apt-get install chromium, or set WEBRUNNER_CHROMIUM): %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// Start the browser now so that its start-up is not in the first step's
	// timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// step runs actions with a timeout, failing the test with what was being
// done.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		failShot(t, ctx, what)
		t.Fatalf("%s: %v", what, err)
	}
}

// longStep is step with its own timeout.
func longStep(t *testing.T, ctx context.Context, what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		failShot(t, ctx, what)
		t.Fatalf("%s: %v", what, err)
	}
}

// screenshot saves the page as test-output/NAME.png at the repository root.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	// Notifications come and go with timing: leave them out of the pictures.
	if _, err := chromedp.Run(sctx, chromedp.Evaluate[bool](`(() => { document.querySelectorAll(".toast").forEach((t) => t.remove()); return true; })()`)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(moduleRoot(), "test-output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// failShot saves a screenshot of a failed step in test-output/.
func failShot(t *testing.T, ctx context.Context, what string) {
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
	if err != nil {
		return
	}
	dir := filepath.Join(moduleRoot(), "test-output")
	os.MkdirAll(dir, 0o755)
	name := "FAILED-" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name()+"-"+what, "-") + ".png"
	os.WriteFile(filepath.Join(dir, name), png, 0o644)
	t.Logf("screenshot of the failure: test-output/%s", name)
}

// waitJS polls a JavaScript boolean expression until it is true.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[any](expr, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
		if err != nil {
			return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return chromedp.Void{}, nil
	})
}

// evalString evaluates a JavaScript expression returning a string.
func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return s
}

func md5File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// watchConsole logs the page's console errors and returns a func giving its
// uncaught exceptions so far.
func watchConsole(t *testing.T, ctx context.Context) func() []string {
	var mu sync.Mutex
	var exceptions []string
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			switch {
			case m.IsException():
				mu.Lock()
				exceptions = append(exceptions, m.String())
				mu.Unlock()
			case m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning:
				t.Logf("console %s: %s (%s)", m.Type, m.Text, m.URL)
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), exceptions...)
	}
}

// login logs in through the login page.
func login(t *testing.T, ctx context.Context, srv *server) {
	t.Helper()
	step(t, ctx, "log in",
		chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[type=password]`)),
		chromedp.SendKeys(chromedp.CSS(`input[type=password]`), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#play`)),
		waitJS(`document.body.classList.contains("ready")`),
	)
}

// editorText is the JavaScript expression of the active editor's text.
const editorText = `window.webrunnerApp.editor.active.view.state.doc.toString()`

// openFromTree expands the tree down to path and opens it.
func openFromTree(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	parts := strings.Split(path, "/")
	for i := 1; i <= len(parts); i++ {
		p := strings.Join(parts[:i], "/")
		sel := fmt.Sprintf(`.tree-row[data-path=%q]`, p)
		if i < len(parts) {
			step(t, ctx, "find "+p, chromedp.WaitVisible(chromedp.CSS(sel)))
			if evalString(t, ctx, fmt.Sprintf(`document.querySelector(%q).getAttribute("aria-expanded") || ""`, sel)) == "true" {
				continue
			}
		}
		step(t, ctx, "click "+p, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
	}
	step(t, ctx, "open "+path, waitJS(fmt.Sprintf(`(() => { const a = window.webrunnerApp.editor.active; return !!a && a.path === %q && !a.view.dom.hidden; })()`, path)))
}

// typeText types text with key events. A newline is an Enter key press
// without the extra "char" event that chromedp adds (which would insert a
// second line break after the editor handled the key).
func typeText(text string) chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			steps = append(steps, chromedp.KeyEvent("\r", func(p *input.DispatchKeyEventParams) {
				if p.Type == input.DispatchKeyEventTypeChar {
					p.Text, p.UnmodifiedText = "", ""
				}
			}))
		}
		if line != "" {
			steps = append(steps, chromedp.KeyEvent(line))
		}
	}
	return chromedp.Steps(steps...)
}

// bringToFront activates the tab (background tabs do not render).
func bringToFront() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.BringToFront, cdp.Empty{})
		return err
	})
}

// focusEditorEnd focuses the active editor with the cursor at the end.
func focusEditorEnd() chromedp.Action[chromedp.Void] {
	return waitJS(`(() => { const v = window.webrunnerApp.editor.active.view; v.focus(); v.dispatch({selection: {anchor: v.state.doc.length}}); return v.hasFocus; })()`)
}

// typeAtEnd moves the cursor to the end of the active editor and types text.
func typeAtEnd(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	step(t, ctx, "type "+text, focusEditorEnd(), typeText(text))
}

func TestIDE(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	exceptions := watchConsole(t, ctx)

	login(t, ctx, srv)
	screenshot(t, ctx, "01-editor-empty")

	const profile = "project/software/helloworld/instance.cfg.in"
	const hashFile = "project/software/helloworld/buildout.hash.cfg"
	diskProfile := filepath.Join(srv.workspace, filepath.FromSlash(profile))
	diskHash := filepath.Join(srv.workspace, filepath.FromSlash(hashFile))

	t.Run("helpers", func(t *testing.T) {
		for _, tc := range []struct{ expr, want string }{
			// Quick open ranking: base-name matches first.
			{`lib.fuzzyFilter(["project/a/software.cfg", "project/software/x.cfg", "project/swcfg.txt"], "software.cfg").join(",")`, "project/a/software.cfg,project/software/x.cfg"},
			{`lib.fuzzyFilter(["project/stack/slapos.cfg", "project/software/helloworld/instance.cfg.in"], "inst").join(",")`, "project/software/helloworld/instance.cfg.in"},
			{`lib.fuzzyFilter(["b/zz.cfg", "a/instance.cfg.in", "instance/x"], "instcfg")[0]`, "a/instance.cfg.in"},
			// buildout.hash.cfg entries.
			{`JSON.stringify(lib.hashEntries("# c\n[instance-profile]\nfilename = instance.cfg.in\nmd5sum = abc\n[other]\nfilename = x.in\n"))`,
				`[{"section":"instance-profile","filename":"instance.cfg.in","md5sum":"abc"},{"section":"other","filename":"x.in","md5sum":""}]`},
			// Error lines of build output.
			{`[lib.errorLine("Error: Couldn't install"), lib.errorLine("While: Installing."), lib.errorLine("0 errors"), lib.errorLine("Traceback (most recent call last):"), lib.errorLine("terror")].join(",")`, "true,false,false,true,false"},
			// file:line links.
			{`lib.linkify("Error in project/software/a/instance.cfg.in:12 now", () => {}).filter((n) => n.nodeType).map((a) => a.dataset.path + "@" + a.dataset.line).join(",")`, "project/software/a/instance.cfg.in@12"},
			{`lib.linkify('File "/tmp/ws/instance/slappart0/bin/x.py", line 7, in f', () => {}).filter((n) => n.nodeType).map((a) => a.dataset.path + "@" + a.dataset.line).join(",")`, "instance/slappart0/bin/x.py@7"},
			{`lib.linkify("no link in /usr/lib/x.py:3", () => {}).filter((n) => n.nodeType).length + ""`, "0"},
			// ANSI colours.
			{`(() => { const d = document.createElement("div"); d.append(...lib.ansiToNodes("a\u001b[1;31mb\u001b[0mc\u001b[2K")); return d.innerHTML; })()`, `a<span class="ansi-fg-1 ansi-bold">b</span>c`},
			{`(() => { const d = document.createElement("div"); d.append(...lib.ansiToNodes("\u001b[92mok\u001b[39m \u001b[44mbg")); return d.innerHTML; })()`, `<span class="ansi-fg-10">ok</span> <span class="ansi-bg-4">bg</span>`},
			// Languages by file name.
			{`["a/software.cfg", "instance-x.cfg.in", "t.cfg.jinja2", "x.py", "run.sh", "d.json", "page.html.in", "README"].map(lib.languageName).join(",")`,
				"Buildout,Buildout + Jinja2,Buildout + Jinja2,Python,Shell,JSON,Jinja2,Plain text"},
		} {
			if got := evalString(t, ctx, "(() => { const lib = window.webrunnerApp.lib; return "+tc.expr+"; })()"); got != tc.want {
				t.Errorf("%s\n got %s\nwant %s", tc.expr, got, tc.want)
			}
		}
	})

	t.Run("open from tree", func(t *testing.T) {
		openFromTree(t, ctx, profile)
		got := evalString(t, ctx, editorText)
		if got != readFile(t, diskProfile) {
			t.Fatalf("editor shows %d bytes, the file has %d", len(got), len(readFile(t, diskProfile)))
		}
		// Buildout + Jinja2 highlighting: section headers, Jinja2 and references.
		step(t, ctx, "highlighting",
			waitJS(`!!document.querySelector(".cm-editor:not([hidden]) .tok-heading")`),
			waitJS(`!!document.querySelector(".cm-editor:not([hidden]) .tok-meta")`),
			waitJS(`!!document.querySelector(".cm-editor:not([hidden]) .tok-reference")`),
			waitJS(`!!document.querySelector(".cm-editor:not([hidden]) .cm-lineNumbers")`),
		)
	})

	t.Run("syntax highlighting", func(t *testing.T) {
		files := []struct {
			name, content string
			tokens        map[string]string // token text -> class
		}{
			{"a.cfg", "[buildout]\nparts +=\n  foo\n# a comment\n[foo]\n<= bar\nurl = ${bar:url}/x\nnext = $${slap:y}\n", map[string]string{
				"[buildout]": "tok-heading", "parts": "tok-property", "+=": "tok-operator", "# a comment": "tok-comment",
				"<=": "tok-operator", "${bar:url}": "tok-reference", "$${slap:y}": "tok-reference2",
			}},
			{"instance-x.cfg.in", "[s]\nv = {{ slapparameter_dict['x'] }}\n{% if y %}\n", map[string]string{
				"[s]": "tok-heading", "{{": "tok-meta", "slapparameter_dict": "tok-variable", "'x'": "tok-string", "if": "tok-keyword",
			}},
			{"t.py", "def f(x):\n    return 'a'\n", map[string]string{"def": "tok-keyword", "'a'": "tok-string"}},
			{"s.sh", "if true; then echo hi; fi\n", map[string]string{"if": "tok-keyword", "echo": "tok-function"}},
			{"d.json", "{\"k\": 1}\n", map[string]string{"\"k\"": "tok-property", "1": "tok-number"}},
			{"t.jinja2", "{% if x %}{{ y }}{% endif %}\n", map[string]string{"{%": "tok-meta", "if": "tok-keyword", "y": "tok-variable"}},
		}
		dir := filepath.Join(srv.workspace, "project", "e2e")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.content), 0o644); err != nil {
				t.Fatal(err)
			}
			path := "project/e2e/" + f.name
			step(t, ctx, "open "+path,
				waitJS(fmt.Sprintf(`window.webrunnerApp.openFile(%q).then(() => true)`, path)),
				waitJS(fmt.Sprintf(`window.webrunnerApp.editor.active.path === %q`, path)),
				// The cursor at the end: no bracket match mark splits a token.
				focusEditorEnd(),
			)
			for text, class := range f.tokens {
				got := evalString(t, ctx, fmt.Sprintf(`(() => { const s = [...document.querySelectorAll(".cm-editor:not([hidden]) .cm-line span")].find((s) => s.textContent === %q); return s ? s.className : "(no token)"; })()`, text))
				if !strings.Contains(got, class) {
					t.Errorf("%s: %q has class %q, want %s", f.name, text, got, class)
				}
			}
			if f.name == "a.cfg" {
				// Each section folds.
				n := evalString(t, ctx, `String([...document.querySelectorAll(".cm-editor:not([hidden]) .cm-foldGutter .cm-gutterElement")].filter((e) => e.style.visibility !== "hidden" && e.textContent.trim() !== "").length)`)
				if n != "2" {
					t.Errorf("a.cfg has %s fold markers, want one per section (2)", n)
				}
			}
			step(t, ctx, "close "+path, waitJS(`window.webrunnerApp.editor.closeTab(window.webrunnerApp.editor.active).then(() => true)`))
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	})

	const edit = "\n# edited in the e2e test\n"
	t.Run("edit and save", func(t *testing.T) {
		typeAtEnd(t, ctx, edit)
		step(t, ctx, "dirty marker", chromedp.WaitVisible(chromedp.CSS(`.tab.active.dirty .tab-dirty`)))
		screenshot(t, ctx, "02-editor-dirty")
		step(t, ctx, "save with Ctrl+S",
			chromedp.KeyEvent("s", chromedp.KeyModifiers(inputCtrl)),
			waitJS(`!document.querySelector(".tab.active").classList.contains("dirty")`),
		)
		step(t, ctx, "stale md5 warning", waitJS(`[...document.querySelectorAll(".toast.warn")].some((t) => t.textContent.includes("md5sum in buildout.hash.cfg [instance-profile] is out of date"))`))
		if got := readFile(t, diskProfile); !strings.HasSuffix(got, edit) {
			t.Fatalf("the file on disk does not end with the edit: …%q", got[max(0, len(got)-60):])
		}
	})

	t.Run("md5 get", func(t *testing.T) {
		step(t, ctx, "MD5 menu: get",
			chromedp.Click(chromedp.CSS(`#md5-menu`)),
			chromedp.WaitVisible(chromedp.CSS(`#md5-get`)),
			chromedp.Click(chromedp.CSS(`#md5-get`)),
			chromedp.WaitVisible(chromedp.CSS(`#status-md5 .md5-value`)),
		)
		got := evalString(t, ctx, `document.querySelector("#status-md5 .md5-value").textContent`)
		if want := md5File(t, diskProfile); got != want {
			t.Fatalf("status bar md5 = %q, want %q", got, want)
		}
	})

	t.Run("md5 update hash file", func(t *testing.T) {
		want := md5File(t, diskProfile)
		if strings.Contains(readFile(t, diskHash), want) {
			t.Fatal("buildout.hash.cfg already has the new md5: the edit did not change the file?")
		}
		step(t, ctx, "MD5 menu: update",
			chromedp.Click(chromedp.CSS(`#md5-menu`)),
			chromedp.WaitVisible(chromedp.CSS(`#md5-update`)),
			chromedp.Click(chromedp.CSS(`#md5-update`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.md5-dialog .md5-table`)),
		)
		table := evalString(t, ctx, `document.querySelector("dialog.md5-dialog .md5-table").textContent`)
		if !strings.Contains(table, "instance.cfg.in") || !strings.Contains(table, want) {
			t.Errorf("the update summary does not show instance.cfg.in with %s: %q", want, table)
		}
		screenshot(t, ctx, "03-md5-update")
		step(t, ctx, "open the hash file from the summary",
			chromedp.Click(chromedp.CSS(`dialog.md5-dialog button[data-value="open"]`)),
			waitJS(fmt.Sprintf(`window.webrunnerApp.editor.active && window.webrunnerApp.editor.active.path === %q`, hashFile)),
		)
		if !strings.Contains(readFile(t, diskHash), "md5sum = "+want) {
			t.Fatalf("buildout.hash.cfg on disk lacks md5sum = %s:\n%s", want, readFile(t, diskHash))
		}
		if got := evalString(t, ctx, editorText); !strings.Contains(got, want) {
			t.Fatalf("the hash file tab does not show the new md5 %s", want)
		}
	})

	t.Run("reload on change on disk", func(t *testing.T) {
		openFromTree(t, ctx, profile)
		changed := readFile(t, diskProfile) + "# changed on disk\n"
		if err := os.WriteFile(diskProfile, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		step(t, ctx, "reloaded from disk", waitJS(fmt.Sprintf(`%s === %q`, editorText, changed)))
	})

	t.Run("conflict in a second tab", func(t *testing.T) {
		// The second tab opens the same file and makes it dirty; then the
		// first one saves; the second one's save must not overwrite silently.
		tab2, cancel := chromedp.NewContext(ctx)
		defer cancel()
		// The first run opens the tab, which lives as long as the context of
		// that run: no timeout here.
		if err := chromedp.Do(tab2, chromedp.EmulateViewport(1280, 800)); err != nil {
			t.Fatalf("opening a second tab: %v", err)
		}
		step(t, tab2, "open a second tab",
			chromedp.Navigate(srv.url+"/"),
			bringToFront(),
			chromedp.WaitVisible(chromedp.CSS(`#play`)),
			waitJS(`document.body.classList.contains("ready")`),
		)
		openFromTree(t, tab2, profile)
		typeAtEnd(t, tab2, "# from tab 2\n")
		step(t, tab2, "tab 2 dirty", chromedp.WaitVisible(chromedp.CSS(`.tab.active.dirty`)))

		step(t, ctx, "back to tab 1", bringToFront())
		typeAtEnd(t, ctx, "# from tab 1\n")
		step(t, ctx, "tab 1 saves",
			chromedp.KeyEvent("s", chromedp.KeyModifiers(inputCtrl)),
			waitJS(`!document.querySelector(".tab.active").classList.contains("dirty")`),
		)
		saved1 := readFile(t, diskProfile)
		if !strings.HasSuffix(saved1, "# from tab 1\n") {
			t.Fatalf("tab 1's save is not on disk")
		}
		step(t, tab2, "tab 2 saves a stale copy",
			bringToFront(),
			focusEditorEnd(),
			chromedp.KeyEvent("s", chromedp.KeyModifiers(inputCtrl)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.conflict-dialog`)),
		)
		screenshot(t, tab2, "04-conflict")
		if readFile(t, diskProfile) != saved1 {
			t.Fatal("the stale save was written before the user chose")
		}
		step(t, tab2, "compare",
			chromedp.Click(chromedp.CSS(`dialog.conflict-dialog button[data-value="diff"]`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.merge-dialog .cm-mergeView`)),
		)
		screenshot(t, tab2, "05-compare")
		step(t, tab2, "save mine after comparing",
			chromedp.Click(chromedp.CSS(`dialog.merge-dialog button[data-value="mine"]`)),
			waitJS(`!document.querySelector(".tab.active").classList.contains("dirty")`),
		)
		if got := readFile(t, diskProfile); !strings.HasSuffix(got, "# from tab 2\n") || strings.Contains(got, "# from tab 1") {
			t.Fatalf("after choosing to save tab 2's version, the file ends with …%q", got[max(0, len(got)-60):])
		}
		// Tab 1 was not dirty: it follows the file on disk.
		step(t, ctx, "tab 1 reloaded", bringToFront(), waitJS(fmt.Sprintf(`%s === %q`, editorText, readFile(t, diskProfile))))
	})

	t.Run("dirty tab changed on disk", func(t *testing.T) {
		const scratch = "project/e2e-scratch.cfg"
		disk := filepath.Join(srv.workspace, scratch)
		write := func(content string) {
			t.Helper()
			if err := os.WriteFile(disk, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("[a]\nx = 1\n")
		defer os.Remove(disk)
		step(t, ctx, "open",
			waitJS(fmt.Sprintf(`window.webrunnerApp.openFile(%q).then(() => true)`, scratch)),
			waitJS(fmt.Sprintf(`window.webrunnerApp.editor.active.path === %q`, scratch)),
		)
		typeAtEnd(t, ctx, "mine = 1")
		write("[a]\nx = 2\n")
		step(t, ctx, "banner, then reload",
			chromedp.WaitVisible(chromedp.CSS(`#banner`)),
			waitJS(`document.querySelector("#banner").textContent.includes("changed on disk while you have unsaved changes")`),
			waitJS(`(() => { [...document.querySelectorAll("#banner button")].find((b) => b.textContent.startsWith("Reload")).click(); return true; })()`),
			waitJS(fmt.Sprintf(`%s === %q`, editorText, "[a]\nx = 2\n")),
			waitJS(`document.querySelector("#banner").hidden && !document.querySelector(".tab.active").classList.contains("dirty")`),
		)
		typeAtEnd(t, ctx, "mine = 2")
		write("[a]\nx = 3\n")
		step(t, ctx, "save anyway, then overwrite",
			chromedp.WaitVisible(chromedp.CSS(`#banner`)),
			chromedp.KeyEvent("s", chromedp.KeyModifiers(inputCtrl)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.conflict-dialog`)),
			chromedp.Click(chromedp.CSS(`dialog.conflict-dialog button[data-value="overwrite"]`)),
			waitJS(`!document.querySelector(".tab.active").classList.contains("dirty")`),
		)
		if got := readFile(t, disk); got != "[a]\nx = 2\nmine = 2" {
			t.Fatalf("after overwrite the file is %q", got)
		}
		step(t, ctx, "close", waitJS(`window.webrunnerApp.editor.closeTab(window.webrunnerApp.editor.active).then(() => true)`))
	})

	t.Run("quick open", func(t *testing.T) {
		step(t, ctx, "Ctrl+P",
			focusEditorEnd(),
			chromedp.KeyEvent("p", chromedp.KeyModifiers(inputCtrl)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.quick-dialog .quick-input`)),
			chromedp.SendKeys(chromedp.CSS(`dialog.quick-dialog .quick-input`), "helloworld/software.cfg"),
			chromedp.WaitVisible(chromedp.CSS(`.quick-item.selected[data-path="project/software/helloworld/software.cfg"]`)),
			typeText("\n"),
			waitJS(`window.webrunnerApp.editor.active.path === "project/software/helloworld/software.cfg"`),
		)
	})

	t.Run("search in files", func(t *testing.T) {
		step(t, ctx, "Ctrl+Shift+F",
			focusEditorEnd(),
			chromedp.KeyEvent("F", chromedp.KeyModifiers(inputCtrl|inputShift)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.search-dialog .quick-input`)),
			chromedp.SendKeys(chromedp.CSS(`dialog.search-dialog .quick-input`), "[PUBLISH-connection-parameter]"),
			chromedp.WaitVisible(chromedp.CSS(`dialog.search-dialog .search-hit[data-path="project/software/helloworld/instance.cfg.in"]`)),
		)
		line := evalString(t, ctx, `document.querySelector('dialog.search-dialog .search-hit[data-path="project/software/helloworld/instance.cfg.in"]').dataset.line`)
		var want int
		for i, l := range strings.Split(readFile(t, diskProfile), "\n") {
			if l == "[publish-connection-parameter]" {
				want = i + 1
			}
		}
		if line != fmt.Sprint(want) {
			t.Fatalf("search hit at line %s, want %d", line, want)
		}
		step(t, ctx, "open the hit",
			chromedp.Click(chromedp.CSS(`dialog.search-dialog .search-hit[data-path="project/software/helloworld/instance.cfg.in"]`)),
			waitJS(fmt.Sprintf(`(() => { const a = window.webrunnerApp.editor.active; return a.path === "project/software/helloworld/instance.cfg.in" && a.view.state.doc.lineAt(a.view.state.selection.main.head).number === %d; })()`, want)),
		)
		step(t, ctx, "back to software.cfg", waitJS(`window.webrunnerApp.openFile("project/software/helloworld/software.cfg").then(() => true)`))
	})

	t.Run("events reconnect", func(t *testing.T) {
		step(t, ctx, "drop the events socket",
			waitJS(`(() => { window.webrunnerApp.events.ws.close(); return true; })()`),
			waitJS(`document.querySelector("#conn").dataset.state === "down"`),
			waitJS(`document.querySelector("#conn").dataset.state === "up"`),
		)
		// Live reload still works after the reconnection.
		path := filepath.Join(srv.workspace, "project/software/helloworld/software.cfg")
		changed := readFile(t, path) + "# after reconnect\n"
		if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		step(t, ctx, "reloaded from disk", waitJS(fmt.Sprintf(`%s === %q`, editorText, changed)))
	})

	t.Run("tabs kept across reloads", func(t *testing.T) {
		width := func() string {
			return evalString(t, ctx, `String(Math.round(document.querySelector("#sidebar").getBoundingClientRect().width))`)
		}
		before := width()
		step(t, ctx, "widen the tree with the keyboard",
			waitJS(`(() => { document.querySelector("#sidebar-splitter").focus(); return true; })()`),
			chromedp.KeyEvent(kb.ArrowRight),
			chromedp.KeyEvent(kb.ArrowRight),
			chromedp.KeyEvent(kb.ArrowRight),
			waitJS(fmt.Sprintf(`Math.round(document.querySelector("#sidebar").getBoundingClientRect().width) === %s + 30`, before)),
		)
		panelWas := evalString(t, ctx, `String(document.querySelector("#build-panel").hidden)`)
		panelNow := map[string]string{"true": "false", "false": "true"}[panelWas]
		step(t, ctx, "toggle the build panel",
			chromedp.Click(chromedp.CSS(`#build-toggle`)),
			waitJS(`String(document.querySelector("#build-panel").hidden) === "`+panelNow+`"`),
		)
		widened := width()
		step(t, ctx, "reload",
			chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS(`#play`)),
			waitJS(`document.body.classList.contains("ready")`),
			waitJS(`window.webrunnerApp.editor.tabs.length === 3`),
			waitJS(`window.webrunnerApp.editor.active.path === "project/software/helloworld/software.cfg"`),
			waitJS(`String(document.querySelector("#build-panel").hidden) === "`+panelNow+`"`),
		)
		if got := width(); got != widened {
			t.Errorf("tree width after reload %s, want %s", got, widened)
		}
		step(t, ctx, "toggle the build panel back",
			chromedp.Click(chromedp.CSS(`#build-toggle`)),
			waitJS(`String(document.querySelector("#build-panel").hidden) === "`+panelWas+`"`),
		)
	})

	t.Run("keyboard in the tree", func(t *testing.T) {
		step(t, ctx, "arrows and Enter",
			waitJS(`window.webrunnerApp.editor.tree.reveal("project/software/helloworld/software.cfg").then(() => true)`),
			waitJS(`(() => { const r = document.querySelector('.tree-row[data-path="project/software/helloworld/software.cfg"]'); r.focus(); return document.activeElement === r; })()`),
			chromedp.KeyEvent(kb.ArrowUp),
			waitJS(`document.activeElement.dataset.path === "project/software/helloworld/instance.cfg.in"`),
			chromedp.KeyEvent(kb.ArrowUp),
			waitJS(`document.activeElement.dataset.path === "project/software/helloworld/buildout.hash.cfg"`),
			typeText("\n"),
			waitJS(`window.webrunnerApp.editor.active.path === "project/software/helloworld/buildout.hash.cfg"`),
			// Left on a file goes to its folder, Left again closes it.
			waitJS(`(() => { document.querySelector('.tree-row[data-path="project/software/helloworld/buildout.hash.cfg"]').focus(); return true; })()`),
			chromedp.KeyEvent(kb.ArrowLeft),
			waitJS(`document.activeElement.dataset.path === "project/software/helloworld"`),
			chromedp.KeyEvent(kb.ArrowLeft),
			waitJS(`document.querySelector('.tree-row[data-path="project/software/helloworld"]').getAttribute("aria-expanded") === "false"`),
			chromedp.KeyEvent(kb.ArrowRight),
			waitJS(`document.querySelector('.tree-row[data-path="project/software/helloworld"]').getAttribute("aria-expanded") === "true"`),
		)
		step(t, ctx, "back to software.cfg", waitJS(`window.webrunnerApp.openFile("project/software/helloworld/software.cfg").then(() => true)`))
	})

	t.Run("fullscreen", func(t *testing.T) {
		step(t, ctx, "toggle",
			chromedp.Click(chromedp.CSS(`#fullscreen`)),
			waitJS(`document.body.classList.contains("fullscreen") && getComputedStyle(document.querySelector(".topbar")).display === "none"`),
			focusEditorEnd(),
			chromedp.KeyEvent("\r", chromedp.KeyModifiers(inputCtrl|inputShift)),
			waitJS(`!document.body.classList.contains("fullscreen")`),
		)
	})

	t.Run("file tree create rename delete", func(t *testing.T) {
		step(t, ctx, "select helloworld", chromedp.Click(chromedp.CSS(`.tree-row[data-path="project/software/helloworld"]`)))
		// The click toggled the folder; make sure it is open.
		step(t, ctx, "expand", waitJS(`document.querySelector('.tree-row[data-path="project/software/helloworld"]').getAttribute("aria-expanded") !== null`))
		step(t, ctx, "new file",
			chromedp.Click(chromedp.CSS(`#new-file`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog .prompt-input`)),
			chromedp.SendKeys(chromedp.CSS(`dialog .prompt-input`), "e2e-new.cfg"),
			chromedp.Click(chromedp.CSS(`dialog .btn.primary`)),
			waitJS(`window.webrunnerApp.editor.active.path === "project/software/helloworld/e2e-new.cfg"`),
		)
		created := filepath.Join(srv.workspace, "project/software/helloworld/e2e-new.cfg")
		if _, err := os.Stat(created); err != nil {
			t.Fatalf("new file: %v", err)
		}
		step(t, ctx, "rename",
			chromedp.WaitVisible(chromedp.CSS(`.tree-row[data-path="project/software/helloworld/e2e-new.cfg"]`)),
			chromedp.Click(chromedp.CSS(`.tree-row[data-path="project/software/helloworld/e2e-new.cfg"]`)),
			chromedp.Click(chromedp.CSS(`#rename-entry`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog .prompt-input`)),
			chromedp.SetValue(chromedp.CSS(`dialog .prompt-input`), "project/software/helloworld/e2e-renamed.cfg"),
			chromedp.Click(chromedp.CSS(`dialog .btn.primary`)),
			waitJS(`window.webrunnerApp.editor.active.path === "project/software/helloworld/e2e-renamed.cfg"`),
			chromedp.WaitVisible(chromedp.CSS(`.tree-row[data-path="project/software/helloworld/e2e-renamed.cfg"]`)),
		)
		step(t, ctx, "no deleted banner after the rename", chromedp.Sleep(300), waitJS(`document.querySelector("#banner").hidden && !window.webrunnerApp.editor.active.deleted`))
		renamed := filepath.Join(srv.workspace, "project/software/helloworld/e2e-renamed.cfg")
		if _, err := os.Stat(renamed); err != nil {
			t.Fatalf("rename: %v", err)
		}
		step(t, ctx, "delete with confirmation",
			chromedp.Click(chromedp.CSS(`.tree-row[data-path="project/software/helloworld/e2e-renamed.cfg"]`)),
			chromedp.Click(chromedp.CSS(`#delete-entry`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog .btn.danger`)),
			chromedp.Click(chromedp.CSS(`dialog .btn.danger`)),
			waitJS(`!document.querySelector('.tree-row[data-path="project/software/helloworld/e2e-renamed.cfg"]')`),
			waitJS(`!window.webrunnerApp.editor.tabs.some((t) => t.path.endsWith("e2e-renamed.cfg"))`),
		)
		if _, err := os.Stat(renamed); !os.IsNotExist(err) {
			t.Fatalf("delete: the file is still there (%v)", err)
		}
		step(t, ctx, "new folder",
			chromedp.Click(chromedp.CSS(`.tree-row[data-path="project/software/helloworld"]`)),
			chromedp.Click(chromedp.CSS(`#new-folder`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog .prompt-input`)),
			chromedp.SendKeys(chromedp.CSS(`dialog .prompt-input`), "e2e-dir"),
			chromedp.Click(chromedp.CSS(`dialog .btn.primary`)),
			chromedp.WaitVisible(chromedp.CSS(`.tree-row[data-path="project/software/helloworld/e2e-dir"]`)),
		)
		dir := filepath.Join(srv.workspace, "project/software/helloworld/e2e-dir")
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			t.Fatalf("new folder: %v", err)
		}
		step(t, ctx, "cancelling the delete keeps the folder",
			chromedp.Click(chromedp.CSS(`.tree-row[data-path="project/software/helloworld/e2e-dir"]`)),
			chromedp.Click(chromedp.CSS(`#delete-entry`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog .btn.danger`)),
			chromedp.Click(chromedp.CSS(`dialog button[data-value="false"]`)),
			waitJS(`!document.querySelector("dialog")`),
		)
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("the folder is gone after cancelling: %v", err)
		}
		step(t, ctx, "delete the folder",
			chromedp.Click(chromedp.CSS(`#delete-entry`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog .btn.danger`)),
			chromedp.Click(chromedp.CSS(`dialog .btn.danger`)),
			waitJS(`!document.querySelector('.tree-row[data-path="project/software/helloworld/e2e-dir"]')`),
		)
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("delete folder: still there (%v)", err)
		}
	})

	t.Run("build", func(t *testing.T) {
		// instance.cfg.in was edited above and buildout.hash.cfg is stale:
		// the build must fail on the md5 check, and say so.
		if want := md5File(t, diskProfile); strings.Contains(readFile(t, diskHash), "md5sum = "+want) {
			t.Fatal("buildout.hash.cfg is already up to date: the stale-md5 build cannot be tested")
		}
		build := func(what string, start chromedp.Action[chromedp.Void]) (state string) {
			t.Helper()
			before := evalString(t, ctx, `document.querySelector("#build-title").textContent`)
			step(t, ctx, what,
				start,
				chromedp.WaitVisible(chromedp.CSS(`#build-panel`)),
				waitJS(fmt.Sprintf(`document.querySelector("#build-title").textContent !== %q`, before)),
			)
			// The build runs the real engine: allow it time.
			longStep(t, ctx, what+": build ends", 3*time.Minute, waitJS(`!!document.querySelector("#build-output .build-end")`))
			state = evalString(t, ctx, `document.querySelector("#build-state").dataset.state`)
			apiState := evalString(t, ctx, `fetch("/api/builds?limit=1").then((r) => r.json()).then((j) => j.builds[0].state)`)
			if state != apiState {
				t.Fatalf("%s: build panel state %q, the API says %q", what, state, apiState)
			}
			return state
		}
		indicators := func() string {
			return evalString(t, ctx, `document.querySelector("#ind-software").dataset.state + "/" + document.querySelector("#ind-instance").dataset.state`)
		}

		if state := build("press play with a stale md5", chromedp.Click(chromedp.CSS(`#play`))); state != "failed" {
			t.Fatalf("the build with a stale md5 sum ended %q, want failed", state)
		}
		screenshot(t, ctx, "07-build-failed")
		apiErr := evalString(t, ctx, `fetch("/api/builds?limit=1").then((r) => r.json()).then((j) => j.builds[0].error)`)
		shown := evalString(t, ctx, `document.querySelector("#build-error").hidden ? "" : document.querySelector("#build-error").textContent`)
		if apiErr == "" || !strings.Contains(shown, apiErr) || !strings.Contains(strings.ToLower(apiErr), "md5") {
			t.Errorf("the build error shown is %q, the API's is %q (want the md5 mismatch)", shown, apiErr)
		}
		if got := indicators(); !strings.Contains(got, "failed") {
			t.Errorf("after a failed build the indicators are %s, want one failed", got)
		}

		// Update the md5 sums, as the tutorial does, and build again.
		step(t, ctx, "update the md5 sums",
			chromedp.Click(chromedp.CSS(`#tab-editor`)),
			chromedp.Click(chromedp.CSS(`#md5-menu`)),
			chromedp.WaitVisible(chromedp.CSS(`#md5-update`)),
			chromedp.Click(chromedp.CSS(`#md5-update`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog.md5-dialog`)),
			chromedp.Click(chromedp.CSS(`dialog.md5-dialog .btn.primary`)),
			waitJS(`!document.querySelector("dialog.md5-dialog")`),
		)
		if want := md5File(t, diskProfile); !strings.Contains(readFile(t, diskHash), "md5sum = "+want) {
			t.Fatalf("buildout.hash.cfg lacks md5sum = %s", want)
		}
		if state := build("press play", chromedp.Click(chromedp.CSS(`#play`))); state != "succeeded" {
			t.Fatalf("the build ended %q: %s", state, evalString(t, ctx, `document.querySelector("#build-error").textContent`))
		}
		t.Logf("click to first build line: %s ms", evalString(t, ctx, `String(window.webrunnerMetrics.clickToFirstLineMs)`))
		if got := evalString(t, ctx, `document.querySelector("#build-progress").textContent`); !regexp.MustCompile(`^instance: part (\d+) of (\d+) · \S+$`).MatchString(got) {
			t.Errorf("build progress after the build = %q, want \"instance: part N of M · part\"", got)
		}
		if got := indicators(); got != "ok/ok" {
			t.Errorf("after a successful build the indicators are %s, want ok/ok", got)
		}
		step(t, ctx, "show instance.cfg.in", waitJS(`window.webrunnerApp.openFile("project/software/helloworld/instance.cfg.in", 1).then(() => true)`))
		screenshot(t, ctx, "07-build")

		step(t, ctx, "a reloaded page finds the build",
			chromedp.Reload(),
			waitJS(`document.body.classList.contains("ready")`),
			waitJS(`document.querySelector("#build-title").textContent.startsWith("Build #")`),
			waitJS(`!!document.querySelector("#build-output .build-end")`),
			waitJS(`document.querySelector("#build-state").dataset.state === "succeeded"`),
			waitJS(`document.querySelector("#ind-software").dataset.state === "ok" && document.querySelector("#ind-instance").dataset.state === "ok"`),
		)
		if state := build("Ctrl+Shift+B", chromedp.KeyEvent("B", chromedp.KeyModifiers(inputCtrl|inputShift))); state != "succeeded" {
			t.Errorf("the Ctrl+Shift+B build ended %q", state)
		}
		if state := build("build the software release only from the menu", chromedp.Steps(
			chromedp.Click(chromedp.CSS(`#play-menu`)),
			chromedp.WaitVisible(chromedp.CSS(`#play-menu-list button[data-target="software"]`)),
			chromedp.Click(chromedp.CSS(`#play-menu-list button[data-target="software"]`)),
		)); state != "succeeded" {
			t.Errorf("the software build ended %q", state)
		}
		if got := evalString(t, ctx, `fetch("/api/builds?limit=1").then((r) => r.json()).then((j) => j.builds[0].target)`); got != "software" {
			t.Errorf("last build target = %q, want software", got)
		}
		if got := evalString(t, ctx, `document.querySelector("#build-title").textContent`); !strings.HasSuffix(got, "(software)") {
			t.Errorf("build title %q", got)
		}
		step(t, ctx, "after a reload the instance keeps the state of its last build",
			chromedp.Reload(),
			waitJS(`document.body.classList.contains("ready")`),
			waitJS(`document.querySelector("#ind-software").dataset.state === "ok" && document.querySelector("#ind-instance").dataset.state === "ok"`),
		)
	})

	t.Run("a built file open in a tab reloads after the build", func(t *testing.T) {
		// Files outside project/ have no live events: the IDE rechecks
		// their tabs when a build ends.
		built, _ := filepath.Glob(filepath.Join(srv.workspace, "software", "*", "instance.cfg"))
		if len(built) != 1 {
			t.Fatalf("built instance.cfg: %q", built)
		}
		rel, _ := filepath.Rel(srv.workspace, built[0])
		rel = filepath.ToSlash(rel)
		step(t, ctx, "open "+rel, waitJS(fmt.Sprintf(`window.webrunnerApp.openFile(%q, 1).then(() => window.webrunnerApp.editor.active.path === %q)`, rel, rel)))
		const marker = "# rendered again after a build"
		if err := os.WriteFile(diskProfile, []byte(readFile(t, diskProfile)+marker+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		hash := readFile(t, diskHash)
		i := strings.LastIndex(hash, "md5sum = ")
		hash = hash[:i] + "md5sum = " + md5File(t, diskProfile) + hash[i+len("md5sum = ")+32:]
		if err := os.WriteFile(diskHash, []byte(hash), 0o644); err != nil {
			t.Fatal(err)
		}
		step(t, ctx, "build", chromedp.KeyEvent("B", chromedp.KeyModifiers(inputCtrl|inputShift)))
		longStep(t, ctx, "the built file's tab shows the new text", 3*time.Minute,
			waitJS(fmt.Sprintf(`window.webrunnerApp.editor.active.path === %q && %s.includes(%q)`, rel, editorText, marker)))
	})

	t.Run("build output rendering", func(t *testing.T) {
		// Lines as the build websocket delivers them, rendered by the panel.
		step(t, ctx, "phase header, ANSI colours, error, file link",
			waitJS(`(() => { const b = window.webrunnerApp.build; b.phase = "software"; b.line({phase: "instance", text: "\u001b[31mError: bad value in project/software/helloworld/instance.cfg.in:3\u001b[0m"}); return true; })()`),
			waitJS(`[...document.querySelectorAll("#build-output .build-phase")].some((h) => h.textContent === "Instance slappart0")`),
			waitJS(`!!document.querySelector('#build-output .build-line.error .ansi-fg-1 a.file-link[data-path="project/software/helloworld/instance.cfg.in"][data-line="3"]')`),
		)
		step(t, ctx, "the file link opens the editor at the line",
			chromedp.Click(chromedp.CSS(`#build-output .build-line.error a.file-link`)),
			waitJS(`(() => { const a = window.webrunnerApp.editor.active; return a.path === "project/software/helloworld/instance.cfg.in" && a.view.state.doc.lineAt(a.view.state.selection.main.head).number === 3; })()`),
		)
		const addLines = `(n) => { for (let i = 0; i < n; i++) window.webrunnerApp.build.line({phase: "instance", text: "filler line " + i}); return true; }`
		const atBottom = `(() => { const o = document.querySelector("#build-output"); return o.scrollHeight - o.scrollTop - o.clientHeight < 8; })()`
		// Not an assertion: how long 5000 lines take to reach the screen.
		ms := evalString(t, ctx, `new Promise((done) => { const t0 = performance.now(); for (let i = 0; i < 5000; i++) window.webrunnerApp.build.line({phase: "instance", text: "\u001b[32mbulk\u001b[0m line " + i + " project/x.cfg:" + i}); requestAnimationFrame(() => requestAnimationFrame(() => done(String(Math.round(performance.now() - t0))))); })`)
		t.Logf("5000 build lines rendered in %s ms", ms)
		step(t, ctx, "follows the output",
			waitJS(`(`+addLines+`)(200)`),
			waitJS(atBottom),
			waitJS(`(() => { document.querySelector("#build-output").scrollTop = 0; return true; })()`),
			chromedp.WaitVisible(chromedp.CSS(`#build-follow`)),
			waitJS(`(`+addLines+`)(20)`),
			waitJS(`document.querySelector("#build-output").scrollTop === 0`),
			chromedp.Click(chromedp.CSS(`#build-follow`)),
			waitJS(atBottom),
		)
	})

	t.Run("services", func(t *testing.T) {
		step(t, ctx, "open Services",
			chromedp.Click(chromedp.CSS(`#tab-services`)),
			chromedp.WaitVisible(chromedp.CSS(`#services .summary-card`)),
			chromedp.WaitVisible(chromedp.CSS(`#services .params-card`)),
		)
		connection := func(key string) string {
			return evalString(t, ctx, fmt.Sprintf(`(() => { const r = document.querySelector('#services .connection-card tr[data-key=%q] td.value'); return r ? r.textContent : ""; })()`, key))
		}
		step(t, ctx, "connection parameters", waitJS(`document.querySelectorAll("#services .connection-card tr[data-key]").length > 0`))
		if got := connection("name"); got != "Hello John Doe!" {
			t.Errorf("connection parameter name = %q, want the default %q", got, "Hello John Doe!")
		}
		if n := evalString(t, ctx, `String(document.querySelectorAll('#services .connection-card td.value a[href^="http"]').length)`); n == "0" {
			t.Errorf("no connection parameter URL is a link")
		}
		step(t, ctx, "processes and promises",
			waitJS(`document.querySelectorAll("#services .processes-card tbody tr").length > 0`),
			waitJS(`document.querySelectorAll("#services .promises-card tbody tr").length > 0`),
		)
		step(t, ctx, "set parameter name, save and rebuild",
			chromedp.Click(chromedp.CSS(`#services .params-card .button-row .btn`)),
			chromedp.SendKeys(chromedp.CSS(`#services .param-row:last-child .param-key`), "name"),
			chromedp.SendKeys(chromedp.CSS(`#services .param-row:last-child .param-value`), "e2e"),
			chromedp.Click(chromedp.CSS(`#params-save-rebuild`)),
			waitJS(`window.webrunnerApp.services.data && window.webrunnerApp.services.data.parameters.name === "e2e"`),
		)
		got := evalString(t, ctx, `fetch("/api/instance").then((r) => r.json()).then((j) => j.parameters.name || "")`)
		if got != "e2e" {
			t.Fatalf("stored parameter name = %q", got)
		}
		longStep(t, ctx, "the rebuild publishes the new connection parameter", 3*time.Minute,
			waitJS(`(() => { const r = document.querySelector('#services .connection-card tr[data-key="name"] td.value'); return !!r && r.textContent === "Hello e2e!"; })()`),
		)
		longStep(t, ctx, "the rebuild ends", 3*time.Minute, waitJS(`document.querySelector("#build-state").dataset.state === "succeeded" && !!document.querySelector("#build-output .build-end")`))
		step(t, ctx, "run promises now",
			chromedp.Click(chromedp.CSS(`#run-promises`)),
			waitJS(`(() => { const b = document.querySelector("#run-promises"); return !!b && !b.disabled && b.textContent === "Run promises now"; })()`),
		)
		screenshot(t, ctx, "08-services")
		step(t, ctx, "stop with confirmation",
			chromedp.Click(chromedp.CSS(`#services button[data-state="stopped"]`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog .btn.primary`)),
			chromedp.Click(chromedp.CSS(`dialog .btn.primary`)),
			waitJS(`!!document.querySelector("#services .badge.state-stopped")`),
		)
		step(t, ctx, "start again",
			chromedp.Click(chromedp.CSS(`#services button[data-state="started"]`)),
			chromedp.WaitVisible(chromedp.CSS(`dialog .btn.primary`)),
			chromedp.Click(chromedp.CSS(`dialog .btn.primary`)),
			waitJS(`!!document.querySelector("#services .badge.state-started")`),
		)
	})

	t.Run("logs", func(t *testing.T) {
		step(t, ctx, "open Logs",
			chromedp.Click(chromedp.CSS(`#tab-logs`)),
			waitJS(`!document.querySelector("#log-list").hasAttribute("aria-busy")`),
			chromedp.WaitVisible(chromedp.CSS(`#log-list .log-item`)),
		)
		// The oldest build log (the list is newest first): no build writes to
		// it any more.
		logPath := evalString(t, ctx, `[...document.querySelectorAll("#log-list .log-item")].map((b) => b.dataset.path).filter((p) => p.startsWith("log/")).pop() || ""`)
		if logPath == "" {
			t.Fatal("no build log in the list of logs")
		}
		sel := fmt.Sprintf(`#log-list .log-item[data-path=%q]`, logPath)
		step(t, ctx, "tail "+logPath,
			chromedp.Click(chromedp.CSS(sel)),
			waitJS(`document.querySelectorAll("#log-output .log-line").length > 0`),
		)
		disk := filepath.Join(srv.workspace, filepath.FromSlash(logPath))
		appendLine := func(line string) {
			f, err := os.OpenFile(disk, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(f, line)
			f.Close()
		}
		appendLine("e2e live line one")
		step(t, ctx, "the new line appears", waitJS(`[...document.querySelectorAll("#log-output .log-line")].some((l) => l.textContent === "e2e live line one")`))
		step(t, ctx, "pause", chromedp.Click(chromedp.CSS(`#log-pause`)))
		appendLine("e2e live line two")
		step(t, ctx, "paused lines are counted", waitJS(`document.querySelector("#log-count").textContent.startsWith("1 new line")`))
		if n := evalString(t, ctx, `String([...document.querySelectorAll("#log-output .log-line")].filter((l) => l.textContent === "e2e live line two").length)`); n != "0" {
			t.Fatal("a line was shown while paused")
		}
		step(t, ctx, "resume and filter",
			chromedp.Click(chromedp.CSS(`#log-pause`)),
			waitJS(`[...document.querySelectorAll("#log-output .log-line")].some((l) => l.textContent === "e2e live line two")`),
			chromedp.SendKeys(chromedp.CSS(`#log-filter`), "line two"),
			waitJS(`[...document.querySelectorAll("#log-output .log-line")].filter((l) => !l.hidden).map((l) => l.textContent).join("|") === "e2e live line two"`),
		)
		// A line written by the running instance: helloweb-python logs each
		// request it serves.
		serviceURL := evalString(t, ctx, `fetch("/api/instance").then((r) => r.json()).then((j) => j.connection["url.python"] || "")`)
		const serviceLog = "instance/slappart0/var/log/helloweb-python.log"
		if serviceURL == "" {
			t.Fatal("the instance publishes no url.python")
		}
		step(t, ctx, "tail "+serviceLog,
			chromedp.Click(chromedp.CSS(`#log-refresh`)),
			waitJS(`!document.querySelector("#log-list").hasAttribute("aria-busy")`),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#log-list .log-item[data-path=%q]`, serviceLog))),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`#log-list .log-item[data-path=%q]`, serviceLog))),
			waitJS(fmt.Sprintf(`document.querySelector("#log-title").textContent === %q`, serviceLog)),
			waitJS(`document.querySelector("#log-output").dataset.state === "live"`),
		)
		res, err := http.Get(serviceURL + "/e2e-probe")
		if err != nil {
			t.Fatalf("GET %s: %v", serviceURL, err)
		}
		res.Body.Close()
		step(t, ctx, "the request's log line appears", waitJS(`[...document.querySelectorAll("#log-output .log-line")].some((l) => l.textContent.includes("GET /e2e-probe"))`))
		href := evalString(t, ctx, `document.querySelector("#log-download").getAttribute("href")`)
		if href != "/api/download?path="+strings.ReplaceAll(serviceLog, "/", "%2F") {
			t.Errorf("download link %q", href)
		}
		step(t, ctx, "clear the filter",
			waitJS(`(() => { const f = document.querySelector("#log-filter"); f.value = ""; f.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`),
			waitJS(`[...document.querySelectorAll("#log-output .log-line")].some((l) => !l.hidden && l.textContent.includes("GET /e2e-probe"))`),
		)
		screenshot(t, ctx, "09-logs")
		step(t, ctx, "back to the editor", chromedp.Click(chromedp.CSS(`#tab-editor`)))
	})

	t.Run("cancel a build", func(t *testing.T) {
		slow := filepath.Join(srv.workspace, "project/software/e2e-slow/software.cfg")
		if err := os.MkdirAll(filepath.Dir(slow), 0o755); err != nil {
			t.Fatal(err)
		}
		profile := "[buildout]\nparts = slow\n\n[slow]\nrecipe = plone.recipe.command\ncommand = echo slow part started; sleep 120\n"
		if err := os.WriteFile(slow, []byte(profile), 0o644); err != nil {
			t.Fatal(err)
		}
		putRelease := func(p string) {
			t.Helper()
			got := evalString(t, ctx, fmt.Sprintf(`fetch("/api/release", {method: "PUT", headers: {"Content-Type": "application/json", "X-CSRF-Token": document.body.dataset.csrf}, body: JSON.stringify({profile: %q})}).then((r) => String(r.status))`, p))
			if got != "200" && got != "204" {
				t.Fatalf("PUT /api/release %s: status %s", p, got)
			}
		}
		putRelease("project/software/e2e-slow/software.cfg")
		defer putRelease("project/software/helloworld/software.cfg")
		step(t, ctx, "start a slow build",
			chromedp.Click(chromedp.CSS(`#play-menu`)),
			chromedp.WaitVisible(chromedp.CSS(`#play-menu-list button[data-target="software"]`)),
			chromedp.Click(chromedp.CSS(`#play-menu-list button[data-target="software"]`)),
			waitJS(`document.querySelector("#build-state").dataset.state === "running"`),
			waitJS(`[...document.querySelectorAll("#build-output .build-line")].some((l) => l.textContent.includes("slow part started"))`),
			waitJS(`document.querySelector("#ind-software").dataset.state === "running"`),
		)
		step(t, ctx, "the top bar shows the release being built", waitJS(`document.querySelector("#release").textContent === "software/e2e-slow"`))
		step(t, ctx, "the build socket reconnects and replays the output once",
			waitJS(`(() => { window.webrunnerApp.build.socket.ws.close(); return true; })()`),
			waitJS(`window.webrunnerApp.build.socket.ws.readyState === WebSocket.OPEN`),
			waitJS(`[...document.querySelectorAll("#build-output .build-line")].filter((l) => l.textContent === "slow part started").length === 1`),
			waitJS(`document.querySelector("#build-state").textContent === "running"`),
		)
		screenshot(t, ctx, "10-build-running")
		step(t, ctx, "cancel",
			chromedp.Click(chromedp.CSS(`#build-cancel`)),
			waitJS(`document.querySelector("#build-state").dataset.state === "cancelled"`),
			waitJS(`document.querySelector("#build-cancel").hidden`),
			waitJS(`document.querySelector("#ind-software").dataset.state === "cancelled"`),
		)
		if got := evalString(t, ctx, `fetch("/api/builds?limit=1").then((r) => r.json()).then((j) => j.builds[0].state)`); got != "cancelled" {
			t.Fatalf("the API says the build is %q, want cancelled", got)
		}
	})

	t.Run("change release from the tree", func(t *testing.T) {
		other := filepath.Join(srv.workspace, "project/software/e2e-release/software.cfg")
		if err := os.MkdirAll(filepath.Dir(other), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(other, []byte("[buildout]\nparts =\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		setRelease := func(profile, shown string) {
			t.Helper()
			step(t, ctx, "set release "+profile,
				waitJS(fmt.Sprintf(`window.webrunnerApp.editor.tree.reveal(%q).then(() => true)`, profile)),
				waitJS(fmt.Sprintf(`(() => { const r = document.querySelector('.tree-row[data-path=%q]'); r.dispatchEvent(new MouseEvent("contextmenu", {bubbles: true, clientX: 40, clientY: 40})); return true; })()`, profile)),
				chromedp.WaitVisible(chromedp.CSS(`.context-menu`)),
				waitJS(`(() => { const b = [...document.querySelectorAll(".context-menu .menu-item")].find((b) => b.textContent === "Set as current software release"); if (b) b.click(); return !!b; })()`),
				chromedp.WaitVisible(chromedp.CSS(`dialog .btn.primary`)),
				chromedp.Click(chromedp.CSS(`dialog .btn.primary`)),
				waitJS(fmt.Sprintf(`document.querySelector("#release").textContent === %q`, shown)),
			)
			if got := evalString(t, ctx, `fetch("/api/release").then((r) => r.json()).then((j) => j.profile)`); got != profile {
				t.Fatalf("release = %q, want %q", got, profile)
			}
		}
		setRelease("project/software/e2e-release/software.cfg", "software/e2e-release")
		setRelease("project/software/helloworld/software.cfg", "software/helloworld")
	})

	t.Run("narrow window", func(t *testing.T) {
		step(t, ctx, "resize", chromedp.Click(chromedp.CSS(`#tab-editor`)), chromedp.EmulateViewport(420, 800))
		step(t, ctx, "the tree hides on a narrow window", waitJS(`document.body.classList.contains("sidebar-hidden") && getComputedStyle(document.querySelector("#sidebar")).display === "none"`))
		step(t, ctx, "play button and tabs visible", waitJS(`["#play", "#tab-logs", "#md5-menu"].every((s) => { const r = document.querySelector(s).getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; })`))
		screenshot(t, ctx, "06-narrow")
		step(t, ctx, "open the tree, pick a file: the tree gets out of the way",
			chromedp.Click(chromedp.CSS(`#toggle-sidebar`)),
			chromedp.WaitVisible(chromedp.CSS(`.tree-row[data-path="project/software/helloworld/instance.cfg.in"]`)),
			chromedp.Click(chromedp.CSS(`.tree-row[data-path="project/software/helloworld/instance.cfg.in"]`)),
			waitJS(`window.webrunnerApp.editor.active.path === "project/software/helloworld/instance.cfg.in"`),
			waitJS(`document.body.classList.contains("sidebar-hidden")`),
		)
		step(t, ctx, "restore", chromedp.EmulateViewport(1280, 800), waitJS(`!document.body.classList.contains("sidebar-hidden")`))
	})

	t.Run("accessible names", func(t *testing.T) {
		// Every control of each view has a name a screen reader can say.
		for _, view := range []string{"services", "logs", "editor"} {
			step(t, ctx, "open "+view, chromedp.Click(chromedp.CSS("#tab-"+view)), waitJS(fmt.Sprintf(`!document.querySelector("#view-%s").hidden`, view)))
			unnamed := evalString(t, ctx, `[...document.querySelectorAll("button, input, textarea, select, a[href], [role=treeitem], [role=tab]")].filter((e) => e.offsetParent !== null).filter((e) => !((e.getAttribute("aria-label") || "").trim() || (e.textContent || "").trim() || (e.title || "").trim() || (e.placeholder || "").trim() || (e.id && document.querySelector("label[for=" + e.id + "]")))).map((e) => e.outerHTML.slice(0, 80)).join("\n")`)
			if unnamed != "" {
				t.Errorf("%s view: controls without an accessible name:\n%s", view, unnamed)
			}
		}
	})

	t.Run("log out", func(t *testing.T) {
		step(t, ctx, "log out",
			chromedp.Click(chromedp.CSS(`#logout`)),
			chromedp.WaitVisible(chromedp.CSS(`input[type=password]`)),
		)
		if got := evalString(t, ctx, `fetch("/api/release").then((r) => String(r.status))`); got != "401" {
			t.Errorf("after logging out the API answers %s, want 401", got)
		}
	})

	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("uncaught exceptions in the page:\n%s", strings.Join(ex, "\n"))
	}
}

// TestLanguageIntelligence checks the editor's diagnostics as you type and
// go to definition (/api/lang/*) on the sample release.
func TestLanguageIntelligence(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	exceptions := watchConsole(t, ctx)
	login(t, ctx, srv)

	const release = "project/software/helloworld/software.cfg"
	step(t, ctx, "open "+release,
		waitJS(fmt.Sprintf(`window.webrunnerApp.openFile(%q).then(() => true)`, release)),
		waitJS(fmt.Sprintf(`window.webrunnerApp.editor.active.path === %q`, release)),
	)

	t.Run("diagnostics", func(t *testing.T) {
		typeAtEnd(t, ctx, "\n[broken]\nx = ${nowhere:y}\n")
		brokenLine := evalString(t, ctx, `window.webrunnerApp.editor.active.view.state.doc.lines - 1 + ""`)
		step(t, ctx, "error shown",
			waitJS(`document.querySelectorAll(".cm-editor:not([hidden]) .cm-lintRange-error").length === 1`),
			waitJS(`document.getElementById("status-diag").textContent === "1 error, 0 warnings"`),
		)
		// The error is on the line typed, with the server's message.
		got := evalString(t, ctx, `(() => { const v = window.webrunnerApp.editor.active.view; const el = document.querySelector(".cm-editor:not([hidden]) .cm-lintRange-error"); return v.state.doc.lineAt(v.posAtDOM(el)).number + ""; })()`)
		if got != brokenLine {
			t.Errorf("error at line %s, want %s", got, brokenLine)
		}
		if got := evalString(t, ctx, `document.querySelector(".cm-editor:not([hidden]) .cm-lintRange-error").textContent`); got != "${nowhere:y}" {
			t.Errorf("underlined %q, want the reference", got)
		}
		// Fixing the line clears it.
		step(t, ctx, "fix",
			waitJS(`(() => { const v = window.webrunnerApp.editor.active.view; const l = v.state.doc.line(v.state.doc.lines - 1); v.dispatch({changes: {from: l.from, to: l.to, insert: "x = ${buildout:directory}"}}); return true; })()`),
			waitJS(`document.querySelectorAll(".cm-editor:not([hidden]) .cm-lintRange-error").length === 0`),
			waitJS(`document.getElementById("status-diag").hidden`),
		)
	})

	// cursorOn puts the cursor inside the first occurrence of text (plus off).
	cursorOn := func(text string, off int) chromedp.Action[chromedp.Void] {
		return waitJS(fmt.Sprintf(`(() => { const v = window.webrunnerApp.editor.active.view; const i = v.state.doc.toString().indexOf(%q); if (i < 0) return false; v.focus(); v.dispatch({selection: {anchor: i + %d}}); return v.hasFocus; })()`, text, off))
	}
	cursorLine := `(() => { const v = window.webrunnerApp.editor.active.view; return v.state.doc.lineAt(v.state.selection.main.head).text; })()`

	t.Run("go to definition", func(t *testing.T) {
		step(t, ctx, "F12 on a <= base",
			cursorOn("<= jinja-template", 5),
			chromedp.KeyEvent(kb.F12),
			waitJS(fmt.Sprintf(`%s === "[jinja-template]"`, cursorLine)),
		)
		step(t, ctx, "F12 on an extends entry",
			cursorOn("../../stack/slapos.cfg", 8),
			chromedp.KeyEvent(kb.F12),
			waitJS(`window.webrunnerApp.editor.active.path === "project/stack/slapos.cfg"`),
		)
		step(t, ctx, "back to "+release,
			waitJS(fmt.Sprintf(`window.webrunnerApp.openFile(%q).then(() => true)`, release)),
			waitJS(fmt.Sprintf(`window.webrunnerApp.editor.active.path === %q`, release)),
		)
		x, y := coordsOf(t, ctx, "  buildout.hash.cfg", 4)
		step(t, ctx, "Ctrl-click on an extends entry",
			chromedp.MouseClickXY(x, y, chromedp.ButtonModifiers(inputCtrl)),
			waitJS(`window.webrunnerApp.editor.active.path === "project/software/helloworld/buildout.hash.cfg"`),
		)
	})

	t.Run("hover", func(t *testing.T) {
		step(t, ctx, "back to "+release,
			waitJS(fmt.Sprintf(`window.webrunnerApp.openFile(%q).then(() => true)`, release)),
			waitJS(fmt.Sprintf(`window.webrunnerApp.editor.active.path === %q`, release)),
		)
		x, y := coordsOf(t, ctx, "output = ${buildout:directory}", 2)
		step(t, ctx, "hover an option",
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y),
			waitJS(`(() => { const el = document.querySelector(".cm-lang-hover"); return !!el && el.textContent.includes("${instance-profile:output}") && el.textContent.includes("SET") && el.textContent.includes("software.cfg:"); })()`),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1),
			waitJS(`!document.querySelector(".cm-lang-hover")`),
		)
	})

	t.Run("completion", func(t *testing.T) {
		typeAtEnd(t, ctx, "\n[completion]\nv = ${instance-pro")
		step(t, ctx, "section proposed",
			waitJS(`(() => { const el = document.querySelector(".cm-tooltip-autocomplete"); return !!el && [...el.querySelectorAll(".cm-completionLabel")].some((l) => l.textContent === "instance-profile"); })()`),
			// The completion ignores keys for 75 ms after it opens.
			chromedp.Sleep(300*time.Millisecond),
			typeText("\n"), // Enter without its "char" event
			waitJS(fmt.Sprintf(`%s === "v = ${instance-profile}"`, cursorLine)),
		)
		step(t, ctx, "options proposed",
			typeText(":out"),
			waitJS(`(() => { const el = document.querySelector(".cm-tooltip-autocomplete"); return !!el && [...el.querySelectorAll(".cm-completionLabel")].some((l) => l.textContent === "output"); })()`),
		)
	})

	if ex := exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}

// coordsOf scrolls the active editor to the first occurrence of text and
// returns the viewport coordinates of its character at off.
func coordsOf(t *testing.T, ctx context.Context, text string, off int) (float64, float64) {
	t.Helper()
	step(t, ctx, "scroll to "+text, waitJS(fmt.Sprintf(`(() => { const v = window.webrunnerApp.editor.active.view; const i = v.state.doc.toString().indexOf(%q); if (i < 0) return false; const e = window.webrunnerApp.editor; e.goToLine(e.active, v.state.doc.lineAt(i).number); return true; })()`, text)))
	var x, y float64
	xy := evalString(t, ctx, fmt.Sprintf(`new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => { const v = window.webrunnerApp.editor.active.view; const i = v.state.doc.toString().indexOf(%q) + %d; const c = v.coordsAtPos(i); ok(c ? (c.left + 2) + "," + ((c.top + c.bottom) / 2) : ""); })))`, text, off))
	if _, err := fmt.Sscanf(xy, "%g,%g", &x, &y); err != nil {
		t.Fatalf("coordinates of %q: %q", text, xy)
	}
	return x, y
}
