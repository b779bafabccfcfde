package build

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"webrunner/buildout/proc"
	"webrunner/migrations"
	"webrunner/server/store"
)

func openDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "webrunner.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(context.Background(), db, migrations.FS); err != nil {
		t.Fatal(err)
	}
	return db, dir
}

// lines is a job that logs n lines and fails when fail is set.
func lines(n int, fail error) Job {
	return func(ctx context.Context, b Build, log Logger) error {
		for i := 0; i < n; i++ {
			log(PhaseSoftware, "line "+strconv.Itoa(i))
		}
		return fail
	}
}

func TestRunRecordsAndLogs(t *testing.T) {
	db, dir := openDB(t)
	r, err := New(context.Background(), db, filepath.Join(dir, "log"), lines(3, nil))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Start("", "project/software.cfg")
	if err != nil || b.Target != TargetAll || b.State != Running {
		t.Fatalf("start: %+v %v", b, err)
	}
	r.Wait()
	got, err := r.Get(context.Background(), b.ID)
	if err != nil || got.State != Succeeded || got.Finished == nil || got.Error != "" || got.Profile != "project/software.cfg" {
		t.Fatalf("get: %+v %v", got, err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log", "build-"+strconv.FormatInt(b.ID, 10)+".log"))
	if string(log) != "line 0\nline 1\nline 2\nsucceeded\n" {
		t.Errorf("log file = %q", log)
	}

	r.job = lines(1, errors.New(`Error: MD5 checksum mismatch for local resource at '/x'.`))
	b2, _ := r.Start(TargetSoftware, "p")
	r.Wait()
	got, _ = r.Get(context.Background(), b2.ID)
	if got.State != Failed || got.Error != `Error: MD5 checksum mismatch for local resource at '/x'.` {
		t.Errorf("failed build: %+v", got)
	}
	list, err := r.List(context.Background(), 10)
	if err != nil || len(list) != 2 || list[0].ID != b2.ID {
		t.Errorf("list: %+v %v", list, err)
	}
	if _, err := r.Start("everything", ""); err == nil {
		t.Error("unknown target accepted")
	}
}

func TestBusyAndCancelKillsProcesses(t *testing.T) {
	db, dir := openDB(t)
	pidFile := filepath.Join(dir, "pid")
	started := make(chan struct{})
	job := func(ctx context.Context, b Build, log Logger) error {
		close(started)
		// A long command, with a background child, like a plone.recipe.command part.
		cmd := proc.Command(ctx, 200*time.Millisecond, "sh", "-c", "sleep 60 & echo $! > "+pidFile+"; echo running; wait")
		return proc.Run(cmd, func(l string) { log(PhaseSoftware, l) })
	}
	r, _ := New(context.Background(), db, filepath.Join(dir, "log"), job)
	b, _ := r.Start(TargetAll, "")
	<-started
	var busy *BusyError
	if _, err := r.Start(TargetAll, ""); !errors.As(err, &busy) || busy.ID != b.ID {
		t.Fatalf("second start: %v", err)
	}
	var pid int
	for i := 0; i < 500 && pid == 0; i++ {
		time.Sleep(10 * time.Millisecond)
		data, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	if err := r.Cancel(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := r.Get(context.Background(), b.ID)
	if got.State != Cancelled {
		t.Errorf("state = %s", got.State)
	}
	if pid == 0 {
		t.Fatal("child never started")
	}
	time.Sleep(50 * time.Millisecond)
	if data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && !strings.Contains(string(data), ") Z") {
		t.Errorf("child %d of the cancelled build still runs", pid)
	}
}

func TestInterruptedBuildMarkedFailed(t *testing.T) {
	db, dir := openDB(t)
	db.Exec(`INSERT INTO builds (target, state, started) VALUES ('all', 'running', '2024-01-01T00:00:00Z')`)
	r, err := New(context.Background(), db, filepath.Join(dir, "log"), lines(0, nil))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Get(context.Background(), 1)
	if err != nil || b.State != Failed || b.Error != Interrupted || b.Finished == nil {
		t.Fatalf("%+v %v", b, err)
	}
	// A finished build no longer in memory is replayed from its log file.
	os.WriteFile(r.LogPath(1), []byte("old line\n"), 0o644)
	var evs []string
	r.Follow(context.Background(), 1, func(e Event) error {
		j, _ := json.Marshal(e)
		evs = append(evs, string(j))
		return nil
	})
	want := `{"type":"line","phase":"","text":"old line"}|{"type":"end","state":"failed","error":"` + Interrupted + `"}`
	if strings.Join(evs, "|") != want {
		t.Errorf("replay = %s", evs)
	}
}

// TestWebsocketFanOut: 100 clients follow one build, one of them never
// reads; the build runs to its end regardless and every reading client
// gets every line in order, late joiners included.
func TestWebsocketFanOut(t *testing.T) {
	const (
		clients = 100
		n       = 3000
	)
	db, dir := openDB(t)
	gate := make(chan struct{})
	job := func(ctx context.Context, b Build, log Logger) error {
		log(PhaseSoftware, "first")
		<-gate
		for i := 0; i < n; i++ {
			phase := PhaseSoftware
			if i >= n/2 {
				phase = PhaseInstance
			}
			log(phase, fmt.Sprintf("line %d %s", i, strings.Repeat("x", 80)))
		}
		return nil
	}
	r, _ := New(context.Background(), db, filepath.Join(dir, "log"), job)
	// Reading clients must never be dropped, however loaded the machine:
	// only the one that never reads may hit the timeout.
	r.WriteTimeout = time.Minute
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		conn, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		id, _ := strconv.ParseInt(req.URL.Query().Get("id"), 10, 64)
		r.ServeWS(req.Context(), conn, id)
	}))
	defer srv.Close()
	b, _ := r.Start(TargetAll, "")
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/?id=" + strconv.FormatInt(b.ID, 10)

	// The client that never reads connects first, with tiny buffers.
	d := websocket.Dialer{ReadBufferSize: 1024}
	stuck, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()

	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for c := 1; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- follow(url, n)
		}()
		if c == clients/2 {
			close(gate) // half the clients join while the build runs
		}
	}
	r.Wait() // the build ends without waiting for anyone
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A client joining after the end gets the whole build.
	if err := follow(url, n); err != nil {
		t.Fatal(err)
	}
}

