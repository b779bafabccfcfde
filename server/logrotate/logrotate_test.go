package logrotate

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ls(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// run parses conf and runs one rotation at the given time with the state file.
func run(t *testing.T, conf, stateFile string, now time.Time, force bool) error {
	t.Helper()
	c, err := ParseFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	st, err := ReadState(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	r := &Rotator{Now: func() time.Time { return now }, Force: force}
	rerr := r.Run(context.Background(), c, st)
	if err := st.Write(stateFile); err != nil {
		t.Fatal(err)
	}
	return rerr
}

func day(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.Local) }

// TestSlapOSEntry runs the configuration slapos.cookbook:logrotate and
// logrotate.d write over several days: daily rotation into olddir with
// dateext, delayed compression by the configured gzip, kept count, create,
// and one shared postrotate per run.
func TestSlapOSEntry(t *testing.T) {
	gz, err := exec.LookPath("gzip")
	if err != nil {
		t.Fatal("gzip is needed for this test (apt-get install gzip)")
	}
	root := t.TempDir()
	logDir, backup, entries := filepath.Join(root, "var/log"), filepath.Join(root, "srv/backup/logrotate"), filepath.Join(root, "etc/logrotate.d")
	for _, d := range []string{logDir, backup, entries} {
		os.MkdirAll(d, 0o755)
	}
	conf := filepath.Join(root, "etc/logrotate.conf")
	// As the recipe writes it: no trailing newline.
	write(t, conf, "compresscmd "+gz+"\ncompressoptions -9\nuncompresscmd "+gz+" -d\ninclude "+entries)
	post := filepath.Join(root, "post.count")
	write(t, filepath.Join(entries, "app"), logDir+"/a.log "+logDir+"/b.log {\ndaily\ndateext\nrotate 3\ncompress\ndelaycompress\nnotifempty\nsharedscripts\ncreate\nolddir "+backup+
		"\npostrotate\n  echo \"$1\" >> "+post+"\nendscript\n}\n")
	state := filepath.Join(root, "srv/logrotate.status")

	write(t, filepath.Join(logDir, "a.log"), "a day 1\n")
	write(t, filepath.Join(logDir, "b.log"), "")
	if err := run(t, conf, state, day(1).Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if got := ls(t, backup); len(got) != 0 {
		t.Fatalf("first run rotated %v; a new log is only recorded", got)
	}
	for d := 2; d <= 6; d++ {
		if err := run(t, conf, state, day(d).Add(time.Hour), false); err != nil {
			t.Fatalf("day %d: %v", d, err)
		}
		write(t, filepath.Join(logDir, "a.log"), "a day "+string(rune('0'+d))+"\n")
	}
	// Rotated on days 2..6, 3 kept: 04 and 05 compressed, 06 not yet.
	want := []string{"a.log-20240104.gz", "a.log-20240105.gz", "a.log-20240106"}
	if got := ls(t, backup); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("backup = %v, want %v", got, want)
	}
	if got := gunzip(t, filepath.Join(backup, "a.log-20240105.gz")); got != "a day 4\n" {
		t.Errorf("a.log-20240105.gz holds %q", got)
	}
	if got := read(t, filepath.Join(backup, "a.log-20240106")); got != "a day 5\n" {
		t.Errorf("a.log-20240106 holds %q", got)
	}
	if fi, err := os.Stat(filepath.Join(logDir, "b.log")); err != nil || fi.Size() != 0 {
		t.Errorf("empty b.log must stay (notifempty): %v", err)
	}
	// Shared postrotate: once per run that rotated, with the patterns as $1.
	lines := strings.Split(strings.TrimSpace(read(t, post)), "\n")
	if len(lines) != 5 || lines[0] != logDir+"/a.log "+logDir+"/b.log" {
		t.Errorf("postrotate ran %d times: %q", len(lines), lines)
	}
	// Same day again: nothing to do.
	if err := run(t, conf, state, day(6).Add(5*time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if got := ls(t, backup); len(got) != 3 {
		t.Errorf("second run the same day changed the backup: %v", got)
	}
	if !strings.Contains(read(t, state), `"`+logDir+`/a.log" 2024-1-6-1:0:0`) {
		t.Errorf("state file:\n%s", read(t, state))
	}
}

// TestNumberedCopyTruncate forces numbered rotations with copytruncate and
// immediate built-in compression.
func TestNumberedCopyTruncate(t *testing.T) {
	root := t.TempDir()
	log := filepath.Join(root, "app.log")
	conf := filepath.Join(root, "conf")
	write(t, conf, `"`+log+`" {
  weekly
  rotate 2
  compress
  copytruncate
  missingok
}
`+root+"/missing.log {\n  missingok\n}\n")
	state := filepath.Join(root, "state")
	for i := 1; i <= 4; i++ {
		write(t, log, strings.Repeat("x", i)+"\n")
		if err := run(t, conf, state, day(1), true); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(log); err != nil || fi.Size() != 0 {
			t.Fatalf("run %d: log not truncated in place: %v", i, err)
		}
	}
	want := []string{"app.log", "app.log.1.gz", "app.log.2.gz", "conf", "state"}
	if got := ls(t, root); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files = %v, want %v", got, want)
	}
	if got := gunzip(t, filepath.Join(root, "app.log.1.gz")); got != "xxxx\n" {
		t.Errorf("app.log.1.gz = %q", got)
	}
	if got := gunzip(t, filepath.Join(root, "app.log.2.gz")); got != "xxx\n" {
		t.Errorf("app.log.2.gz = %q", got)
	}
}

// TestNumberedDelayCompress checks the shift of log.1 to log.2.gz.
func TestNumberedDelayCompress(t *testing.T) {
	root := t.TempDir()
	log := filepath.Join(root, "l")
	conf := filepath.Join(root, "conf")
	write(t, conf, log+" {\nrotate 5\ncompress\ndelaycompress\ncreate 0600\n}\n")
	for i := 1; i <= 3; i++ {
		write(t, log, strings.Repeat("y", i))
		if err := run(t, conf, filepath.Join(root, "state"), day(i), true); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"conf", "l", "l.1", "l.2.gz", "l.3.gz", "state"}
	if got := ls(t, root); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files = %v, want %v", got, want)
	}
	if read(t, filepath.Join(root, "l.1")) != "yyy" || gunzip(t, filepath.Join(root, "l.3.gz")) != "y" {
		t.Error("wrong contents after shifting")
	}
	if fi, _ := os.Stat(log); fi.Mode().Perm() != 0o600 {
		t.Errorf("created log mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestMissingAndErrors(t *testing.T) {
	root := t.TempDir()
	conf := filepath.Join(root, "conf")
	write(t, conf, root+"/nope.log {\ndaily\n}\n")
	err := run(t, conf, filepath.Join(root, "state"), day(1), true)
	if err == nil || !strings.Contains(err.Error(), conf+":1: stat of "+root+"/nope.log failed") {
		t.Fatalf("err = %v", err)
	}
	for name, src := range map[string]string{
		"endscript": "x {\npostrotate\necho\n}\n",
		"brace":     "x {\ndaily\n",
		"rotate":    "x {\nrotate many\n}\n",
	} {
		write(t, conf, src)
		if _, err := ParseFile(conf); err == nil || !strings.Contains(err.Error(), conf+":") {
			t.Errorf("%s: err = %v, want one naming %s:LINE", name, err, conf)
		}
	}
	write(t, conf, "frobnicate\nx {\nsu root root\n}\n")
	c, err := ParseFile(conf)
	if err != nil || len(c.Warnings) != 2 || !strings.HasPrefix(c.Warnings[0], conf+":1: unknown option 'frobnicate'") {
		t.Fatalf("warnings = %q, err %v", c.Warnings, err)
	}
}

func TestStateRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state")
	write(t, p, "logrotate state -- version 2\n\"/var/log/a b.log\" 2024-3-4-5:6:7\n/old/format.log 2023-12-31\n")
	st, err := ReadState(p)
	if err != nil {
		t.Fatal(err)
	}
	if !st["/var/log/a b.log"].Equal(time.Date(2024, 3, 4, 5, 6, 7, 0, time.Local)) || st["/old/format.log"].Day() != 31 {
		t.Fatalf("state = %v", st)
	}
	if err := st.Write(p); err != nil {
		t.Fatal(err)
	}
	st2, err := ReadState(p)
	if err != nil || len(st2) != 2 || !st2["/var/log/a b.log"].Equal(st["/var/log/a b.log"]) {
		t.Fatalf("reread %v %v", st2, err)
	}
}
