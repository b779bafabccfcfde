package promise

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"webrunner/recipes/jinja2/pyval"
)

// DefaultTimeout is the time a promise may run before it is killed.
const DefaultTimeout = 20 * time.Second

// DefaultGracePeriod is how long RunWithGrace re-runs failing promises
// before it reports the failure.
const DefaultGracePeriod = 10 * time.Second

// DefaultRetryInterval is the pause between two runs of RunWithGrace.
const DefaultRetryInterval = 500 * time.Millisecond

// killGrace is the time a promise's process group gets between SIGTERM
// and SIGKILL once its timeout has expired.
const killGrace = time.Second

// slapgridVersion is the "slapgrid-version" promises see in their config.
const slapgridVersion = "1.16.0"

// Status is the state of a promise as shown to users.
type Status string

// Promise statuses.
const (
	StatusOK      Status = "OK"
	StatusFailed  Status = "FAILED"
	StatusUnknown Status = "UNKNOWN" // never run, disabled in this mode, or could not run (no Python)
)

// Result is the outcome of one promise.
type Result struct {
	Name    string    `json:"name"`    // file name, e.g. "check_some_url.py"
	Status  Status    `json:"status"`  // OK, FAILED or UNKNOWN
	Message string    `json:"message"` // the latest run's log messages
	Checked time.Time `json:"checked"` // date of the result; zero if never checked

	Title         string        `json:"title"`          // Name without extension
	Path          string        `json:"path"`           // full path of the promise file
	Legacy        bool          `json:"legacy"`         // an executable of etc/promise
	Anomaly       bool          `json:"anomaly"`        // an "Anomaly Result" rather than a "Test Result"
	Skipped       bool          `json:"skipped"`        // not run now: periodicity, or disabled in this mode
	ExecutionTime time.Duration `json:"execution_time"` // as measured by the launcher, in 50 ms steps
}

// MarshalJSON encodes r with a null "checked" when it was never checked
// and the execution time in seconds.
func (r Result) MarshalJSON() ([]byte, error) {
	var checked *time.Time
	if !r.Checked.IsZero() {
		checked = &r.Checked
	}
	return json.Marshal(struct {
		Name          string     `json:"name"`
		Status        Status     `json:"status"`
		Message       string     `json:"message"`
		Checked       *time.Time `json:"checked"`
		Title         string     `json:"title"`
		Path          string     `json:"path"`
		Legacy        bool       `json:"legacy"`
		Anomaly       bool       `json:"anomaly"`
		Skipped       bool       `json:"skipped"`
		ExecutionTime float64    `json:"execution_time"`
	}{r.Name, r.Status, r.Message, checked, r.Title, r.Path, r.Legacy, r.Anomaly, r.Skipped, r.ExecutionTime.Seconds()})
}

// Error reports the first failed promise of a run, as slapgrid does.
type Error struct {
	Name    string // promise file name
	Message string // its result message
}

// Error returns "Promise 'name' failed with output: message".
func (e *Error) Error() string {
	return fmt.Sprintf("Promise %s failed with output: %s", pyval.QuoteString(e.Name), e.Message)
}

// RunOptions selects what a run does.
type RunOptions struct {
	// Force runs promises even if their periodicity says it is too early.
	Force bool
	// CheckAnomaly runs the promises' anomaly checks instead of their
	// tests (slapgrid's mode for partitions that are up to date).
	CheckAnomaly bool
	// Only restricts the run to these promises (file name or title).
	// Legacy promises run only when named here, unlike an unrestricted run.
	Only []string
}

// Launcher runs the promises of one partition, like slapgrid's
// PromiseLauncher. Its zero value is not usable: set PartitionDir. A
// Launcher serialises its runs and must not be copied after first use.
type Launcher struct {
	// PartitionDir is the partition, holding etc/plugin, etc/promise and
	// .slapgrid/promise.
	PartitionDir string
	// Timeout bounds each promise; zero means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock; nil means time.Now. Log lines use its location.
	Now func() time.Time
	// Python is the interpreter for promises that have no native
	// implementation; "" means python3 from PATH.
	Python string
	// Logger receives the launcher's own messages; nil discards them.
	Logger *slog.Logger
	// Bang, if set, is called when a promise's anomaly check fails in
	// CheckAnomaly mode (at most once per run).
	Bang func(ctx context.Context, title, message string) error
	// Slap holds the master-url, partition-id, computer-id,
	// partition-cert and partition-key promises see in their config.
	Slap map[string]string
	// GracePeriod is how long RunWithGrace re-runs failing promises: zero
	// means DefaultGracePeriod, a negative value disables retries.
	GracePeriod time.Duration
	// RetryInterval is the pause between retries; zero means
	// DefaultRetryInterval.
	RetryInterval time.Duration

	mu sync.Mutex
}