// follow reads a build's stream and checks it holds "first", the n lines
// in order and a succeeded end.
func follow(url string, n int) error {
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return err
	}
	defer conn.Close()
	next := -1
	for {
		var e struct{ Type, Phase, Text, State, Error string }
		if err := conn.ReadJSON(&e); err != nil {
			return fmt.Errorf("after line %d: %v", next, err)
		}
		switch {
		case e.Type == "end":
			if next != n || e.State != Succeeded {
				return fmt.Errorf("end after %d lines, state %s", next, e.State)
			}
			return nil
		case next == -1:
			if e.Text != "first" {
				return fmt.Errorf("first line %q", e.Text)
			}
		default:
			want := fmt.Sprintf("line %d ", next)
			if !strings.HasPrefix(e.Text, want) {
				return fmt.Errorf("got %q, want %q…", e.Text, want)
			}
			if (next >= n/2) != (e.Phase == PhaseInstance) {
				return fmt.Errorf("line %d has phase %s", next, e.Phase)
			}
		}
		next++
	}
}

// TestSlowFollowerDropped: a follower stuck in a write while more than
// MaxLag lines arrive is dropped once its write returns.
func TestSlowFollowerDropped(t *testing.T) {
	h := newHub()
	h.add(Event{Type: "line", Text: "backlog"})
	release, blocked := make(chan struct{}), make(chan struct{}, 1)
	got := make(chan error)
	go func() {
		got <- h.follow(context.Background(), 10, func(e Event) error {
			blocked <- struct{}{}
			<-release
			return nil
		})
	}()
	<-blocked
	for i := 0; i < 50; i++ {
		h.add(Event{Type: "line", Text: strconv.Itoa(i)}) // never waits for the follower
	}
	h.add(Event{Type: "end", State: Succeeded})
	close(release)
	go func() {
		for range blocked {
		}
	}()
	if err := <-got; !errors.Is(err, ErrTooSlow) {
		t.Fatalf("follow = %v, want ErrTooSlow", err)
	}
	// A follower joining now replays the whole backlog, however long.
	var n int
	if err := h.follow(context.Background(), 10, func(Event) error { n++; return nil }); err != nil || n != 52 {
		t.Fatalf("late follower: %d events, %v", n, err)
	}
}

// BenchmarkFanOut measures logging a line while 100 followers read them
// all: the cost a build pays per line with a full room of clients.
func BenchmarkFanOut(b *testing.B) {
	h := newHub()
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.follow(context.Background(), 0, func(Event) error { return nil })
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.add(Event{Type: "line", Phase: PhaseSoftware, Text: "Installing part."})
	}
	b.StopTimer()
	h.add(Event{Type: "end", State: Succeeded})
	wg.Wait()
}

// TestReplayFromFile: a build no longer in memory (a server restart) is
// replayed from its log file with its phases, without the outcome lines.
func TestReplayFromFile(t *testing.T) {
	db, dir := openDB(t)
	job := func(ctx context.Context, b Build, log Logger) error {
		log(PhaseSoftware, "s1")
		log(PhaseSoftware, "s2")
		log(PhaseInstance, "i1")
		log(PhasePromise, "p1")
		return errors.New("Promise 'x' failed")
	}
	r, _ := New(context.Background(), db, filepath.Join(dir, "log"), job)
	b, _ := r.Start(TargetAll, "")
	r.Wait()
	r2, _ := New(context.Background(), db, filepath.Join(dir, "log"), job)
	var got []string
	r2.Follow(context.Background(), b.ID, func(e Event) error {
		j, _ := json.Marshal(e)
		got = append(got, string(j))
		return nil
	})
	want := []string{
		`{"type":"line","phase":"software","text":"s1"}`,
		`{"type":"line","phase":"software","text":"s2"}`,
		`{"type":"line","phase":"instance","text":"i1"}`,
		`{"type":"line","phase":"promise","text":"p1"}`,
		`{"type":"end","state":"failed","error":"Promise 'x' failed"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("replay:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestProgressEvents(t *testing.T) {
	db, dir := openDB(t)
	job := func(ctx context.Context, b Build, log Logger) error {
		ReportProgress(ctx, PhaseSoftware, "a", 1, 2)
		log(PhaseSoftware, "Installing a.")
		ReportProgress(ctx, PhaseSoftware, "b", 2, 2)
		return nil
	}
	r, err := New(context.Background(), db, filepath.Join(dir, "log"), job)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.Start(TargetAll, "")
	r.Wait()
	var got []string
	err = r.Follow(context.Background(), b.ID, func(e Event) error {
		j, err := json.Marshal(e)
		got = append(got, string(j))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"type":"progress","phase":"software","part":"a","step":1,"steps":2}`,
		`{"type":"line","phase":"software","text":"Installing a."}`,
		`{"type":"progress","phase":"software","part":"b","step":2,"steps":2}`,
		`{"type":"end","state":"succeeded","error":""}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Outside a build, reporting does nothing.
	ReportProgress(context.Background(), PhaseSoftware, "x", 1, 1)
}
