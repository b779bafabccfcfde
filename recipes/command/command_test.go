package command

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"webrunner/recipes/recipestest"
)

const recipe = "plone.recipe.command"

func TestCommand(t *testing.T) {
	tests := []struct {
		name    string
		opts    []string
		paths   []string
		lines   []string
		wantErr string
	}{
		{name: "tutorial downloader", opts: []string{"command", `mkdir -p docroot && rm -rf docroot/*; echo "Hello World!" > docroot/index.html; echo done; echo err >&2`},
			paths: []string{}, lines: []string{"done", "err"}},
		{name: "location", opts: []string{"command", "true", "location", "a\n b c"}, paths: []string{"a", "b", "c"}},
		{name: "failure ignored", opts: []string{"command", "exit 3"}, paths: []string{}},
		{name: "failure stops", opts: []string{"command", "exit 3", "stop-on-error", "yes"}, wantErr: "Non zero exit code (3) while running command."},
		{name: "killed", opts: []string{"command", "kill -TERM $$", "stop-on-error", "true"}, wantErr: "Non zero exit code (-15) while running command."},
		{name: "bad stop-on-error", opts: []string{"command", "true", "stop-on-error", "maybe"},
			wantErr: "Invalid value 'maybe' for 'stop_on_error', use 'yes', 'on', 'true', 'no', 'off' or false."},
		{name: "no command", opts: []string{"command", ""}, wantErr: "No command specified"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := recipestest.New(t)
			h.Add("cmd", tc.opts...)
			paths, err := h.Install(context.Background(), recipe, "cmd")
			if tc.wantErr != "" {
				recipestest.ErrorContains(t, err, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(paths, "|") != strings.Join(tc.paths, "|") || paths == nil {
				t.Errorf("paths = %q, want %q", paths, tc.paths)
			}
			if tc.lines != nil && strings.Join(h.Lines(), "|") != strings.Join(tc.lines, "|") {
				t.Errorf("output = %q, want %q", h.Lines(), tc.lines)
			}
		})
	}
}

func TestCommandRunsInBuildoutDirectory(t *testing.T) {
	h := recipestest.New(t)
	h.Add("cmd", "command", `echo "Hello World!" > index.html`, "update-command", "echo updated > update.txt")
	ctx := context.Background()
	if _, err := h.Install(ctx, recipe, "cmd"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, h.Path("index.html")); got != "Hello World!\n" {
		t.Errorf("index.html = %q", got)
	}
	if _, err := h.Update(ctx, recipe, "cmd"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, h.Path("update.txt")); got != "updated\n" {
		t.Errorf("update.txt = %q", got)
	}
	// Without update-command, update runs nothing.
	h2 := recipestest.New(t)
	h2.Add("cmd", "command", "touch ran")
	if _, err := h2.Update(ctx, recipe, "cmd"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(h2.Path("ran")); err == nil {
		t.Error("update ran the install command")
	}
}

func TestCommandCancel(t *testing.T) {
	h := recipestest.New(t)
	h.Add("cmd", "command", "echo started; sleep 30 & wait")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := h.Install(ctx, recipe, "cmd")
		done <- err
	}()
	for i := 0; i < 200 && len(h.Lines()) == 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancel did not stop the command")
	}
}
