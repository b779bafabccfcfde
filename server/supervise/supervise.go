// Package supervise runs the processes of an instance partition, as
// supervisord does for slapgrid (slapos.md §2.4): the executables of
// etc/service/ are restarted when they exit, with exponential back-off,
// and those of etc/run/ are started once. Each runs in its own process
// group with its output appended to a log file in the partition.
package supervise

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"webrunner/buildout/proc"
)

// Kind tells how a program is supervised.
type Kind string

// The kinds of programs, named after their directory.
const (
	Service Kind = "service" // etc/service/: restarted when it exits
	Run     Kind = "run"     // etc/run/: started once
)

// State is a program's state, named as supervisord names them.
type State string

// Program states.
const (
	Stopped  State = "STOPPED"
	Running  State = "RUNNING"
	Backoff  State = "BACKOFF"  // a service waiting to be restarted
	Exited   State = "EXITED"   // a run program that ended
	Fatal    State = "FATAL"    // a service that failed too often, quickly, in a row
	Stopping State = "STOPPING" // being stopped
	Starting State = "STARTING" // being started
)

// Process describes a supervised program.
type Process struct {
	Name     string    `json:"name"`
	Kind     Kind      `json:"kind"`
	State    State     `json:"state"`
	PID      int       `json:"pid"` // 0 when not running
	Since    time.Time `json:"since"`
	ExitCode int       `json:"exit_code"` // of the last exit, -1 when killed by a signal
	Restarts int       `json:"restarts"`  // restarts since the program was (re)started by Sync
	Message  string    `json:"message,omitempty"`
	LogFile  string    `json:"log_file"`
}

// A Supervisor runs the programs of one partition directory.
type Supervisor struct {
	// Dir is the partition directory, where etc/service and etc/run are.
	Dir string
	// ID names the partition in log file names (.<ID>_<name>.log).
	ID string
	// Env is the environment of the programs; like supervisord under
	// slapgrid, by default only USER, LOGNAME and HOME.
	Env []string
	// Grace is how long a stopped program gets between SIGTERM and SIGKILL.
	Grace time.Duration
	// MinBackoff is the delay before the first restart of a service;
	// each quick failure in a row doubles it, up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// QuickExit is the run time under which an exit counts as a failure to
	// start; MaxQuickFailures of them in a row make the service FATAL.
	QuickExit        time.Duration
	MaxQuickFailures int
	// LogMaxBytes is the size past which a program's log file is moved to
	// <name>.log.1 (one backup, as slapgrid configures supervisord);
	// 0 means no limit.
	LogMaxBytes int64
	// OnChange, if set, is called (in its own goroutine) after every state change.
	OnChange func()

	mu    sync.Mutex
	progs map[string]*program // by kind/name
	wg    sync.WaitGroup
}

// New returns a supervisor for the partition directory dir named id, with
// the default timings.
func New(dir, id string) *Supervisor {
	env := []string{"USER=" + os.Getenv("USER"), "LOGNAME=" + os.Getenv("USER"), "HOME=" + os.Getenv("HOME")}
	if u := os.Getenv("USER"); u == "" {
		env = []string{"HOME=" + os.Getenv("HOME")}
	}
	return &Supervisor{
		Dir: dir, ID: id, Env: env,
		Grace:            5 * time.Second,
		MinBackoff:       time.Second,
		MaxBackoff:       time.Minute,
		QuickExit:        5 * time.Second,
		MaxQuickFailures: 5,
		LogMaxBytes:      100 << 10,
		progs:            map[string]*program{},
	}
}

// program is one supervised executable.
type program struct {
	name, path string
	kind       Kind
	sum        [32]byte // of the wrapper's content and mode, to detect changes
	logFile    string

	mu       sync.Mutex
	state    State
	pid      int
	since    time.Time
	exit     int
	restarts int
	msg      string
	cancel   context.CancelFunc
	done     chan struct{}
}

