// Package build runs the builds of the play button one at a time: it
// records them in the builds table, writes every line to
// WORKSPACE/log/build-N.log and fans the lines out to any number of
// followers (websocket clients) with a backlog for late joiners, without
// ever letting a slow follower hold the build back.
package build

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Targets of a build.
const (
	TargetAll      = "all"
	TargetSoftware = "software"
	TargetInstance = "instance"
)

// Phases of the lines of a build.
const (
	PhaseSoftware = "software"
	PhaseInstance = "instance"
	PhasePromise  = "promise"
)

// States of a build.
const (
	Running   = "running"
	Succeeded = "succeeded"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// A Build is one row of the builds table.
type Build struct {
	ID       int64      `json:"id"`
	Target   string     `json:"target"`
	State    string     `json:"state"`
	Profile  string     `json:"profile"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished"`
	Error    string     `json:"error"`
}

// A Logger receives the lines of a build; it is safe for concurrent use.
type Logger func(phase, text string)

// progressKey is the context key of a running build's progress hook.
type progressKey struct{}

// ReportProgress tells the build running ctx's job that part, the step-th
// of steps of phase, has started; followers get a progress event. Outside
// a build it does nothing. (Like net/http/httptrace, the hook travels in
// the context, so the layers between the runner and the engine need not
// know about it.)
func ReportProgress(ctx context.Context, phase, part string, step, steps int) {
	if fn, ok := ctx.Value(progressKey{}).(func(phase, part string, step, steps int)); ok {
		fn(phase, part, step, steps)
	}
}

// A Job does the work of a build: it runs the steps of the target and
// logs every line. It must stop, and stop every process it started, when
// ctx is done. Its error, verbatim, becomes the build's error.
type Job func(ctx context.Context, b Build, log Logger) error

// ErrNotFound reports an unknown build id.
var ErrNotFound = errors.New("no such build")

// BusyError is returned by Start while another build runs.
type BusyError struct{ ID int64 }

func (e *BusyError) Error() string { return fmt.Sprintf("build %d is running", e.ID) }

// Interrupted is the error of a build that was running when the server stopped.
const Interrupted = "the Webrunner server stopped during the build"

// A Runner runs builds one at a time.
type Runner struct {
	db     *sql.DB
	logDir string
	job    Job

	// MaxLag is how many lines a follower may fall behind before it is
	// dropped; 0 means no limit.
	MaxLag int
	// WriteTimeout bounds each websocket write of ServeWS: a client that
	// does not read for that long is dropped.
	WriteTimeout time.Duration
	// OnChange, if set, is called when a build starts and when it ends.
	OnChange func(Build)

	mu     sync.Mutex
	cur    *active
	recent map[int64]*hub // hubs of the last builds, for replay with phases
	order  []int64
}

// active is the running build.
type active struct {
	build  Build
	cancel context.CancelFunc
	done   chan struct{}
	hub    *hub
	// cancelled is set by Cancel.
	cancelled bool
}

// keepHubs is how many finished builds keep their events in memory; older
// ones are replayed from their log file.
const keepHubs = 2

// New returns a runner storing builds in db and their logs in logDir. A
// build the table says is running was interrupted by the death of the
// server: it is marked failed.
func New(ctx context.Context, db *sql.DB, logDir string, job Job) (*Runner, error) {
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	_, err := db.ExecContext(ctx, `UPDATE builds SET state = 'failed', finished = ?, error = ? WHERE state = 'running'`,
		now(), Interrupted)
	if err != nil {
		return nil, fmt.Errorf("build: mark interrupted builds: %w", err)
	}
	return &Runner{db: db, logDir: logDir, job: job, MaxLag: 1 << 16, WriteTimeout: DefaultWriteTimeout, recent: map[int64]*hub{}}, nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// LogPath returns the log file of build id.
func (r *Runner) LogPath(id int64) string {
	return filepath.Join(r.logDir, "build-"+strconv.FormatInt(id, 10)+".log")
}

// Start starts a build of target for the release profile and returns it at
// once. While another build runs it returns a *BusyError.
func (r *Runner) Start(target, profile string) (Build, error) {
	switch target {
	case "":
		target = TargetAll
	case TargetAll, TargetSoftware, TargetInstance:
	default:
		return Build{}, fmt.Errorf("build: unknown target %q (want all, software or instance)", target)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		return Build{}, &BusyError{ID: r.cur.build.ID}
	}
	started := time.Now().UTC()
	res, err := r.db.Exec(`INSERT INTO builds (target, state, profile, started) VALUES (?, 'running', ?, ?)`,
		target, profile, started.Format(time.RFC3339Nano))
	if err != nil {
		return Build{}, fmt.Errorf("build: record: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Build{}, fmt.Errorf("build: record: %w", err)
	}
	b := Build{ID: id, Target: target, State: Running, Profile: profile, Started: started}
	f, err := os.OpenFile(r.LogPath(id), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		r.finish(b, Failed, err.Error())
		return Build{}, fmt.Errorf("build: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &active{build: b, cancel: cancel, done: make(chan struct{}), hub: newHub()}
	r.cur = a
	r.remember(id, a.hub)
	go r.run(ctx, a, f)
	if r.OnChange != nil {
		go r.OnChange(b)
	}
	return b, nil
}

// remember keeps the hub of a build for replay; r.mu is held.
func (r *Runner) remember(id int64, h *hub) {
	r.recent[id] = h
	r.order = append(r.order, id)
	for len(r.order) > keepHubs+1 {
		delete(r.recent, r.order[0])
		r.order = r.order[1:]
	}
}

func (r *Runner) run(ctx context.Context, a *active, f *os.File) {
	defer close(a.done)
	w := bufio.NewWriterSize(f, 32*1024)
	var mu sync.Mutex
	flushed := make(chan struct{})
	stopFlush := make(chan struct{})
	go func() { // flush now and then, so the log can be tailed during the build
		defer close(flushed)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopFlush:
				return
			case <-t.C:
				mu.Lock()
				w.Flush()
				mu.Unlock()
			}
		}
	}()
	// The phases file records where each phase starts in the log, so that
	// a replay from the file gives lines their phase.
	phases, _ := os.OpenFile(r.phasesPath(a.build.ID), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	var (
		lines     int
		lastPhase string
	)
	logger := func(phase, text string) {
		mu.Lock()
		if phase != lastPhase && phases != nil {
			fmt.Fprintf(phases, "%d %s\n", lines, phase)
			lastPhase = phase
		}
		lines++
		w.WriteString(text)
		w.WriteByte('\n')
		a.hub.add(Event{Type: "line", Phase: phase, Text: text})
		mu.Unlock()
	}
	progress := func(phase, part string, step, steps int) {
		a.hub.add(Event{Type: "progress", Phase: phase, Part: part, Step: step, Steps: steps})
	}
	err := r.safeJob(context.WithValue(ctx, progressKey{}, progress), a.build, logger)
	close(stopFlush)
	<-flushed
	state, msg := Succeeded, ""
	r.mu.Lock()
	cancelled := a.cancelled
	r.mu.Unlock()
	switch {
	case cancelled:
		state, msg = Cancelled, "build cancelled"
		if err != nil && !errors.Is(err, context.Canceled) {
			msg = err.Error()
		}
	case err != nil:
		state, msg = Failed, err.Error()
	}
	mu.Lock()
	if phases != nil {
		fmt.Fprintf(phases, "%d end\n", lines) // the outcome lines that follow are not events
		phases.Close()
	}
	if msg != "" {
		fmt.Fprintf(w, "%s: %s\n", state, msg)
	} else {
		fmt.Fprintf(w, "%s\n", state)
	}
	w.Flush()
	f.Close()
	mu.Unlock()
	b := r.finish(a.build, state, msg)
	// The runner is free before anyone hears of the end, so a client
	// that starts the next build on the end event is not refused.
	r.mu.Lock()
	r.cur = nil
	r.mu.Unlock()
	a.hub.add(Event{Type: "end", State: state, Error: msg})
	a.cancel()
	if r.OnChange != nil {
		go r.OnChange(b)
	}
}

// safeJob runs the job, turning a panic into the build's error.
func (r *Runner) safeJob(ctx context.Context, b Build, log Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return r.job(ctx, b, log)
}

func (r *Runner) finish(b Build, state, msg string) Build {
	fin := time.Now().UTC()
	b.State, b.Error, b.Finished = state, msg, &fin
	// The context of the request may be gone: the row must be written.
	if _, err := r.db.Exec(`UPDATE builds SET state = ?, finished = ?, error = ? WHERE id = ?`,
		state, fin.Format(time.RFC3339Nano), msg, b.ID); err != nil {
		// The log file has the outcome; the next start marks the row failed.
		fmt.Fprintf(os.Stderr, "webrunner: build %d: record end: %v\n", b.ID, err)
	}
	return b
}

// Running returns the running build, if any.
func (r *Runner) Running() (Build, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return Build{}, false
	}
	return r.cur.build, true
}

// Cancel stops build id and every process it started; it returns once the
// build has ended. Cancelling a finished build does nothing.
func (r *Runner) Cancel(ctx context.Context, id int64) error {
	r.mu.Lock()
	a := r.cur
	if a == nil || a.build.ID != id {
		r.mu.Unlock()
		if _, err := r.Get(ctx, id); err != nil {
			return err
		}
		return nil
	}
	a.cancelled = true
	r.mu.Unlock()
	a.cancel()
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wait waits for the running build, if any, to end.
func (r *Runner) Wait() {
	r.mu.Lock()
	a := r.cur
	r.mu.Unlock()
	if a != nil {
		<-a.done
	}
}

// Close cancels the running build and waits for it.
func (r *Runner) Close() {
	r.mu.Lock()
	a := r.cur
	if a != nil {
		a.cancelled = true
	}
	r.mu.Unlock()
	if a != nil {
		a.cancel()
		<-a.done
	}
}

const columns = `id, target, state, profile, started, finished, error`

func scan(row interface{ Scan(...any) error }) (Build, error) {
	var (
		b        Build
		started  string
		finished sql.NullString
	)
	if err := row.Scan(&b.ID, &b.Target, &b.State, &b.Profile, &started, &finished, &b.Error); err != nil {
		return Build{}, err
	}
	b.Started, _ = time.Parse(time.RFC3339Nano, started)
	if finished.Valid {
		t, err := time.Parse(time.RFC3339Nano, finished.String)
		if err == nil {
			b.Finished = &t
		}
	}
	return b, nil
}

// Get returns build id.
func (r *Runner) Get(ctx context.Context, id int64) (Build, error) {
	b, err := scan(r.db.QueryRowContext(ctx, `SELECT `+columns+` FROM builds WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Build{}, fmt.Errorf("build %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Build{}, fmt.Errorf("build %d: %w", id, err)
	}
	return b, nil
}

// List returns the last limit builds, newest first.
func (r *Runner) List(ctx context.Context, limit int) ([]Build, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := r.db.QueryContext(ctx, `SELECT `+columns+` FROM builds ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list builds: %w", err)
	}
	defer rows.Close()
	out := []Build{}
	for rows.Next() {
		b, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("list builds: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Follow calls fn with every event of build id, earlier ones first, then
// each new one as it comes, until the end event has been passed to fn. It
// returns fn's error, ctx's, or ErrTooSlow for a follower more than MaxLag
// events behind. An old build no longer kept in memory is replayed from
// its log file, with the phases recorded beside it (build-N.phases).
func (r *Runner) Follow(ctx context.Context, id int64, fn func(Event) error) error {
	r.mu.Lock()
	h := r.recent[id]
	r.mu.Unlock()
	if h != nil {
		return h.follow(ctx, r.MaxLag, fn)
	}
	b, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	f, err := os.Open(r.LogPath(id))
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("build %d: %w", id, err)
	}
	if f != nil {
		defer f.Close()
		marks := readPhases(r.phasesPath(id))
		phase := ""
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for n := 0; sc.Scan(); n++ {
			for len(marks) > 0 && marks[0].line <= n {
				phase, marks = marks[0].phase, marks[1:]
			}
			if phase == "end" {
				break
			}
			if err := fn(Event{Type: "line", Phase: phase, Text: sc.Text()}); err != nil {
				return err
			}
		}
	}
	return fn(Event{Type: "end", State: b.State, Error: b.Error})
}

func (r *Runner) phasesPath(id int64) string {
	return filepath.Join(r.logDir, "build-"+strconv.FormatInt(id, 10)+".phases")
}

// A phaseMark says that the lines of a log from line on are of phase
// ("end": the lines from there are the outcome, not events).
type phaseMark struct {
	line  int
	phase string
}

func readPhases(path string) []phaseMark {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var marks []phaseMark
	for _, l := range strings.Split(string(b), "\n") {
		n, phase, ok := strings.Cut(l, " ")
		line, err := strconv.Atoi(n)
		if ok && err == nil {
			marks = append(marks, phaseMark{line, phase})
		}
	}
	return marks
}
