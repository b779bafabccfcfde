package logtail

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLastLines(t *testing.T) {
	long := strings.Repeat("x", 40000)
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"", 3, ""},
		{"a\nb\nc\n", 2, "b|c"},
		{"a\nb\nc", 2, "b|c"},
		{"a\nb\n", 5, "a|b"},
		{"\n\n", 5, "|"},
		{"a\n" + long + "\nb\n", 2, long + "|b"},
		{"a\n" + long + "\n" + long + "\nc\n", 3, long + "|" + long + "|c"},
		{"a\nb\n", 0, ""},
	}
	for _, tc := range tests {
		got, err := LastLines(strings.NewReader(tc.text), int64(len(tc.text)), tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("LastLines(%.20q, %d) = %.60q, want %.60q", tc.text, tc.n, strings.Join(got, "|"), tc.want)
		}
	}
}

func TestList(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{
		"log/build-1.log", "log/build-1.phases", "instance/slappart0/var/log/nginx/access.log", "instance/slappart0/.slappart0_web.log",
		"instance/slappart0/.slapgrid/promise/log/check.log", "instance/slappart0/etc/not-a-log.cfg", "project/x.log",
	} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte("x\n"), 0o644)
	}
	files, err := List(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	want := "instance/slappart0/.slapgrid/promise/log/check.log instance/slappart0/.slappart0_web.log instance/slappart0/var/log/nginx/access.log log/build-1.log"
	if strings.Join(got, " ") != want {
		t.Errorf("List = %v", got)
	}
	if files[0].Size != 2 {
		t.Errorf("size = %d", files[0].Size)
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Close()
}

func TestFollowRotationAndTruncation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	appendTo(t, path, "one\ntwo\nthree\npart")
	lines := make(chan string, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Follow(ctx, path, 2, func(l string) error { lines <- l; return nil }) }()
	expect := func(want ...string) {
		t.Helper()
		for _, w := range want {
			select {
			case got := <-lines:
				if got != w {
					t.Fatalf("line %q, want %q", got, w)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("timed out waiting for %q", w)
			}
		}
	}
	expect("two", "three") // the partial "part" waits for its end
	appendTo(t, path, "ial\nfour\n")
	expect("partial", "four")

	// Rotation: the file is renamed, a last line reaches the old one, a new file is created.
	appendTo(t, path, "five\n")
	os.Rename(path, path+".1")
	appendTo(t, path+".1", "six\n")
	appendTo(t, path, "new one\n")
	expect("five", "six", "new one")

	// Truncation, as copytruncate does.
	os.Truncate(path, 0)
	time.Sleep(50 * time.Millisecond)
	appendTo(t, path, "after truncate\n")
	expect("after truncate")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestFollowWaitsForFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "var", "log", "later.log")
	lines := make(chan string, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Follow(ctx, path, 10, func(l string) error { lines <- l; return nil })
	time.Sleep(50 * time.Millisecond)
	os.MkdirAll(filepath.Dir(path), 0o755)
	appendTo(t, path, "hello\n")
	select {
	case l := <-lines:
		if l != "hello" {
			t.Fatalf("got %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no line from a file created after Follow started")
	}
}
