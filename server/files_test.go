package server

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"webrunner/server/events"
)

type fileBody struct {
	Path    string `json:"path"`
	Content string `json:"content"`
	ETag    string `json:"etag"`
}

func TestFilesAPI(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()

	var list struct {
		Entries []struct {
			Name, Path, Type string
			Size             int64
			MTime            time.Time
		}
	}
	if st := c.do("GET", "/api/files?path=project/software/hello", nil, &list); st != 200 {
		t.Fatalf("list: %d", st)
	}
	if len(list.Entries) != 3 || list.Entries[0].Path != "project/software/hello/buildout.hash.cfg" || list.Entries[0].Type != "file" || list.Entries[0].MTime.IsZero() {
		t.Fatalf("list = %+v", list.Entries)
	}
	if st := c.do("GET", "/api/files", nil, &list); st != 200 || len(list.Entries) < 5 {
		t.Errorf("list root: %d %+v", st, list.Entries)
	}
	if st := c.do("GET", "/api/files?path=project/stack/base.cfg", nil, nil); st != 400 {
		t.Errorf("list a file: %d, want 400", st)
	}
	if st := c.do("GET", "/api/files?path=project/none", nil, nil); st != 404 {
		t.Errorf("list missing: %d, want 404", st)
	}

	var f fileBody
	if st := c.do("GET", "/api/file?path=project/stack/base.cfg", nil, &f); st != 200 || f.Content != "[buildout]\n" || f.Path != "project/stack/base.cfg" || len(f.ETag) != 64 {
		t.Fatalf("read: %d %+v", st, f)
	}
	if st := c.do("GET", "/api/file", nil, nil); st != 400 {
		t.Errorf("read without path: %d, want 400", st)
	}
	if st := c.do("GET", "/api/file?path=project/none.cfg", nil, nil); st != 404 {
		t.Errorf("read missing: %d, want 404", st)
	}
	os.WriteFile(filepath.Join(e.root, "project/bin.dat"), []byte{0x7f, 'E', 'L', 'F', 0, 1}, 0o644)
	if st := c.do("GET", "/api/file?path=project/bin.dat", nil, nil); st != 415 {
		t.Errorf("read binary: %d, want 415", st)
	}

	// Save with the etag read, then with the stale one.
	var w struct{ ETag string }
	if st := c.do("PUT", "/api/file?path=project/stack/base.cfg", map[string]any{"content": "[buildout]\nparts =\n", "etag": f.ETag}, &w); st != 200 || w.ETag == f.ETag {
		t.Fatalf("save: %d %+v", st, w)
	}
	var conflict struct {
		Error  string
		Detail struct{ ETag *string }
	}
	if st := c.do("PUT", "/api/file?path=project/stack/base.cfg", map[string]any{"content": "lost", "etag": f.ETag}, &conflict); st != 409 || conflict.Detail.ETag == nil || *conflict.Detail.ETag != w.ETag {
		t.Fatalf("stale save: %d %+v, want 409 with the current etag", st, conflict)
	}
	if st := c.do("PUT", "/api/file?path=project/stack/base.cfg", map[string]any{"content": "lost", "etag": nil}, nil); st != 409 {
		t.Errorf("create over existing: %d, want 409", st)
	}
	if b, _ := os.ReadFile(filepath.Join(e.root, "project/stack/base.cfg")); string(b) != "[buildout]\nparts =\n" {
		t.Errorf("file after conflicts = %q", b)
	}
	if st := c.do("PUT", "/api/file?path=project/stack/base.cfg", map[string]any{"etag": w.ETag}, nil); st != 400 {
		t.Errorf("save without content: %d, want 400", st)
	}
	if st := c.do("PUT", "/api/file?path=project/stack/base.cfg", map[string]any{"content": "x", "etag": w.ETag, "extra": 1}, nil); st != 400 {
		t.Errorf("save with an unknown field: %d, want 400", st)
	}
	if st := c.do("PUT", "/api/file?path=project/new/a.cfg", map[string]any{"content": "new\n", "etag": nil}, nil); st != 200 {
		t.Errorf("create: %d", st)
	}

	// mkdir, move, delete.
	if st := c.do("POST", "/api/dir?path=project/d/e", nil, nil); st != 200 {
		t.Errorf("mkdir: %d", st)
	}
	if st := c.do("POST", "/api/file/move", map[string]string{"from": "project/new/a.cfg", "to": "project/d/e/b.cfg"}, nil); st != 200 {
		t.Errorf("move: %d", st)
	}
	if st := c.do("POST", "/api/file/move", map[string]string{"from": "project/d/e/b.cfg", "to": "project/stack/base.cfg"}, nil); st != 409 {
		t.Errorf("move onto existing: %d, want 409", st)
	}
	if st := c.do("POST", "/api/file/move", map[string]string{"from": "project/none", "to": "project/x"}, nil); st != 404 {
		t.Errorf("move missing: %d, want 404", st)
	}
	if b, err := os.ReadFile(filepath.Join(e.root, "project/d/e/b.cfg")); err != nil || string(b) != "new\n" {
		t.Errorf("moved file = %q, %v", b, err)
	}
	if st := c.do("DELETE", "/api/file?path=project/d", nil, nil); st != 200 {
		t.Errorf("delete: %d", st)
	}
	if st := c.do("DELETE", "/api/file?path=project/d", nil, nil); st != 404 {
		t.Errorf("delete missing: %d, want 404", st)
	}

	// The database is not changeable through the files API.
	for _, p := range []string{"webrunner.db", "webrunner.db-wal"} {
		if st := c.do("PUT", "/api/file?path="+p, map[string]any{"content": "x", "etag": nil}, nil); st != 400 {
			t.Errorf("overwrite %s: %d, want 400", p, st)
		}
		if st := c.do("DELETE", "/api/file?path="+p, nil, nil); st != 400 {
			t.Errorf("delete %s: %d, want 400", p, st)
		}
	}

	// Download: raw bytes, attachment.
	resp := c.request("GET", "/api/download?path=project/bin.dat", nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "\x7fELF\x00\x01" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q %q", resp.StatusCode, b, resp.Header.Get("Content-Disposition"))
	}
	if st := c.do("GET", "/api/download?path=project", nil, nil); st != 400 {
		t.Errorf("download a folder: %d, want 400", st)
	}
}

