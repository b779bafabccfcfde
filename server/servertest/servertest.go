// Package servertest starts a real "webrunner serve" process on a temporary
// workspace for black-box tests, and talks to it through the HTTP API of
// api.md: login, JSON requests with the CSRF token, websockets.
package servertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Password is the password every test server is started with.
const Password = "test-password-0123456789"

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary builds cmd/webrunner once per test process and returns its path;
// env WEBRUNNER_TEST_BIN names a prebuilt binary to test instead.
func Binary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("WEBRUNNER_TEST_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			buildErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		dir, err := os.MkdirTemp("", "webrunner-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "webrunner")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/webrunner")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/webrunner: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// Server is a running "webrunner serve" with a logged-in client.
type Server struct {
	URL       string // e.g. http://127.0.0.1:43210
	Workspace string
	CSRF      string
	Client    *http.Client

	t      testing.TB
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	mu     sync.Mutex
}

var listening = regexp.MustCompile(`webrunner: listening on (http://\S+)`)

// Start starts a server on a new temporary workspace (or on workspace if
// not empty), waits until it listens, logs in, and stops it at the end of
// the test.
func Start(t testing.TB, workspace string) *Server {
	t.Helper()
	if workspace == "" {
		workspace = t.TempDir()
	}
	s := &Server{Workspace: workspace, t: t, stderr: new(bytes.Buffer)}
	s.start()
	t.Cleanup(s.Stop)
	s.Login()
	return s
}

func (s *Server) start() {
	t := s.t
	t.Helper()
	cmd := exec.Command(Binary(t), "serve", "--addr", "127.0.0.1:0", "--workspace", s.Workspace)
	cmd.Env = append(os.Environ(), "WEBRUNNER_PASSWORD="+Password)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.stderr.WriteString(line + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { cmd.Wait(); pw.Close() }()
	select {
	case u := <-found:
		s.URL = u
	case <-time.After(60 * time.Second):
		s.Stop()
		t.Fatalf("webrunner serve did not print its listening line; output:\n%s", s.Output())
	}
	if s.Client == nil {
		jar, _ := cookiejar.New(nil)
		s.Client = &http.Client{Jar: jar, Timeout: 5 * time.Minute}
	}
}

// Output returns what the server printed so far.
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// Stop stops the server with SIGTERM (SIGKILL after 15 s) and kills its process group.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	pid := s.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); err != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	s.cmd = nil
}

// Restart stops the server and starts it again on the same workspace, logged in.
func (s *Server) Restart() {
	s.Stop()
	s.start()
	s.Login()
}

// Login logs in with Password and keeps the CSRF token.
func (s *Server) Login() {
	var out struct{ CSRF string }
	if st := s.Do("POST", "/api/login", map[string]string{"password": Password}, &out); st != 200 {
		s.t.Fatalf("login: status %d", st)
	}
	s.CSRF = out.CSRF
}

// Do sends a JSON request (body may be nil), decodes a JSON answer into out
// (if not nil) and returns the status code. Transport errors fail the test.
func (s *Server) Do(method, path string, body, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.CSRF != "" {
		req.Header.Set("X-CSRF-Token", s.CSRF)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: status %d, bad JSON %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// ReadFile reads a workspace file through the API and returns its content and etag.
func (s *Server) ReadFile(path string) (content, etag string) {
	s.t.Helper()
	var out struct{ Content, Etag string }
	if st := s.Do("GET", "/api/file?path="+url.QueryEscape(path), nil, &out); st != 200 {
		s.t.Fatalf("GET /api/file %s: status %d", path, st)
	}
	return out.Content, out.Etag
}

// WriteFile writes a workspace file through the API, creating it if needed.
func (s *Server) WriteFile(path, content string) {
	s.t.Helper()
	var etag any
	var cur struct{ Etag string }
	if st := s.Do("GET", "/api/file?path="+url.QueryEscape(path), nil, &cur); st == 200 {
		etag = cur.Etag
	}
	var errOut struct{ Error string }
	if st := s.Do("PUT", "/api/file?path="+url.QueryEscape(path), map[string]any{"content": content, "etag": etag}, &errOut); st != 200 {
		s.t.Fatalf("PUT /api/file %s: status %d: %s", path, st, errOut.Error)
	}
}

// EditFile applies edit to a workspace file through the API.
func (s *Server) EditFile(path string, edit func(string) string) {
	s.t.Helper()
	content, _ := s.ReadFile(path)
	s.WriteFile(path, edit(content))
}

// Dial opens an authenticated websocket on path.
func (s *Server) Dial(path string) *websocket.Conn {
	s.t.Helper()
	u, _ := url.Parse(s.URL)
	hdr := http.Header{}
	hdr.Set("Origin", s.URL)
	for _, c := range s.Client.Jar.Cookies(u) {
		hdr.Add("Cookie", c.Name+"="+c.Value)
	}
	ws := "ws" + strings.TrimPrefix(s.URL, "http") + path
	conn, resp, err := websocket.DefaultDialer.Dial(ws, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		s.t.Fatalf("websocket %s: %v (status %d)", path, err, status)
	}
	s.t.Cleanup(func() { conn.Close() })
	return conn
}

// Build is the outcome of a build followed on its websocket.
type Build struct {
	ID    int
	State string
	Error string
	Lines []BuildLine
}

// BuildLine is one line of a build's output.
type BuildLine struct {
	Phase, Text string
}

// Text returns every line of the build joined with newlines.
func (b *Build) Text() string {
	var sb strings.Builder
	for _, l := range b.Lines {
		fmt.Fprintf(&sb, "[%s] %s\n", l.Phase, l.Text)
	}
	return sb.String()
}

// RunBuild starts a build of target ("all", "software", "instance"),
// follows its websocket to the end and returns it. It fails the test if
// the build cannot start or does not end within timeout.
func (s *Server) RunBuild(target string, timeout time.Duration) *Build {
	s.t.Helper()
	var started struct {
		ID    int
		Error string
	}
	if st := s.Do("POST", "/api/build", map[string]string{"target": target}, &started); st != 202 {
		s.t.Fatalf("POST /api/build: status %d: %s", st, started.Error)
	}
	conn := s.Dial(fmt.Sprintf("/api/build/%d/ws", started.ID))
	b := &Build{ID: started.ID}
	conn.SetReadDeadline(time.Now().Add(timeout))
	for {
		var msg struct{ Type, Phase, Text, State, Error string }
		if err := conn.ReadJSON(&msg); err != nil {
			s.t.Fatalf("build %d websocket: %v\nlines so far:\n%s", b.ID, err, b.Text())
		}
		switch msg.Type {
		case "line":
			b.Lines = append(b.Lines, BuildLine{msg.Phase, msg.Text})
		case "end":
			b.State, b.Error = msg.State, msg.Error
			return b
		}
	}
}