func (p *program) snapshot() Process {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Process{Name: p.name, Kind: p.kind, State: p.state, PID: p.pid, Since: p.since,
		ExitCode: p.exit, Restarts: p.restarts, Message: p.msg, LogFile: p.logFile}
}

// Processes returns the supervised programs, run programs first, by name.
func (s *Supervisor) Processes() []Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Process, 0, len(s.progs))
	for _, p := range s.progs {
		out = append(out, p.snapshot())
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == Run
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// scan lists the wrappers of etc/run and etc/service. As with slapgrid,
// every directory entry is a program, and a service hides a run program of
// the same name.
func (s *Supervisor) scan() (map[string]*program, error) {
	found := map[string]*program{}
	for _, k := range []Kind{Run, Service} {
		dir := filepath.Join(s.Dir, "etc", string(k))
		ents, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("supervise: %w", err)
		}
		for _, e := range ents {
			path := filepath.Join(dir, e.Name())
			p := &program{name: e.Name(), path: path, kind: k, state: Stopped,
				logFile: filepath.Join(s.Dir, "."+s.ID+"_"+e.Name()+".log")}
			p.sum = fingerprint(path)
			if k == Service {
				delete(found, string(Run)+"/"+e.Name())
			}
			found[string(k)+"/"+e.Name()] = p
		}
	}
	return found, nil
}

func fingerprint(path string) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", path)
	if fi, err := os.Stat(path); err == nil {
		fmt.Fprintf(h, "%v\x00", fi.Mode())
	}
	if f, err := os.Open(path); err == nil {
		io.Copy(h, f)
		f.Close()
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// Sync makes the running programs match the partition's wrappers, as
// slapgrid does after an instance build: new wrappers are started, removed
// ones stopped, changed ones (content or mode) restarted, and programs that
// exited or went FATAL started again. Unchanged running programs are left
// alone. It returns a line per action.
func (s *Supervisor) Sync(ctx context.Context) ([]string, error) {
	found, err := s.scan()
	if err != nil {
		return nil, err
	}
	var actions []string
	s.mu.Lock()
	var stop []*program
	for key, old := range s.progs {
		nw, ok := found[key]
		if !ok || nw.sum != old.sum {
			stop = append(stop, old)
			delete(s.progs, key)
			if ok {
				actions = append(actions, fmt.Sprintf("restarting %s %s: wrapper changed", old.kind, old.name))
			} else {
				actions = append(actions, fmt.Sprintf("stopping %s %s: wrapper removed", old.kind, old.name))
			}
		}
	}
	s.mu.Unlock()
	sort.Strings(actions)
	s.stopAll(stop)

	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		p, ok := s.progs[key]
		if !ok {
			p = found[key]
			s.progs[key] = p
			actions = append(actions, fmt.Sprintf("starting %s %s", p.kind, p.name))
		} else {
			if p.looping() {
				continue // running, starting or waiting to restart
			}
			st := p.snapshot().State
			actions = append(actions, fmt.Sprintf("starting %s %s again (was %s)", p.kind, p.name, st))
		}
		s.start(p)
	}
	if len(s.progs) == 0 {
		actions = append(actions, "no runners nor services found for partition "+s.ID)
	}
	return actions, nil
}

// looping reports whether p's supervision loop runs.
func (p *program) looping() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// start launches p's supervision loop; s.mu is held.
func (s *Supervisor) start(p *program) {
	ctx, cancel := context.WithCancel(context.Background())
	p.mu.Lock()
	p.cancel = cancel
	p.done = make(chan struct{})
	p.state = Starting
	p.restarts = 0
	done := p.done
	p.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(done)
		s.loop(ctx, p)
	}()
}

func (s *Supervisor) set(p *program, f func()) {
	p.mu.Lock()
	f()
	p.mu.Unlock()
	s.savePids()
	if s.OnChange != nil {
		go s.OnChange()
	}
}

