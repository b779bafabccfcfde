package crond

import (
	"bytes"
	"context"
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
	"time"

	"webrunner/buildout/proc"
)

// Config is what dcron's command line sets.
type Config struct {
	SystemDir   string // -s: directory of crontab files (slapos.cookbook:cron.d entries)
	CrontabsDir string // -c: directory of per-user crontab files
	StampsDir   string // -t: directory of the time stamps of @period jobs
	Mailer      string // -M: program fed the output of each job that printed something
	LogFile     string // -L: log file; empty means stderr
	LogLevel    int    // -l: 0 (everything) … 8 (nothing); notices are 5
	Shell       string // shell running commands; /bin/sh if empty
	// JobTimeout bounds a job's run time; zero means no bound.
	JobTimeout time.Duration
}

// A Clock tells the time and waits; tests replace the real one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// StampFormat is the layout of the time written in a stamp file.
const StampFormat = "2006-01-02 15:04"

// A Daemon runs the due jobs of its crontab directories every minute.
type Daemon struct {
	cfg   Config
	clock Clock
	log   io.Writer
	mu    sync.Mutex // serializes log lines

	runMu   sync.Mutex
	running map[string]bool // stamp names of the jobs running now
}

// New returns a daemon for cfg using clock (the real clock if nil) and
// writing its log to logw (cfg.LogFile is opened by the caller).
func New(cfg Config, clock Clock, logw io.Writer) *Daemon {
	if clock == nil {
		clock = realClock{}
	}
	if cfg.Shell == "" {
		cfg.Shell = "/bin/sh"
	}
	if logw == nil {
		logw = io.Discard
	}
	return &Daemon{cfg: cfg, clock: clock, log: logw, running: map[string]bool{}}
}

func (d *Daemon) logf(level int, format string, args ...any) {
	if level < d.cfg.LogLevel {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.log, "%s crond: %s\n", d.clock.Now().Format("Jan _2 15:04:05"), fmt.Sprintf(format, args...))
}

// Jobs reads every crontab file of the configured directories, in name
// order. Files that fail to parse are logged and their good lines kept.
func (d *Daemon) Jobs() []Job {
	var jobs []Job
	for _, dir := range []string{d.cfg.SystemDir, d.cfg.CrontabsDir} {
		if dir == "" {
			continue
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				d.logf(7, "%v", err)
			}
			continue
		}
		for _, e := range ents {
			name := e.Name()
			if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || name == "cron.update" {
				continue
			}
			js, err := ParseFile(filepath.Join(dir, name))
			if err != nil {
				d.logf(7, "%v", err)
			}
			nameStamps(js, name)
			jobs = append(jobs, js...)
		}
	}
	return jobs
}

// nameStamps gives each job without an ID= tag a stamp name: the file name,
// followed by the line number when the file holds several jobs.
func nameStamps(js []Job, file string) {
	for i := range js {
		if js[i].ID != "" {
			continue
		}
		js[i].ID = file
		if len(js) > 1 {
			js[i].ID += "." + strconv.Itoa(js[i].Line)
		}
	}
}

// RunDue runs, and waits for, the jobs due at the minute of now: 5-field
// jobs whose schedule matches it and @period jobs whose stamp is at least a
// period old. A missing stamp is created with now, so a new @daily job
// first runs a day later. Each run updates the job's stamp. A job still
// running from an earlier minute is not started again.
func (d *Daemon) RunDue(ctx context.Context, now time.Time) {
	now = now.Truncate(time.Minute)
	var wg sync.WaitGroup
	for _, j := range d.Jobs() {
		if !d.due(&j, now) {
			continue
		}
		d.runMu.Lock()
		busy := d.running[j.ID]
		d.running[j.ID] = true
		d.runMu.Unlock()
		if busy {
			d.logf(5, "job %s still running, not started again", j.ID)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.run(ctx, j, now)
			d.runMu.Lock()
			delete(d.running, j.ID)
			d.runMu.Unlock()
		}()
	}
	wg.Wait()
}

func (d *Daemon) due(j *Job, now time.Time) bool {
	if j.period == 0 {
		return j.Due(now)
	}
	last, err := d.stamp(j.ID)
	if err != nil {
		d.writeStamp(j.ID, now)
		return false
	}
	return !now.Before(last.Add(j.period))
}

func (d *Daemon) stampPath(id string) string {
	return filepath.Join(d.cfg.StampsDir, strings.ReplaceAll(id, "/", "_"))
}

func (d *Daemon) stamp(id string) (time.Time, error) {
	if d.cfg.StampsDir == "" {
		return time.Time{}, errors.New("no stamp directory")
	}
	b, err := os.ReadFile(d.stampPath(id))
	if err != nil {
		return time.Time{}, err
	}
	return time.ParseInLocation(StampFormat, strings.TrimSpace(string(b)), time.Local)
}

func (d *Daemon) writeStamp(id string, t time.Time) {
	if d.cfg.StampsDir == "" {
		return
	}
	if err := os.WriteFile(d.stampPath(id), []byte(t.Format(StampFormat)+"\n"), 0o644); err != nil {
		d.logf(7, "stamp %s: %v", id, err)
	}
}

func (d *Daemon) run(ctx context.Context, j Job, now time.Time) {
	if d.cfg.JobTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.cfg.JobTimeout)
		defer cancel()
	}
	d.writeStamp(j.ID, now)
	d.logf(5, "job %s started: %s", j.ID, j.Command)
	var out bytes.Buffer
	cmd := proc.Command(ctx, 0, d.cfg.Shell, "-c", j.Command)
	cmd.Env = append(os.Environ(), j.Env...)
	err := proc.Run(cmd, func(l string) { out.WriteString(l + "\n") })
	if err != nil {
		d.logf(5, "job %s failed: %v", j.ID, err)
	} else {
		d.logf(5, "job %s finished", j.ID)
	}
	if out.Len() == 0 || d.cfg.Mailer == "" {
		return
	}
	mail := exec.CommandContext(ctx, d.cfg.Mailer)
	proc.Prepare(mail, 0)
	mail.Stdin = &out
	if b, err := mail.CombinedOutput(); err != nil {
		d.logf(7, "mailer %s for job %s: %v %s", d.cfg.Mailer, j.ID, err, bytes.TrimSpace(b))
	}
}

// Run calls RunDue at the start of every minute until ctx is done, without
// waiting for the jobs of one minute before starting those of the next. On
// return every job it started has ended (their process groups are killed
// when ctx is done).
func (d *Daemon) Run(ctx context.Context) error {
	d.logf(5, "started, watching %s", strings.Join(nonEmpty(d.cfg.SystemDir, d.cfg.CrontabsDir), " "))
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		now := d.clock.Now()
		next := now.Truncate(time.Minute).Add(time.Minute)
		select {
		case <-ctx.Done():
			return nil
		case <-d.clock.After(next.Sub(now)):
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.RunDue(ctx, next)
		}()
	}
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