// TestPathEscapes checks that every route taking a path answers 400 to
// every escaping variant, and touches nothing outside.
func TestPathEscapes(t *testing.T) {
	e := newEnv(t, nil)
	p := filepath.Join(e.root, "project")
	os.Symlink(e.outside, filepath.Join(p, "outdir"))
	os.Symlink(filepath.Join(e.outside, "secret"), filepath.Join(p, "outfile"))
	os.Symlink("../../outside/missing", filepath.Join(p, "dangling"))
	os.Symlink("../..", filepath.Join(p, "up"))
	os.Symlink("outdir", filepath.Join(p, "chain"))
	c := e.login()
	variants := []string{
		"/etc/passwd",
		"/",
		"..",
		"../outside/secret",
		"project/../../outside/secret",
		"project/stack/../../../outside",
		"project/outdir/secret",
		"project/outdir",
		"project/outfile",
		"project/dangling",
		"project/up/outside/secret",
		"project/chain/secret",
		"project/outdir/new.cfg",
	}
	for _, v := range variants {
		reqs := []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/files?path=" + q(v), nil},
			{"GET", "/api/file?path=" + q(v), nil},
			{"PUT", "/api/file?path=" + q(v), map[string]any{"content": "pwned", "etag": nil}},
			{"PUT", "/api/file?path=" + q(v), map[string]any{"content": "pwned", "etag": "7f"}},
			{"DELETE", "/api/file?path=" + q(v), nil},
			{"POST", "/api/dir?path=" + q(v), nil},
			{"POST", "/api/file/move", map[string]string{"from": v, "to": "project/moved"}},
			{"POST", "/api/file/move", map[string]string{"from": "project/stack/base.cfg", "to": v}},
			{"GET", "/api/download?path=" + q(v), nil},
			{"GET", "/api/md5?path=" + q(v), nil},
			{"POST", "/api/md5", map[string]string{"path": v}},
			{"PUT", "/api/release", map[string]string{"profile": v}},
		}
		for _, r := range reqs {
			if st := c.do(r.method, r.path, r.body, nil); st != 400 {
				t.Errorf("%s %s (%v): %d, want 400", r.method, r.path, r.body, st)
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(e.outside, "secret")); err != nil || string(b) != "secret\n" {
		t.Errorf("outside/secret = %q, %v", b, err)
	}
	if des, _ := os.ReadDir(e.outside); len(des) != 1 {
		t.Errorf("outside has %d entries, want 1", len(des))
	}
	if _, err := os.Stat(filepath.Join(e.root, "project/stack/base.cfg")); err != nil {
		t.Errorf("project/stack/base.cfg was moved: %v", err)
	}
}

// TestConcurrentSaves sends two saves with the same etag at once, many
// times: each time exactly one gets 200 and the other 409, and the file
// holds the winner's bytes.
func TestConcurrentSaves(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	for round := range 20 {
		var f fileBody
		c.do("GET", "/api/file?path=project/stack/base.cfg", nil, &f)
		contents := []string{
			strings.Repeat("a", 1000+round) + "\n",
			strings.Repeat("b", 2000+round) + "\n",
		}
		status := make([]int, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status[i] = c.do("PUT", "/api/file?path=project/stack/base.cfg", map[string]any{"content": contents[i], "etag": f.ETag}, nil)
			}()
		}
		wg.Wait()
		var winner int
		switch {
		case status[0] == 200 && status[1] == 409:
			winner = 0
		case status[0] == 409 && status[1] == 200:
			winner = 1
		default:
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, status)
		}
		b, _ := os.ReadFile(filepath.Join(e.root, "project/stack/base.cfg"))
		if string(b) != contents[winner] {
			t.Fatalf("round %d: file has %d bytes, want the winner's %d", round, len(b), len(contents[winner]))
		}
	}
}

