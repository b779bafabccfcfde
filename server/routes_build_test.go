package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"webrunner/recipes/slap"
	"webrunner/server/master"
	"webrunner/server/node"
)

// fakeEngine stands for buildout and the recipes: a software run renders
// instance.cfg; an instance run writes a service wrapper and publishes the
// parameter "name". A software run waits for gate when it is not nil.
func fakeEngine(gate chan struct{}) node.Engine {
	return node.EngineFunc(func(ctx context.Context, r node.Run) error {
		if _, err := os.Stat(filepath.Join(r.Dir, "software_release")); err != nil {
			r.Log("Installing instance-profile.")
			if gate != nil {
				select {
				case <-gate:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return os.WriteFile(filepath.Join(r.Dir, "instance.cfg"), []byte("[buildout]\nparts =\n"), 0o644)
		}
		m, ok := slap.FromContext(ctx)
		if !ok {
			return errors.New("no master")
		}
		p, err := m.Partition(ctx, master.ComputerID, Partition)
		if err != nil {
			return err
		}
		name, _ := slap.Lookup(p.Parameters, "name")
		if name == "fail" {
			return errors.New("While:\n  Installing publish.\nError: broken on purpose")
		}
		os.MkdirAll(filepath.Join(r.Dir, "etc", "service"), 0o755)
		os.WriteFile(filepath.Join(r.Dir, "etc", "service", "web"), []byte("#!/bin/sh\nexec sleep 600\n"), 0o755)
		r.Log("Installing publish.")
		return m.Publish(ctx, master.ComputerID, Partition, "", []slap.Param{{Name: "hello", Value: fmt.Sprint("Hello ", name)}})
	})
}

func (c *client) dialWS(path string) *websocket.Conn {
	c.e.t.Helper()
	u := "ws" + strings.TrimPrefix(c.e.ts.URL, "http") + path
	h := http.Header{}
	for _, ck := range c.hc.Jar.Cookies(mustURL(c.e.ts.URL)) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	conn, resp, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		c.e.t.Fatalf("dial %s: %v (status %d)", path, err, status)
	}
	return conn
}

// readAll reads JSON messages until the connection ends or an "end" one.
func readAll(t *testing.T, conn *websocket.Conn) []map[string]any {
	t.Helper()
	defer conn.Close()
	var out []map[string]any
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m map[string]any
		if err := conn.ReadJSON(&m); err != nil {
			return out
		}
		out = append(out, m)
		if m["type"] == "end" {
			return out
		}
	}
}

func (c *client) waitBuild(id int) map[string]any {
	c.e.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var b map[string]any
		c.do("GET", fmt.Sprintf("/api/build/%d", id), nil, &b)
		if b["state"] != "running" {
			return b
		}
	}
	c.e.t.Fatalf("build %d did not end", id)
	return nil
}

type instanceBody struct {
	State      string
	Parameters map[string]any
	Connection map[string]any
	Processes  []struct {
		Name, Kind, State string
		PID               *int
	}
}