func (l *Launcher) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Launcher) timeout() time.Duration {
	if l.Timeout > 0 {
		return l.Timeout
	}
	return DefaultTimeout
}

func (l *Launcher) logger() *slog.Logger {
	if l.Logger != nil {
		return l.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// timeoutValue is the promise-timeout as the Python launcher holds it: an
// int when whole, else a float.
func (l *Launcher) timeoutValue() any {
	s := l.timeout().Seconds()
	if s == math.Trunc(s) {
		return int64(s)
	}
	return s
}

// entry is one promise file found in the partition.
type entry struct {
	name, title, path string
	legacy            bool
}

// discover lists the plugin promises (directory order), then the legacy
// ones, applying the launcher's housekeeping on etc/plugin when tidy is
// set: stale .pyc removal, __init__.py creation.
func (l *Launcher) discover(tidy bool) (plugins, legacy []entry, err error) {
	log := l.logger()
	pdir := filepath.Join(l.PartitionDir, pluginFolder)
	names, err := readDirNames(pdir)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range names {
		if tidy && (strings.HasSuffix(n, ".pyc") || strings.HasSuffix(n, ".pyo")) {
			if _, err := os.Stat(filepath.Join(pdir, n[:len(n)-1])); os.IsNotExist(err) {
				if err := os.Remove(filepath.Join(pdir, n)); err != nil {
					log.Warn(fmt.Sprintf("Failed to remove %s because of %v", pyval.QuoteString(filepath.Join(pdir, n)), err))
				}
			}
		}
		if strings.HasPrefix(n, "__init__") || !strings.HasSuffix(n, ".py") {
			continue
		}
		plugins = append(plugins, entry{name: n, title: strings.TrimSuffix(n, ".py"), path: filepath.Join(pdir, n)})
	}
	if tidy && len(plugins) > 0 {
		initFile := filepath.Join(pdir, "__init__.py")
		if _, err := os.Stat(initFile); os.IsNotExist(err) {
			if err := os.WriteFile(initFile, nil, 0o644); err == nil {
				os.Chmod(initFile, 0o644)
			}
		}
	}
	ldir := filepath.Join(l.PartitionDir, legacyFolder)
	names, err = readDirNames(ldir)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range names {
		p := filepath.Join(ldir, n)
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			if tidy {
				log.Warn(fmt.Sprintf("Bad promise file at %s.", pyval.QuoteString(p)))
			}
			continue
		}
		legacy = append(legacy, entry{name: n, title: strings.TrimSuffix(n, filepath.Ext(n)), path: p, legacy: true})
	}
	return plugins, legacy, nil
}

// readDirNames returns the names in dir in directory order (os.listdir);
// a missing directory has none.
func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		if os.IsNotExist(err) || errors.Is(err, syscall.ENOTDIR) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return names, nil
}

