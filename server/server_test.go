package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"webrunner/server/auth"
)

const testPassword = "correct horse"

// testHash is the argon2id hash of testPassword, computed once.
var testHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// testSample is the sample repository of the test workspaces.
var testSample = fstest.MapFS{
	"software/hello/software.cfg":      {Data: []byte("[buildout]\nparts =\n")},
	"software/hello/buildout.hash.cfg": {Data: []byte("[template]\nfilename = instance.cfg.in\nmd5sum = 0\n")},
	"software/hello/instance.cfg.in":   {Data: []byte("[buildout]\n")},
	"stack/base.cfg":                   {Data: []byte("[buildout]\n")},
}

// clock is a settable clock for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a test server on a fresh workspace.
type env struct {
	t       *testing.T
	srv     *Server
	ts      *httptest.Server
	root    string // the workspace
	outside string // a folder beside it, with a file "secret"
	clock   *clock
}

func newEnv(t *testing.T, edit func(*Config)) *env {
	t.Helper()
	base := t.TempDir()
	e := &env{t: t, clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}}
	e.outside = filepath.Join(base, "outside")
	os.MkdirAll(e.outside, 0o755)
	os.WriteFile(filepath.Join(e.outside, "secret"), []byte("secret\n"), 0o644)
	log := slog.New(slog.DiscardHandler)
	ws, db, err := Setup(context.Background(), filepath.Join(base, "ws"), testSample, "software/hello/software.cfg", log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.root = ws.Root()
	cfg := Config{Workspace: ws, DB: db, PasswordHash: testHash(), Logger: log, Now: e.clock.now}
	if edit != nil {
		edit(&cfg)
	}
	e.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(func() {
		e.ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.srv.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// client is a browser: a cookie jar and the CSRF token of its login.
type client struct {
	e    *env
	hc   *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// login logs in with testPassword and fails the test otherwise.
func (e *env) login() *client {
	e.t.Helper()
	c := e.client()
	var out struct{ CSRF string }
	if st := c.do("POST", "/api/login", map[string]string{"password": testPassword}, &out); st != 200 {
		e.t.Fatalf("login: status %d", st)
	}
	if out.CSRF == "" {
		e.t.Fatal("login: no csrf token")
	}
	c.csrf = out.CSRF
	return c
}

// request sends a request with a JSON body (nil for none, []byte as is) and
// the CSRF header when the client has a token.
func (c *client) request(method, path string, body any) *http.Response {
	c.e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case io.Reader:
		r = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.e.ts.URL+path, r)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return resp
}

// do sends a request and decodes the JSON answer into out (if not nil); it
// returns the status and checks that errors have the shape of api.md.
func (c *client) do(method, path string, body, out any) int {
	c.e.t.Helper()
	resp := c.request(method, path, body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && strings.HasPrefix(path, "/api/") {
		var eb struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(b, &eb); err != nil || eb.Error == "" {
			c.e.t.Errorf("%s %s: status %d with body %q, want {\"error\": …}", method, path, resp.StatusCode, b)
		}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.e.t.Fatalf("%s %s: status %d, body %q: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

func q(p string) string { return url.QueryEscape(p) }

func TestHealthAndHeaders(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := http.Get(e.ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/healthz unauthenticated: %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self';", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Error("CSP allows inline scripts")
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	if st := c.do("GET", "/api/files?path=project", nil, nil); st != 401 {
		t.Errorf("files before login: %d, want 401", st)
	}
	if st := c.do("POST", "/api/login", map[string]string{"password": "wrong"}, nil); st != 401 {
		t.Errorf("wrong password: %d, want 401", st)
	}
	if st := c.do("POST", "/api/login", []byte("{"), nil); st != 400 {
		t.Errorf("bad JSON: %d, want 400", st)
	}
	resp := c.request("POST", "/api/login", map[string]string{"password": testPassword})
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || len(cookie.Value) < 43 {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Strict, 256-bit value", cookie)
	}
	if st := c.do("GET", "/api/files?path=project", nil, nil); st != 200 {
		t.Errorf("files after login: %d", st)
	}
	var sess struct{ CSRF string }
	c.do("GET", "/api/session", nil, &sess)
	if sess.CSRF == "" {
		t.Error("GET /api/session gives no csrf")
	}
}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	for i := range 5 {
		if st := c.do("POST", "/api/login", map[string]string{"password": "guess"}, nil); st != 401 {
			t.Fatalf("failure %d: %d, want 401", i+1, st)
		}
		e.clock.add(time.Second)
	}
	// Limited: even the right password is refused, with Retry-After.
	resp := c.request("POST", "/api/login", map[string]string{"password": testPassword})
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Fatalf("sixth attempt: %d, want 429", resp.StatusCode)
	}
	if ra := resp.Header.Get("Retry-After"); ra != "55" {
		t.Errorf("Retry-After = %q, want 55", ra)
	}
	e.clock.add(55 * time.Second)
	e.login()
}

// TestParallelGuesses sends many wrong passwords at once from one address:
// no more than the limit get to be checked.
func TestParallelGuesses(t *testing.T) {
	e := newEnv(t, nil)
	const n = 20
	status := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status[i] = e.client().do("POST", "/api/login", map[string]string{"password": fmt.Sprint("guess", i)}, nil)
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, st := range status {
		count[st]++
	}
	if count[401] != 5 || count[429] != n-5 {
		t.Errorf("statuses %v, want 5×401 and %d×429", count, n-5)
	}
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	e.clock.add(IdleTimeoutForTest - time.Minute)
	if st := c.do("GET", "/api/release", nil, nil); st != 200 {
		t.Fatalf("before idle timeout: %d", st)
	}
	e.clock.add(IdleTimeoutForTest)
	if st := c.do("GET", "/api/release", nil, nil); st != 401 {
		t.Fatalf("after 12 h idle: %d, want 401", st)
	}
	// Used every 6 hours, a session still ends after 7 days.
	c = e.login()
	for elapsed := time.Duration(0); elapsed < 7*24*time.Hour-6*time.Hour; elapsed += 6 * time.Hour {
		e.clock.add(6 * time.Hour)
		if st := c.do("GET", "/api/release", nil, nil); st != 200 {
			t.Fatalf("at +%v: %d", elapsed+6*time.Hour, st)
		}
	}
	e.clock.add(6 * time.Hour)
	if st := c.do("GET", "/api/release", nil, nil); st != 401 {
		t.Fatalf("after 7 days: %d, want 401", st)
	}
}

// IdleTimeoutForTest is the idle timeout the sessions use.
const IdleTimeoutForTest = auth.IdleTimeout

func TestLogout(t *testing.T) {
	e := newEnv(t, nil)
	a, b, c := e.login(), e.login(), e.login()
	if st := a.do("POST", "/api/logout", nil, nil); st != 200 {
		t.Fatalf("logout: %d", st)
	}
	if st := a.do("GET", "/api/release", nil, nil); st != 401 {
		t.Errorf("after logout: %d, want 401", st)
	}
	if st := b.do("GET", "/api/release", nil, nil); st != 200 {
		t.Errorf("another session after logout: %d, want 200", st)
	}
	if st := b.do("POST", "/api/logout?all=1", nil, nil); st != 200 {
		t.Fatalf("logout all: %d", st)
	}
	for _, x := range []*client{b, c} {
		if st := x.do("GET", "/api/release", nil, nil); st != 401 {
			t.Errorf("after logout?all=1: %d, want 401", st)
		}
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil)
	good := e.login()
	for _, token := range []string{"", "wrong"} {
		c := e.login()
		c.csrf = token
		reqs := []struct {
			method, path string
			body         any
		}{
			{"PUT", "/api/file?path=project/x.cfg", map[string]any{"content": "x", "etag": nil}},
			{"DELETE", "/api/file?path=project/stack/base.cfg", nil},
			{"POST", "/api/file/move", map[string]string{"from": "project/stack", "to": "project/moved"}},
			{"POST", "/api/dir?path=project/d", nil},
			{"PUT", "/api/release", map[string]string{"profile": "project/stack/base.cfg"}},
			{"POST", "/api/md5", nil},
			{"POST", "/api/logout?all=1", nil},
		}
		for _, r := range reqs {
			if st := c.do(r.method, r.path, r.body, nil); st != 403 {
				t.Errorf("token %q: %s %s = %d, want 403", token, r.method, r.path, st)
			}
		}
	}
	// Nothing happened.
	if _, err := os.Stat(filepath.Join(e.root, "project/x.cfg")); err == nil {
		t.Error("a request without CSRF token wrote a file")
	}
	if st := good.do("GET", "/api/release", nil, nil); st != 200 {
		t.Errorf("sessions were revoked without CSRF token: %d", st)
	}
	// A token of another session does not do either.
	other := e.login()
	good2 := e.login()
	good2.csrf = other.csrf
	if st := good2.do("POST", "/api/dir?path=project/d", nil, nil); st != 403 {
		t.Errorf("another session's token: %d, want 403", st)
	}
	if st := good.do("POST", "/api/dir?path=project/d", nil, nil); st != 200 {
		t.Errorf("with the token: %d, want 200", st)
	}
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxBody = 1024 })
	c := e.login()
	big := map[string]any{"content": strings.Repeat("x", 2048), "etag": nil}
	if st := c.do("PUT", "/api/file?path=project/big.cfg", big, nil); st != 413 {
		t.Errorf("oversized body: %d, want 413", st)
	}
	// Without Content-Length (chunked), the cap applies while reading.
	j, _ := json.Marshal(big)
	if st := c.do("PUT", "/api/file?path=project/big.cfg", io.MultiReader(bytes.NewReader(j)), nil); st != 413 {
		t.Errorf("oversized chunked body: %d, want 413", st)
	}
	if _, err := os.Stat(filepath.Join(e.root, "project/big.cfg")); err == nil {
		t.Error("an oversized body was written")
	}
	small := map[string]any{"content": "x", "etag": nil}
	if st := c.do("PUT", "/api/file?path=project/small.cfg", small, nil); st != 200 {
		t.Errorf("small body: %d", st)
	}
}

func TestPages(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	resp := c.request("GET", "/", nil)
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login" {
		t.Fatalf("GET / logged out: %d %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	for next, want := range map[string]string{"/": `data-next="/"`, "//evil.example/x": `data-next="/"`, "https://evil.example": `data-next="/"`, "/?a=b": `data-next="/?a=b"`} {
		resp = c.request("GET", "/login?next="+q(next), nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) || !strings.Contains(string(b), `src="/static/login.js?v=`) || !strings.Contains(string(b), `rel="icon" href="/static/favicon.svg?v=`) {
			t.Errorf("GET /login?next=%s: %d, want 200 with %s", next, resp.StatusCode, want)
		}
	}
	for _, asset := range []string{"/static/login.css", "/static/login.js", "/static/favicon.svg"} {
		resp = c.request("GET", asset, nil)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", asset, resp.StatusCode)
		}
	}
	c = e.login()
	resp = c.request("GET", "/", nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), fmt.Sprintf(`data-csrf="%s"`, c.csrf)) {
		t.Errorf("GET / logged in: %d, want the page with the session's csrf", resp.StatusCode)
	}
	resp = c.request("GET", "/login", nil)
	resp.Body.Close()
	if resp.StatusCode != 303 {
		t.Errorf("GET /login logged in: %d, want 303", resp.StatusCode)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