func TestRelease(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	var rel struct{ Profile string }
	if st := c.do("GET", "/api/release", nil, &rel); st != 200 || rel.Profile != "project/software/hello/software.cfg" {
		t.Fatalf("release: %d %+v", st, rel)
	}
	os.MkdirAll(filepath.Join(e.root, "project/software/other"), 0o755)
	os.WriteFile(filepath.Join(e.root, "project/software/other/software.cfg"), []byte("[buildout]\n"), 0o644)
	if st := c.do("PUT", "/api/release", map[string]string{"profile": "project/software/other/software.cfg"}, nil); st != 200 {
		t.Fatalf("switch: %d", st)
	}
	c.do("GET", "/api/release", nil, &rel)
	if rel.Profile != "project/software/other/software.cfg" {
		t.Errorf("after switch: %+v", rel)
	}
	for _, bad := range []string{"project/software/none/software.cfg", "project/software/other", "project/software/hello/instance.cfg.in", ""} {
		if st := c.do("PUT", "/api/release", map[string]string{"profile": bad}, nil); st != 400 {
			t.Errorf("PUT release %q: %d, want 400", bad, st)
		}
	}
}

func TestMD5(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	var sum struct{ Path, MD5 string }
	if st := c.do("GET", "/api/md5?path=project/software/hello/instance.cfg.in", nil, &sum); st != 200 || sum.MD5 != "79037dfc37b074be90edba9fbf9f3cea" {
		t.Fatalf("md5: %d %+v", st, sum)
	}
	// POST with no body updates the hash file of the current release.
	var up struct {
		Updated []struct{ Section, Filename, Old, New string }
	}
	if st := c.do("POST", "/api/md5", nil, &up); st != 200 || len(up.Updated) != 1 || up.Updated[0].New != sum.MD5 || up.Updated[0].Old != "0" {
		t.Fatalf("update: %d %+v", st, up)
	}
	b, _ := os.ReadFile(filepath.Join(e.root, "project/software/hello/buildout.hash.cfg"))
	if string(b) != "[template]\nfilename = instance.cfg.in\nmd5sum = "+sum.MD5+"\n" {
		t.Errorf("hash file = %q", b)
	}
	os.WriteFile(filepath.Join(e.root, "project/bad.hash.cfg"), []byte("orphan = 1\n"), 0o644)
	var fail struct{ Error string }
	if st := c.do("POST", "/api/md5", map[string]string{"path": "project/bad.hash.cfg"}, &fail); st != 400 || !strings.HasPrefix(fail.Error, "project/bad.hash.cfg:1:") {
		t.Errorf("malformed hash file: %d %q", st, fail.Error)
	}
}