// Run runs the partition's promises sequentially: plugin promises of
// etc/plugin, then, without opts.Only, the legacy promises of
// etc/promise. It writes the log, result and cache files of
// .slapgrid/promise and returns one Result per promise in run order. When
// a promise failed, the error is an *Error for the first failure. Other
// errors (unreadable partition, unknown name in opts.Only, cancelled ctx)
// are returned as they are.
func (l *Launcher) Run(ctx context.Context, opts RunOptions) ([]Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.PartitionDir == "" {
		return nil, errors.New("promise: launcher has no partition directory")
	}
	for _, d := range []string{resultFolder, logFolder, cacheFolder} {
		if err := os.MkdirAll(filepath.Join(l.PartitionDir, d), 0o755); err != nil {
			return nil, fmt.Errorf("promise: %w", err)
		}
	}
	plugins, legacy, err := l.discover(true)
	if err != nil {
		return nil, fmt.Errorf("promise: %w", err)
	}
	var todo []entry
	if len(opts.Only) == 0 {
		todo = append(plugins, legacy...)
	} else {
		for _, want := range opts.Only {
			found := false
			for _, e := range append(plugins, legacy...) {
				if e.name == want || e.title == want {
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("promise: no promise named %q in %s or %s", want,
					filepath.Join(l.PartitionDir, pluginFolder), filepath.Join(l.PartitionDir, legacyFolder))
			}
		}
		for _, e := range append(plugins, legacy...) {
			if slices.Contains(opts.Only, e.name) || slices.Contains(opts.Only, e.title) {
				todo = append(todo, e)
			}
		}
	}
	l.cleanupDeprecated(append(plugins, legacy...))
	rs := &runState{opts: opts}
	defer rs.close()
	results := make([]Result, 0, len(todo))
	var first *Error
	for _, e := range todo {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		r := l.launch(ctx, e, rs)
		results = append(results, r)
		if r.Status == StatusFailed && first == nil {
			first = &Error{Name: e.name, Message: r.Message}
		}
	}
	if err := ctx.Err(); err != nil {
		return results, err
	}
	if len(opts.Only) == 0 && len(plugins) > 0 {
		l.cleanupStale(append(plugins, legacy...))
	}
	if first != nil {
		return results, first
	}
	return results, nil
}

// RunWithGrace runs the promises like Run; while some fail, it re-runs
// the failing ones (forced) every RetryInterval until they pass or
// GracePeriod has elapsed, so that a service started a moment ago gets
// time to bind its port. It returns the merged results and the error of
// the last run.
func (l *Launcher) RunWithGrace(ctx context.Context, opts RunOptions) ([]Result, error) {
	results, err := l.Run(ctx, opts)
	grace, interval := l.GracePeriod, l.RetryInterval
	if grace == 0 {
		grace = DefaultGracePeriod
	}
	if interval <= 0 {
		interval = DefaultRetryInterval
	}
	deadline := time.Now().Add(grace)
	for {
		var perr *Error
		if !errors.As(err, &perr) || grace < 0 || time.Now().Add(interval).After(deadline) {
			return results, err
		}
		var failed []string
		for _, r := range results {
			if r.Status == StatusFailed {
				failed = append(failed, r.Name)
			}
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return results, ctx.Err()
		case <-t.C:
		}
		retry := opts
		retry.Force, retry.Only = true, failed
		again, rerr := l.Run(ctx, retry)
		var rperr *Error
		if rerr != nil && !errors.As(rerr, &rperr) {
			return results, rerr
		}
		for _, r := range again {
			for i := range results {
				if results[i].Name == r.Name && results[i].Legacy == r.Legacy {
					results[i] = r
				}
			}
		}
		err = nil
		for _, r := range results {
			if r.Status == StatusFailed {
				err = &Error{Name: r.Name, Message: r.Message}
				break
			}
		}
	}
}

// LoadResults returns the last stored result of every promise of the
// partition, without running anything: UNKNOWN for a promise that has no
// result yet.
func (l *Launcher) LoadResults() ([]Result, error) {
	plugins, legacy, err := l.discover(false)
	if err != nil {
		return nil, fmt.Errorf("promise: %w", err)
	}
	var results []Result
	for _, e := range append(plugins, legacy...) {
		r := e.result()
		st, err := readStatus(l.PartitionDir, e.title)
		if err != nil {
			l.logger().Warn(err.Error())
		}
		if st != nil {
			r.fromStatus(st)
		} else {
			r.Status = StatusUnknown
		}
		results = append(results, r)
	}
	return results, nil
}

func (e entry) result() Result {
	return Result{Name: e.name, Title: e.title, Path: e.path, Legacy: e.legacy}
}

// fromStatus fills r from a stored result.
func (r *Result) fromStatus(st *statusFile) {
	r.Status = StatusOK
	if st.Result.Failed {
		r.Status = StatusFailed
	}
	if st.Result.Message != nil {
		r.Message = *st.Result.Message
	}
	r.Anomaly = st.Result.Type == typeAnomaly
	if t, err := time.Parse(resultDateLayout, st.Result.Date); err == nil {
		r.Checked = t.UTC()
	}
	r.ExecutionTime = time.Duration(st.ExecutionTime * float64(time.Second))
}

// cleanupDeprecated removes the state files of older slapgrid versions.
func (l *Launcher) cleanupDeprecated(all []entry) {
	state := filepath.Join(l.PartitionDir, stateFolder)
	for _, e := range all {
		os.Remove(filepath.Join(state, e.name+".timestamp"))
		os.Remove(filepath.Join(state, e.name+".periodicity"))
	}
	for _, n := range []string{"promise_stats.json", "promise_status.json", "global.json", "public.json"} {
		os.Remove(filepath.Join(state, n))
	}
	os.RemoveAll(filepath.Join(state, "history"))
}

// cleanupStale removes result files of promises that no longer exist.
func (l *Launcher) cleanupStale(all []entry) {
	dir := filepath.Join(l.PartitionDir, resultFolder)
	names, _ := readDirNames(dir)
	for _, n := range names {
		title, ok := strings.CutSuffix(n, ".status.json")
		if !ok || slices.ContainsFunc(all, func(e entry) bool { return e.title == title }) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, n)); err == nil {
			l.logger().Info("Removed stale file " + filepath.Join(dir, n))
		}
	}
}

