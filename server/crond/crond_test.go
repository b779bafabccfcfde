package crond

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.Local)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDue(t *testing.T) {
	tests := []struct {
		spec string
		at   string
		want bool
	}{
		{"* * * * *", "2024-01-02 03:04", true},
		{"0 * * * *", "2024-01-02 03:00", true},
		{"0 * * * *", "2024-01-02 03:01", false},
		{"*/15 * * * *", "2024-01-02 03:45", true},
		{"*/15 * * * *", "2024-01-02 03:46", false},
		{"5-10 * * * *", "2024-01-02 03:07", true},
		{"5-10 * * * *", "2024-01-02 03:11", false},
		{"1,30 12 * * *", "2024-01-02 12:30", true},
		{"0 0 * * mon", "2024-01-01 00:00", true}, // a Monday
		{"0 0 * * MON-FRI", "2024-01-06 00:00", false},
		{"0 0 * * 7", "2024-01-07 00:00", true}, // Sunday as 7
		{"0 0 * * 5-7", "2024-01-07 00:00", true},
		{"0 0 * * 5-7", "2024-01-06 00:00", true},
		{"0 0 * * 5-7", "2024-01-08 00:00", false},
		{"0 0 1 jan *", "2024-01-01 00:00", true},
		{"0 0 1 feb *", "2024-01-01 00:00", false},
		{"30 * 1,3 1-11/2 *", "2024-03-03 07:30", true},
		{"30 * 1,3 1-11/2 *", "2024-02-03 07:30", false},
		// Day of month and day of week both restricted: either matches.
		{"0 0 13 * fri", "2024-01-05 00:00", true},
	}
	for _, tc := range tests {
		jobs, err := Parse("crontab", strings.NewReader(tc.spec+" true\n"))
		if err != nil || len(jobs) != 1 {
			t.Fatalf("%s: %v %v", tc.spec, jobs, err)
		}
		if got := jobs[0].Due(at(tc.at)); got != tc.want {
			t.Errorf("%q at %s: due = %v, want %v", tc.spec, tc.at, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	src := `# comment

MAILTO=nobody
0 * * * *   /srv/bin/logrotate  -v
@daily ID=backup  echo  "a  b"
61 * * * * bad minute
* * * nope
@sometimes x
`
	jobs, err := Parse("etc/cron.d/x", strings.NewReader(src))
	if err == nil {
		t.Fatal("no error for bad lines")
	}
	for _, want := range []string{"etc/cron.d/x:6:", "etc/cron.d/x:7:", "etc/cron.d/x:8:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if len(jobs) != 2 {
		t.Fatalf("jobs = %+v", jobs)
	}
	if jobs[0].Command != "/srv/bin/logrotate  -v" || jobs[0].Line != 4 || jobs[0].Env[0] != "MAILTO=nobody" {
		t.Errorf("job 0 = %+v", jobs[0])
	}
	if jobs[1].ID != "backup" || jobs[1].Period() != 24*time.Hour || jobs[1].Command != `echo  "a  b"` {
		t.Errorf("job 1 = %+v", jobs[1])
	}
}

// dirs makes the cron.d, crontabs and stamps directories and a mailer that
// appends its input to catch.log.
func dirs(t *testing.T) (Config, string) {
	t.Helper()
	root := t.TempDir()
	cfg := Config{
		SystemDir:   filepath.Join(root, "cron.d"),
		CrontabsDir: filepath.Join(root, "crontabs"),
		StampsDir:   filepath.Join(root, "cronstamps"),
		Mailer:      filepath.Join(root, "catcher"),
	}
	for _, d := range []string{cfg.SystemDir, cfg.CrontabsDir, cfg.StampsDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\ncat >> " + filepath.Join(root, "catch.log") + "\n"
	if err := os.WriteFile(cfg.Mailer, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return cfg, root
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func TestRunDue(t *testing.T) {
	cfg, root := dirs(t)
	out := filepath.Join(root, "out")
	write(t, filepath.Join(cfg.SystemDir, "logrotate"), "0 * * * * echo rotated >> "+out+"\n")
	write(t, filepath.Join(cfg.SystemDir, "noisy"), "*/30 * * * * echo hello from $LOGNAME_X; echo err >&2\n")
	write(t, filepath.Join(cfg.CrontabsDir, "user"), "LOGNAME_X=cron\n@hourly ID=tick echo tick >> "+out+"\n")
	var log strings.Builder
	d := New(cfg, nil, &syncWriter{w: &log})
	ctx := context.Background()

	d.RunDue(ctx, at("2024-01-02 03:00")) // logrotate + noisy; tick's stamp created
	if got := read(t, out); got != "rotated\n" {
		t.Fatalf("after 03:00 out = %q", got)
	}
	if got := read(t, filepath.Join(root, "catch.log")); got != "hello from\nerr\n" {
		t.Fatalf("catcher got %q", got)
	}
	if got := read(t, filepath.Join(cfg.StampsDir, "tick")); got != "2024-01-02 03:00\n" {
		t.Fatalf("new @hourly stamp = %q", got)
	}
	if got := read(t, filepath.Join(cfg.StampsDir, "logrotate")); got != "2024-01-02 03:00\n" {
		t.Fatalf("logrotate stamp = %q", got)
	}
	d.RunDue(ctx, at("2024-01-02 03:59")) // nothing due
	if got := read(t, out); got != "rotated\n" {
		t.Fatalf("after 03:59 out = %q", got)
	}
	d.RunDue(ctx, at("2024-01-02 04:00")) // logrotate again, tick an hour after its stamp
	if got := read(t, out); got != "rotated\nrotated\ntick\n" && got != "rotated\ntick\nrotated\n" {
		t.Fatalf("after 04:00 out = %q", got)
	}
	if got := read(t, filepath.Join(cfg.StampsDir, "tick")); got != "2024-01-02 04:00\n" {
		t.Fatalf("@hourly stamp after run = %q", got)
	}
	if !strings.Contains(log.String(), "job logrotate started") {
		t.Errorf("log = %q", log.String())
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// fakeClock hands out minute ticks on demand.
type fakeClock struct {
	mu   sync.Mutex
	now  time.Time
	wait chan chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	c.wait <- ch
	return ch
}

func TestRunLoop(t *testing.T) {
	cfg, root := dirs(t)
	out := filepath.Join(root, "out")
	write(t, filepath.Join(cfg.SystemDir, "every2"), "*/2 * * * * date +x >> "+out+"\n")
	clock := &fakeClock{now: at("2024-01-02 03:00").Add(30 * time.Second), wait: make(chan chan time.Time)}
	d := New(cfg, clock, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	// Fire 03:01, 03:02, 03:03, 03:04, each once the previous run ended.
	for _, want := range []string{"", "x\n", "x\n", "x\nx\n"} {
		ch := <-clock.wait
		ch <- clock.Now()
		for i := 0; i < 500 && (read(t, out) != want || d.busy()); i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}
	<-clock.wait // the loop waits for 03:05
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := read(t, out); got != "x\nx\n" {
		t.Fatalf("out = %q, want two runs (03:02, 03:04)", got)
	}
}

func (d *Daemon) busy() bool {
	d.runMu.Lock()
	defer d.runMu.Unlock()
	return len(d.running) > 0
}
