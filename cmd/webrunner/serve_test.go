package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestReadPassword(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	tests := []struct {
		name, file, want, err string
	}{
		{"first line", write("a", "s3cret\nignored\n"), "s3cret", ""},
		{"crlf", write("b", "s3cret\r\n"), "s3cret", ""},
		{"no newline", write("c", "s3cret"), "s3cret", ""},
		{"empty", write("d", "\nx\n"), "", "first line is empty"},
		{"missing", filepath.Join(dir, "none"), "", "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readPassword(tc.file)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("readPassword = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	t.Setenv("WEBRUNNER_PASSWORD", "from-env")
	if got, _ := readPassword(""); got != "from-env" {
		t.Errorf("without a file: %q, want the environment's", got)
	}
}

var (
	listeningLine = regexp.MustCompile(`^webrunner: listening on (http://127\.0\.0\.1:[0-9]+)$`)
	passwordLine  = regexp.MustCompile(`^webrunner: generated password .*: (\S+)$`)
)

// startServe runs runServe on a free port and returns its URL, the
// generated password ("" if none), and a function that stops it and
// returns its error.
func startServe(t *testing.T, dir string) (url, password string, stop func() error) {
	t.Helper()
	t.Setenv("WEBRUNNER_PASSWORD", "")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	log := slog.New(slog.DiscardHandler)
	go func() {
		done <- runServe(ctx, pw, log, "127.0.0.1:0", dir, "")
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := passwordLine.FindStringSubmatch(sc.Text()); m != nil {
			password = m[1]
		}
		if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no listening line; runServe: %v", <-done)
	}
	go io.Copy(io.Discard, pr)
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("runServe did not return after cancel")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return url, password, stop
}

// TestServeFirstStart starts the server as a new user would: on an empty
// workspace, without a password. It checks the layout, the password shown
// once, login, the files API and the graceful stop; a second start keeps
// the password and shows nothing.
func TestServeFirstStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	url, password, stop := startServe(t, dir)
	if password == "" {
		t.Fatal("first start: no generated password shown")
	}
	for _, p := range []string{"project/software/helloworld/software.cfg", "software", "instance/slappart0", "log", "webrunner.db"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("layout: %v", err)
		}
	}
	resp, err := http.Get(url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Post(url+"/api/login", "application/json", strings.NewReader(`{"password":"`+password+`"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login with the generated password: %v %v", resp, err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", url+"/api/file?path=project/software/helloworld/software.cfg", nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("read software.cfg: %v %v", resp, err)
	}
	var f struct{ Content string }
	json.NewDecoder(resp.Body).Decode(&f)
	resp.Body.Close()
	if !strings.Contains(f.Content, "[buildout]") {
		t.Errorf("software.cfg = %q", f.Content)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	_, again, _ := startServe(t, dir)
	if again != "" {
		t.Error("second start showed a password again")
	}
}