// runState is what promises of one run share.
type runState struct {
	opts       RunOptions
	bangCalled bool
	shimDir    string
}

// outcome is what running one promise produced (a PromiseQueueResult).
type outcome struct {
	empty   bool   // EmptyResult: nothing written
	unknown string // could not run at all: the reason
	typ     string // typeTest or typeAnomaly
	failed  bool
	message *string
	date    time.Time
	bang    bool // the anomaly check failed and may bang
	tid     string
}

// launch runs one promise, honouring its cache, and records its result.
func (l *Launcher) launch(ctx context.Context, e entry, rs *runState) Result {
	log := l.logger()
	r := e.result()
	anomaly := rs.opts.CheckAnomaly
	if c := readCache(l.PartitionDir, e.title); c != nil {
		if anomaly && !c.IsAnomalyDetected || !anomaly && !c.IsTested {
			r.Status, r.Skipped = StatusUnknown, true
			if anomaly {
				r.Message = "anomaly detection is disabled for this promise"
			} else {
				r.Message = "test is disabled for this promise"
			}
			return r
		}
		if next := c.NextRunAfter; !rs.opts.Force && next != 0 && unixSeconds(l.now()) < next {
			r.Skipped = true
			st, err := readStatus(l.PartitionDir, e.title)
			if err != nil {
				log.Warn(err.Error())
			}
			if st == nil {
				r.Status, r.Message = StatusUnknown, "not checked yet"
				return r
			}
			r.fromStatus(st)
			if r.Status == StatusFailed {
				log.Error(r.Message)
			}
			return r
		}
	}
	log.Info(fmt.Sprintf("Checking promise %s...", e.name))
	start := time.Now()
	var (
		out      outcome
		timedOut bool
	)
	pctx, cancel := context.WithTimeout(ctx, l.timeout())
	switch {
	case e.legacy:
		out, timedOut = l.runNative(pctx, e, newLegacy(l, e), rs)
	default:
		out, timedOut = l.runPlugin(pctx, e, rs)
	}
	cancel()
	if ctx.Err() != nil {
		r.Status, r.Message = StatusUnknown, "cancelled"
		return r
	}
	elapsed := time.Since(start)
	steps := math.Max(1, math.Ceil(elapsed.Seconds()/0.05))
	execTime := steps * 0.05
	if timedOut {
		execTime = math.Floor(l.timeout().Seconds()/0.05) * 0.05
		out = l.failureOutcome(e, rs, fmt.Sprintf("Error: Promise timed out after %s seconds", pyStr(l.timeoutValue())))
	}
	r.ExecutionTime = time.Duration(execTime * float64(time.Second))
	if out.unknown != "" {
		log.Warn(out.unknown)
		r.Status, r.Message = StatusUnknown, out.unknown
		return r
	}
	if out.empty {
		r.Status, r.Skipped = StatusUnknown, true
		r.Message = "not checked in this mode"
		return r
	}
	if out.bang && anomaly && !rs.bangCalled && l.Bang != nil {
		msg := fmt.Sprintf("Promise %s is failing", e.title)
		if err := l.Bang(ctx, e.title, msg); err != nil {
			log.Error(fmt.Sprintf("bang for promise %s: %v", e.name, err))
		} else {
			appendLog(filepath.Join(l.PartitionDir, logFolder, e.title+".log"), out.tid,
				[]logEntry{{time: l.now(), level: levelInfo, msg: fmt.Sprintf("Bang with message %s.", pyval.QuoteString(msg))}})
		}
	}
	msg := ""
	if out.message != nil {
		msg = truncateMessage(*out.message)
		out.message = &msg
	}
	if out.failed {
		log.Error(msg)
		if out.typ == typeAnomaly && anomaly {
			rs.bangCalled = true
		}
	}
	st := &statusFile{
		Title: e.title, Name: e.name, Path: e.path, ExecutionTime: execTime,
		Result: statusItem{Type: out.typ, Failed: out.failed, Date: out.date.UTC().Format(resultDateLayout), Message: out.message},
	}
	if err := writeStatus(l.PartitionDir, e.title, st); err != nil {
		log.Error(fmt.Sprintf("write result of promise %s: %v", e.name, err))
	}
	r.fromStatus(st)
	return r
}