// loop runs p until it is stopped, restarting a service that exits.
func (s *Supervisor) loop(ctx context.Context, p *program) {
	quick := 0
	for {
		started := time.Now()
		code, err := s.runOnce(ctx, p)
		if ctx.Err() != nil {
			s.set(p, func() { p.state, p.pid, p.since, p.exit = Stopped, 0, time.Now(), code })
			return
		}
		msg := fmt.Sprintf("exited with status %d", code)
		if err != nil {
			msg = err.Error()
		}
		if p.kind == Run {
			s.set(p, func() { p.state, p.pid, p.since, p.exit, p.msg = Exited, 0, time.Now(), code, msg })
			return
		}
		if time.Since(started) < s.QuickExit {
			quick++
		} else {
			quick = 0
		}
		if quick >= s.MaxQuickFailures {
			s.set(p, func() {
				p.state, p.pid, p.since, p.exit = Fatal, 0, time.Now(), code
				p.msg = fmt.Sprintf("%s; gave up after %d quick failures in a row", msg, quick)
			})
			return
		}
		delay := s.MinBackoff
		for i := 1; i < quick && delay < s.MaxBackoff; i++ {
			delay *= 2
		}
		delay = min(delay, s.MaxBackoff)
		s.set(p, func() { p.state, p.pid, p.since, p.exit, p.msg = Backoff, 0, time.Now(), code, msg })
		select {
		case <-ctx.Done():
			s.set(p, func() { p.state, p.since = Stopped, time.Now() })
			return
		case <-time.After(delay):
		}
		s.set(p, func() { p.restarts++ })
	}
}

// runOnce starts p and waits for it; its output is appended to its log file.
func (s *Supervisor) runOnce(ctx context.Context, p *program) (int, error) {
	out, err := openLog(p.logFile, s.LogMaxBytes)
	if err != nil {
		return -1, fmt.Errorf("open log: %w", err)
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, p.path)
	proc.Prepare(cmd, s.Grace)
	cmd.Dir = s.Dir
	cmd.Env = s.Env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(out, "webrunner: cannot start %s: %v\n", p.path, err)
		return -1, fmt.Errorf("cannot start: %w", err)
	}
	s.set(p, func() { p.state, p.pid, p.since, p.msg = Running, cmd.Process.Pid, time.Now(), "" })
	err = cmd.Wait()
	// What the program left behind in its group dies with it.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	code := cmd.ProcessState.ExitCode()
	if err != nil && code >= 0 {
		err = nil // a plain non-zero exit is reported through the code
	}
	return code, err
}

// stopAll stops the given programs concurrently and waits for them.
func (s *Supervisor) stopAll(ps []*program) {
	var wg sync.WaitGroup
	for _, p := range ps {
		p.mu.Lock()
		cancel, done := p.cancel, p.done
		if p.state == Running {
			p.state = Stopping
		}
		p.mu.Unlock()
		if cancel == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cancel()
			<-done
		}()
	}
	wg.Wait()
}

// Stop stops every program and forgets them, as slapgrid's stop() does
// for a stopped or destroyed partition. It returns once they are all gone.
func (s *Supervisor) Stop() {
	s.mu.Lock()
	ps := make([]*program, 0, len(s.progs))
	for _, p := range s.progs {
		ps = append(ps, p)
	}
	s.progs = map[string]*program{}
	s.mu.Unlock()
	s.stopAll(ps)
	s.wg.Wait()
	if s.OnChange != nil && len(ps) > 0 {
		go s.OnChange()
	}
}

// Restart stops and starts again the named program (kind/name).
func (s *Supervisor) Restart(kind Kind, name string) error {
	s.mu.Lock()
	p, ok := s.progs[string(kind)+"/"+name]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("supervise: no %s named %s", kind, name)
	}
	s.stopAll([]*program{p})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.progs[string(kind)+"/"+name] == p {
		s.start(p)
	}
	return nil
}