func TestBuildAndInstanceAPI(t *testing.T) {
	gate := make(chan struct{})
	e := newEnv(t, func(c *Config) { c.Engine = fakeEngine(gate) })
	t.Cleanup(func() { e.srv.Close(context.Background()) })
	c := e.login()

	var started struct{ ID int }
	if st := c.do("POST", "/api/build", map[string]string{"target": "everything"}, nil); st != 400 {
		t.Errorf("bad target: status %d", st)
	}
	if st := c.do("POST", "/api/build", nil, &started); st != 202 || started.ID != 1 {
		t.Fatalf("start: status %d, %+v", st, started)
	}
	var busy struct {
		Detail struct{ ID int }
	}
	if st := c.do("POST", "/api/build", map[string]string{"target": "software"}, &busy); st != 409 || busy.Detail.ID != 1 {
		t.Errorf("second start: status %d, %+v", st, busy)
	}
	ws := c.dialWS("/api/build/1/ws")
	close(gate)
	msgs := readAll(t, ws)
	if len(msgs) < 3 || msgs[0]["phase"] != "software" || msgs[len(msgs)-1]["type"] != "end" || msgs[len(msgs)-1]["state"] != "succeeded" {
		t.Fatalf("build stream: %v", msgs)
	}
	var sawPublish bool
	for _, m := range msgs {
		if m["phase"] == "instance" && m["text"] == "Installing publish." {
			sawPublish = true
		}
	}
	if !sawPublish {
		t.Errorf("no instance line in %v", msgs)
	}
	b := c.waitBuild(1)
	if b["state"] != "succeeded" || b["target"] != "all" || b["error"] != "" || b["finished"] == nil {
		t.Errorf("build 1 = %v", b)
	}

	var in instanceBody
	c.do("GET", "/api/instance", nil, &in)
	if in.State != "started" || in.Connection["hello"] != "Hello <nil>" {
		t.Errorf("instance = %+v", in)
	}
	if len(in.Processes) != 1 || in.Processes[0].Name != "web" || in.Processes[0].Kind != "service" {
		t.Errorf("processes = %+v", in.Processes)
	}

	// Parameters are applied by the next instance build.
	if st := c.do("PUT", "/api/instance/parameters", map[string]any{"parameters": map[string]any{"name": "world"}}, &in); st != 200 || in.Parameters["name"] != "world" {
		t.Fatalf("put parameters: %d %+v", st, in)
	}
	c.do("POST", "/api/build", map[string]string{"target": "instance"}, &started)
	if b := c.waitBuild(started.ID); b["state"] != "succeeded" {
		t.Fatalf("instance build = %v", b)
	}
	in = instanceBody{}
	c.do("GET", "/api/instance", nil, &in)
	if in.Connection["hello"] != "Hello world" {
		t.Errorf("connection after rebuild = %v", in.Connection)
	}

	// A failing build reports the engine's error verbatim.
	c.do("PUT", "/api/instance/parameters", map[string]any{"parameters": map[string]any{"name": "fail"}}, nil)
	c.do("POST", "/api/build", map[string]string{"target": "instance"}, &started)
	if b := c.waitBuild(started.ID); b["state"] != "failed" || b["error"] != "While:\n  Installing publish.\nError: broken on purpose" {
		t.Errorf("failed build = %v", b)
	}
	var list struct{ Builds []map[string]any }
	if c.do("GET", "/api/builds?limit=2", nil, &list); len(list.Builds) != 2 || list.Builds[0]["id"] != float64(started.ID) {
		t.Errorf("builds = %v", list)
	}
	if st := c.do("GET", "/api/build/99", nil, nil); st != 404 {
		t.Errorf("unknown build: %d", st)
	}

	// Logs: the build logs are listed and tailed.
	var logs struct{ Files []struct{ Path string } }
	c.do("GET", "/api/logs", nil, &logs)
	var paths []string
	for _, f := range logs.Files {
		paths = append(paths, f.Path)
	}
	if !strings.Contains(strings.Join(paths, " "), "log/build-1.log") || !strings.Contains(strings.Join(paths, " "), "instance/slappart0/.slappart0_web.log") {
		t.Errorf("logs = %v", paths)
	}
	tail := c.dialWS(fmt.Sprintf("/api/logs/ws?path=log/build-%d.log&lines=1", started.ID))
	var line map[string]string
	tail.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := tail.ReadJSON(&line); err != nil || line["type"] != "line" || !strings.HasPrefix(line["text"], "failed: While:") {
		// The last line of a build log is its outcome; the error's first line ends it.
		if line["text"] != "Error: broken on purpose" {
			t.Errorf("tail: %v %v", line, err)
		}
	}
	tail.Close()

	// Destroy: no process left, connection cleared.
	if st := c.do("POST", "/api/instance/state", map[string]string{"state": "paused"}, nil); st != 400 {
		t.Errorf("bad state: %d", st)
	}
	in = instanceBody{}
	if st := c.do("POST", "/api/instance/state", map[string]string{"state": "destroyed"}, &in); st != 200 {
		t.Fatalf("destroy: %d", st)
	}
	if in.State != "destroyed" || len(in.Processes) != 0 || len(in.Connection) != 0 {
		t.Errorf("after destroy: %+v", in)
	}
	var proms struct{ Promises []any }
	if st := c.do("POST", "/api/instance/promises", nil, &proms); st != 200 || proms.Promises == nil {
		t.Errorf("promises: %d %+v", st, proms)
	}
}