// failureOutcome is the result of a promise that timed out or returned
// nothing: a failed test, or in anomaly mode an anomaly that fails only
// if the previous result failed too.
func (l *Launcher) failureOutcome(e entry, rs *runState, message string) outcome {
	out := outcome{typ: typeTest, failed: true, message: &message, date: l.now()}
	if rs.opts.CheckAnomaly {
		out.typ, out.failed = typeAnomaly, false
		if st, _ := readStatus(l.PartitionDir, e.title); st != nil {
			prev := ""
			if st.Result.Message != nil {
				prev = *st.Result.Message
			}
			out.failed = st.Result.Failed || strings.Contains(strings.ToLower(prev), "error:")
		}
	}
	return out
}

// runPlugin runs a plugin promise natively when its module is known,
// else with Python.
func (l *Launcher) runPlugin(ctx context.Context, e entry, rs *runState) (outcome, bool) {
	if c := e.name[0]; c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') {
		return l.failureOutcome(e, rs, fmt.Sprintf("Error: No output returned by the promise\nValueError: Promise plugin name %s is not valid", pyval.QuoteString(e.name))), false
	}
	pf, err := parsePlugin(e.path)
	if err != nil {
		return l.failureOutcome(e, rs, fmt.Sprintf("Error: %v", err)), false
	}
	if setup, ok := nativeModules[pf.module]; ok && pf.why == "" {
		cfg, err := l.baseConfig(e, pf.extra)
		if err != nil {
			return l.failureOutcome(e, rs, err.Error()), false
		}
		np := newNativePromise(cfg, l.PartitionDir, e.name)
		if err := setup(np); err != nil {
			return l.failureOutcome(e, rs, describe(err)), false
		}
		return l.runNative(ctx, e, np, rs)
	}
	return l.runPython(ctx, e, rs)
}

// baseConfig returns the config a promise sees: the launcher keys, then
// the extra_config_dict of its file.
func (l *Launcher) baseConfig(e entry, extra []pyItem) (*config, error) {
	cfg := &config{items: []pyItem{
		{"log-folder", filepath.Join(l.PartitionDir, logFolder)},
		{"partition-folder", l.PartitionDir},
		{"debug", false},
		{"promise-timeout", l.timeoutValue()},
	}}
	for _, k := range []string{"master-url", "partition-cert", "partition-key", "partition-id", "computer-id"} {
		var v any
		if s, ok := l.Slap[k]; ok {
			v = s
		}
		cfg.items = append(cfg.items, pyItem{k, v})
	}
	cfg.items = append(cfg.items,
		pyItem{"queue", nil}, pyItem{"slapgrid-version", slapgridVersion},
		pyItem{"path", e.path}, pyItem{"name", e.name})
	for _, it := range extra {
		if _, ok := cfg.lookup(it.Key); ok {
			return nil, fmt.Errorf("ValueError: Extra parameter name %s cannot be used.\n%s", pyval.QuoteString(it.Key), pyDictRepr(extra))
		}
	}
	cfg.items = append(cfg.items, extra...)
	return cfg, nil
}