// PidFile is the file, in the partition, where a supervisor records the
// process groups it runs, so that a later supervisor can stop those a
// crashed server left behind.
const PidFile = ".webrunner-pids"

// savePids records the running programs: one "pid start-time name" line each.
func (s *Supervisor) savePids() {
	s.mu.Lock()
	var b strings.Builder
	for _, p := range s.progs {
		p.mu.Lock()
		pid := p.pid
		p.mu.Unlock()
		if pid == 0 {
			continue
		}
		if st, ok := startTime(pid); ok {
			fmt.Fprintf(&b, "%d %d %s\n", pid, st, p.name)
		}
	}
	s.mu.Unlock()
	path := filepath.Join(s.Dir, PidFile)
	if b.Len() == 0 {
		os.Remove(path)
		return
	}
	tmp := path + ".tmp"
	if os.WriteFile(tmp, []byte(b.String()), 0o600) == nil {
		os.Rename(tmp, path)
	}
}

// startTime returns the start time of process pid (in clock ticks since
// boot), which tells a process from a later one that reused its pid.
func startTime(pid int) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, false
	}
	v, err := strconv.ParseUint(f[19], 10, 64)
	return v, err == nil
}

// StopOrphans stops the process groups recorded in the partition's
// PidFile that still run: those of a server that died without stopping
// them. It returns the names of the programs it stopped.
func (s *Supervisor) StopOrphans() []string {
	path := filepath.Join(s.Dir, PidFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	mine := map[int]bool{}
	for _, p := range s.progs {
		p.mu.Lock()
		mine[p.pid] = true
		p.mu.Unlock()
	}
	s.mu.Unlock()
	var stopped []string
	var pids []int
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 {
			continue
		}
		pid, err1 := strconv.Atoi(f[0])
		st, err2 := strconv.ParseUint(f[1], 10, 64)
		if err1 != nil || err2 != nil || pid <= 1 || mine[pid] {
			continue
		}
		if cur, ok := startTime(pid); !ok || cur != st {
			continue // gone, or another process now
		}
		syscall.Kill(-pid, syscall.SIGTERM)
		pids = append(pids, pid)
		stopped = append(stopped, f[2])
	}
	deadline := time.Now().Add(s.Grace)
	for _, pid := range pids {
		for time.Now().Before(deadline) && syscall.Kill(pid, 0) == nil && !zombie(pid) {
			time.Sleep(20 * time.Millisecond)
		}
		syscall.Kill(-pid, syscall.SIGKILL)
	}
	s.savePids() // only this supervisor's programs now
	return stopped
}

func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && strings.HasPrefix(string(b[i+1:]), " Z")
}

// logFile is a program's output file, moved to a single backup when it
// grows past max bytes.
type logFile struct {
	mu   sync.Mutex
	path string
	max  int64
	f    *os.File
	size int64
}

func openLog(path string, max int64) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	return &logFile{path: path, max: max, f: f, size: size}, nil
}

// Write appends p, moving the file to its backup whenever it would grow
// past max; p is split after a newline when it can be.
func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	written := 0
	for len(p) > 0 {
		chunk := p
		if l.max > 0 && l.size+int64(len(p)) > l.max {
			room := max(l.max-l.size, 0)
			cut := int64(bytes.LastIndexByte(p[:min(room, int64(len(p)))], '\n')) + 1
			if cut == 0 && l.size == 0 {
				cut = min(l.max, int64(len(p))) // one line longer than max
			}
			chunk = p[:cut]
		}
		if len(chunk) > 0 {
			n, err := l.f.Write(chunk)
			l.size += int64(n)
			written += n
			if err != nil {
				return written, err
			}
			p = p[n:]
		}
		if len(p) > 0 {
			if err := l.rotate(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

func (l *logFile) rotate() error {
	l.f.Close()
	os.Rename(l.path, l.path+".1")
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	l.f, l.size = f, 0
	return nil
}

// Close closes the file.
func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}