func TestSetupAgain(t *testing.T) {
	e := newEnv(t, nil)
	os.WriteFile(filepath.Join(e.root, "project/stack/base.cfg"), []byte("edited\n"), 0o644)
	ws, db, err := Setup(context.Background(), e.root, testSample, "software/hello/software.cfg", e.srv.log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if b, _ := os.ReadFile(ws.Abs("project/stack/base.cfg")); string(b) != "edited\n" {
		t.Error("a second start overwrote the project")
	}
	var state, stype string
	if err := db.QueryRow("SELECT state, software_type FROM partitions WHERE name = 'slappart0'").Scan(&state, &stype); err != nil || state != "started" {
		t.Errorf("slappart0: %q %q %v", state, stype, err)
	}
	var n int
	db.QueryRow("SELECT count(*) FROM partitions").Scan(&n)
	if n != 1 {
		t.Errorf("%d partitions, want 1", n)
	}
}

// dial opens /api/events as the client, with the given Origin header.
func (c *client) dial(path, origin string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(c.e.ts.URL, "http") + path
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	for _, ck := range c.hc.Jar.Cookies(mustURL(c.e.ts.URL)) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	return websocket.DefaultDialer.Dial(u, h)
}

func TestEventsWebsocket(t *testing.T) {
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.srv.WatchProject(ctx); err != nil {
		t.Fatal(err)
	}
	c := e.login()

	for _, origin := range []string{"http://evil.example", "null", "http://127.0.0.1:1"} {
		_, resp, err := c.dial("/api/events", origin)
		if err == nil || resp == nil || resp.StatusCode != 403 {
			t.Errorf("Origin %s: err=%v resp=%v, want 403", origin, err, resp)
		}
	}
	_, resp, err := e.client().dial("/api/events", e.ts.URL)
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Errorf("without session: err=%v, want 401", err)
	}

	conn, _, err := c.dial("/api/events", e.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	waitSubscribed(t, e.srv.Events())
	// A save through the API shows up as a file event; a published build
	// event too.
	var f fileBody
	c.do("GET", "/api/file?path=project/stack/base.cfg", nil, &f)
	c.do("PUT", "/api/file?path=project/stack/base.cfg", map[string]any{"content": "saved\n", "etag": f.ETag}, nil)
	e.srv.Events().Publish(events.Build(7, "running"))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var sawFile, sawBuild bool
	for !sawFile || !sawBuild {
		var ev map[string]any
		if err := conn.ReadJSON(&ev); err != nil {
			t.Fatalf("read event: %v (file %v, build %v)", err, sawFile, sawBuild)
		}
		switch {
		case ev["type"] == "file" && ev["path"] == "project/stack/base.cfg" && ev["op"] == "write":
			sawFile = true
		case ev["type"] == "build" && ev["id"] == 7.0 && ev["state"] == "running":
			sawBuild = true
		case ev["type"] == "file" && strings.HasSuffix(ev["path"].(string), ".tmp"):
			t.Errorf("temporary file published: %v", ev)
		}
	}
}

func waitSubscribed(t *testing.T, h *events.Hub) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); h.Subscribers() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the websocket never subscribed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