// runNative runs a Go promise (a native module or a legacy executable):
// cache, sense under the timeout, log, then test or anomaly evaluation.
func (l *Launcher) runNative(ctx context.Context, e entry, p *nativePromise, rs *runState) (outcome, bool) {
	anomaly := rs.opts.CheckAnomaly
	now := l.now()
	started := p.anomalyChecked && anomaly || p.tested && !anomaly
	ts := unixSeconds(now)
	c := cacheFile{
		IsTested: p.tested, IsAnomalyDetected: p.anomalyChecked, Periodicity: p.periodicity,
		NextRunAfter: ts + p.periodicity*60, Timestamp: ts, ModuleFile: e.path,
	}
	if st, err := os.Stat(e.path); err == nil {
		c.ModuleFileMtime = float64(st.ModTime().UnixMicro()) / 1e6
	}
	if !started {
		c.NextRunAfter = ts
	}
	if err := os.WriteFile(filepath.Join(l.PartitionDir, cacheFolder, e.title), c.marshal(p.intPeriodicity), 0o644); err != nil {
		l.logger().Error(fmt.Sprintf("write cache of promise %s: %v", e.name, err))
	}
	typ := typeTest
	if anomaly {
		typ = typeAnomaly
	}
	if !p.tested && !p.anomalyChecked {
		msg := "It's not allowed to disable both Test and Anomaly in promise!"
		return outcome{typ: typ, failed: true, message: &msg, date: l.now()}, false
	}
	if !started {
		return outcome{empty: true}, false
	}
	tid := transactionID(now)
	sl := &senseLog{now: l.now}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				sl.error("%v", v)
			}
		}()
		if err := p.sense(ctx, sl); err != nil {
			sl.error("%s", err.Error())
		}
	}()
	select {
	case <-done:
	case <-ctx.Done():
		// Every sense honours ctx; give it the kill grace to return.
		select {
		case <-done:
		case <-time.After(killGrace + 3*time.Second):
		}
	}
	entries := sl.close()
	if ctx.Err() != nil {
		return outcome{}, true
	}
	logFile := filepath.Join(l.PartitionDir, logFolder, e.title+".log")
	if err := appendLog(logFile, tid, entries); err != nil {
		msg := err.Error()
		return outcome{typ: typ, failed: true, message: &msg, date: l.now()}, false
	}
	ev := p.test
	if anomaly {
		ev = p.anomaly
	}
	runs, err := LastResults(logFile, l.now(), ev.latestMinute, ev.resultCount, false)
	var failed bool
	var msg string
	if err != nil {
		failed, msg = true, err.Error()
	} else {
		failed, msg = checkResult(runs, ev.failureAmount)
	}
	typ = typeTest
	if ev.anomaly {
		typ = typeAnomaly
	}
	return outcome{typ: typ, failed: failed, message: &msg, date: l.now(), tid: tid,
		bang: failed && typ == typeAnomaly}, false
}

// newLegacy wraps a legacy promise executable as slapgrid's WrapPromise.
func newLegacy(l *Launcher, e entry) *nativePromise {
	p := newNativePromise(&config{}, l.PartitionDir, e.name)
	p.anomaly = evaluation{resultCount: 3, failureAmount: 3}
	p.sense = func(ctx context.Context, log *senseLog) error {
		out, err := runCaptured(ctx, l.PartitionDir, e.path)
		if ctx.Err() != nil {
			return nil
		}
		msg := strings.TrimSpace(string(out))
		if err != nil {
			if len(out) == 0 && !isExitError(err) {
				class, text := pyExceptionParts(err)
				return &pyError{class, text + ": " + pyval.QuoteString(e.path)}
			}
			log.error("%s", msg)
		} else {
			log.info("%s", msg)
		}
		return nil
	}
	return p
}

// lockedWriter collects the output of a process written from several
// goroutines.
type lockedWriter struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.buf.Bytes())
}
