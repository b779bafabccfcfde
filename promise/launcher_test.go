package promise

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLogLineAndResultJSONFormats(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	port := listen(t)
	path := writePlugin(t, dir, "nginx-port-listening.py", "check_socket_listening",
		map[string]string{"host": "127.0.0.1", "port": itoa(port)})
	refused := freePort(t)
	writePlugin(t, dir, "down.py", "check_socket_listening",
		map[string]string{"host": "127.0.0.1", "port": itoa(refused)})
	clock := newClock()
	l := newLauncher(t, dir, clock)
	_, err := l.Run(context.Background(), RunOptions{Force: true})
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if want := "Promise 'down.py' failed with output: ConnectionRefusedError: [Errno 111] Connection refused"; err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}

	// Log lines: "%(asctime)s - %(levelname)s - <tid> - %(message)s".
	okLog := readFile(t, filepath.Join(dir, logFolder, "nginx-port-listening.log"))
	wantOK := `^2024-01-02 03:04:05 - INFO - 1704164645-[1-9][0-9]{2} - socket connection OK \('127\.0\.0\.1', ` + itoa(port) + `\)\n$`
	if !regexp.MustCompile(wantOK).MatchString(okLog) {
		t.Errorf("log = %q, want match for %q", okLog, wantOK)
	}
	downLog := readFile(t, filepath.Join(dir, logFolder, "down.log"))
	wantDown := `^2024-01-02 03:04:05 - ERROR - 1704164645-[1-9][0-9]{2} - ConnectionRefusedError: \[Errno 111\] Connection refused\n$`
	if !regexp.MustCompile(wantDown).MatchString(downLog) {
		t.Errorf("log = %q, want match for %q", downLog, wantDown)
	}
	if m := logLineRE.FindStringSubmatch(strings.TrimSpace(downLog)); m == nil || m[2] != "ERROR" {
		t.Errorf("the spec's parser regexp does not read our line back: %q", downLog)
	}

	// Result JSON, byte for byte except the measured execution time.
	got := readFile(t, filepath.Join(dir, resultFolder, "nginx-port-listening.status.json"))
	want := `{"title": "nginx-port-listening", "name": "nginx-port-listening.py", "path": "` + path +
		`", "execution-time": EXEC, "result": {"type": "Test Result", "failed": false, "date": "2024-01-02T03:04:05+0000", "message": "socket connection OK ('127.0.0.1', ` + itoa(port) + `)"}}`
	re := "^" + strings.Replace(regexp.QuoteMeta(want), "EXEC", `(0\.[0-9]+|[1-9][0-9]*\.[0-9]+)`, 1) + "$"
	if !regexp.MustCompile(re).MatchString(got) {
		t.Errorf("status.json =\n%s\nwant\n%s", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, resultFolder, "nginx-port-listening.status.json.tmp")); !os.IsNotExist(err) {
		t.Errorf("temporary result file left behind: %v", err)
	}

	// Cache JSON.
	cache := readFile(t, filepath.Join(dir, cacheFolder, "nginx-port-listening"))
	wantCache := `^\{"is_tested": true, "is_anomaly_detected": true, "periodicity": 2\.0, "next_run_after": 1704164765\.0, "timestamp": 1704164645\.0, "module_file": "` +
		regexp.QuoteMeta(path) + `", "module_file_mtime": [0-9]+\.[0-9]+\}$`
	if !regexp.MustCompile(wantCache).MatchString(cache) {
		t.Errorf("cache = %s\nwant match for %s", cache, wantCache)
	}
}

func TestStatusFileSpecExample(t *testing.T) {
	msg := "socket connection OK ('2001:db8::1', 8081, 0, 0)"
	s := statusFile{
		Title: "nginx-port-listening", Name: "nginx-port-listening.py",
		Path: "/srv/slapgrid/slappart0/etc/plugin/nginx-port-listening.py", ExecutionTime: 0.1,
		Result: statusItem{Type: typeTest, Date: "2024-01-02T03:04:05+0000", Message: &msg},
	}
	want := `{"title": "nginx-port-listening", "name": "nginx-port-listening.py", "path": "/srv/slapgrid/slappart0/etc/plugin/nginx-port-listening.py", "execution-time": 0.1, "result": {"type": "Test Result", "failed": false, "date": "2024-01-02T03:04:05+0000", "message": "socket connection OK ('2001:db8::1', 8081, 0, 0)"}}`
	if got := string(s.marshal()); got != want {
		t.Errorf("marshal =\n%s\nwant\n%s", got, want)
	}
	s.Result.Message = nil
	steps := 3.0
	s.ExecutionTime = steps * 0.05 // as the launcher computes it
	if got := string(s.marshal()); !strings.Contains(got, `"execution-time": 0.15000000000000002,`) || !strings.HasSuffix(got, `"message": null}}`) {
		t.Errorf("marshal = %s", got)
	}
}

func TestPeriodicity(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	target := filepath.Join(dir, "flag")
	writePlugin(t, dir, "flag.py", "check_file_state", map[string]string{"filename": target, "state": "absent"})
	clock := newClock()
	l := newLauncher(t, dir, clock)
	run := func(force bool) (Result, error) {
		t.Helper()
		rs, err := l.Run(context.Background(), RunOptions{Force: force})
		if len(rs) != 1 {
			t.Fatalf("%d results", len(rs))
		}
		return rs[0], err
	}
	logLines := func() int {
		return strings.Count(readFile(t, filepath.Join(dir, logFolder, "flag.log")), "\n")
	}

	r, err := run(false)
	if err != nil || r.Status != StatusOK || r.Skipped {
		t.Fatalf("first run: %+v, %v", r, err)
	}
	clock.Advance(time.Minute)
	os.WriteFile(target, nil, 0o644) // now the promise would fail
	r, err = run(false)
	if err != nil || r.Status != StatusOK || !r.Skipped || r.Message != "OK '"+target+"' state 'absent'" {
		t.Fatalf("run within the period: %+v, %v; want the previous OK result", r, err)
	}
	if n := logLines(); n != 1 {
		t.Fatalf("promise ran within its period: %d log lines", n)
	}
	clock.Advance(time.Minute + time.Second)
	r, err = run(false)
	if r.Status != StatusFailed || r.Skipped || err == nil {
		t.Fatalf("run after the period: %+v, %v; want a new failed run", r, err)
	}
	clock.Advance(30 * time.Second)
	os.Remove(target)
	r, err = run(false)
	var perr *Error
	if r.Status != StatusFailed || !r.Skipped || !errors.As(err, &perr) {
		t.Fatalf("skipped run after a failure: %+v, %v; want the previous failure", r, err)
	}
	r, err = run(true)
	if r.Status != StatusOK || r.Skipped || err != nil {
		t.Fatalf("forced run: %+v, %v", r, err)
	}
	if n := logLines(); n != 3 {
		t.Errorf("%d log lines, want 3 runs", n)
	}
}

func TestFrequency(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	writePlugin(t, dir, "f.py", "check_command_execute", map[string]string{"command": "true", "frequency": "10"})
	clock := newClock()
	l := newLauncher(t, dir, clock)
	for i, tc := range []struct {
		advance time.Duration
		skipped bool
	}{{0, false}, {9 * time.Minute, true}, {time.Minute, false}} {
		clock.Advance(tc.advance)
		rs, err := l.Run(context.Background(), RunOptions{})
		if err != nil || len(rs) != 1 || rs[0].Skipped != tc.skipped {
			t.Fatalf("run %d: %+v, %v; want skipped=%v", i, rs, err, tc.skipped)
		}
	}
	if c := readCache(dir, "f"); c == nil || c.Periodicity != 10 {
		t.Errorf("cache = %+v", c)
	}
}

func TestAnomalyAfterThreeFailures(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	writePlugin(t, dir, "sock.py", "check_socket_listening", map[string]string{"host": "127.0.0.1", "port": itoa(freePort(t))})
	clock := newClock()
	l := newLauncher(t, dir, clock)
	var bangs []string
	l.Bang = func(ctx context.Context, title, message string) error {
		bangs = append(bangs, title+": "+message)
		return nil
	}
	for i, wantStatus := range []Status{StatusOK, StatusOK, StatusFailed, StatusFailed} {
		clock.Advance(2 * time.Minute)
		r, err := runOnly(t, l, "sock.py", RunOptions{CheckAnomaly: true})
		if r.Status != wantStatus || !r.Anomaly || r.Skipped {
			t.Fatalf("anomaly run %d: %+v, want %s", i+1, r, wantStatus)
		}
		if (err != nil) != (wantStatus == StatusFailed) {
			t.Fatalf("anomaly run %d: err = %v", i+1, err)
		}
		if r.Message != "ConnectionRefusedError: [Errno 111] Connection refused" {
			t.Errorf("message = %q", r.Message)
		}
	}
	if len(bangs) != 2 || bangs[0] != "sock: Promise sock is failing" {
		t.Errorf("bangs = %q, want one per failing anomaly run", bangs)
	}
	if log := readFile(t, filepath.Join(dir, logFolder, "sock.log")); !strings.Contains(log, " - INFO - ") || !strings.Contains(log, "Bang with message 'Promise sock is failing'.") {
		t.Errorf("log has no bang line:\n%s", log)
	}
	st, err := readStatus(dir, "sock")
	if err != nil || st.Result.Type != typeAnomaly || !st.Result.Failed {
		t.Errorf("status = %+v, %v", st, err)
	}
	// A test run still fails on the latest failure only.
	clock.Advance(2 * time.Minute)
	r, _ := runOnly(t, l, "sock.py", RunOptions{})
	if r.Status != StatusFailed || r.Anomaly {
		t.Errorf("test run: %+v", r)
	}
}

func TestLegacyPromises(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	writeLegacy(t, dir, "good", "#!/bin/sh\necho '  all good '\npwd >&2\n")
	writeLegacy(t, dir, "bad.sh", "#!/bin/sh\necho 127.0.0.1 on 80 isn\\'t listening >&2\nexit 127\n")
	os.WriteFile(filepath.Join(dir, legacyFolder, "not-executable"), []byte("#!/bin/sh\n"), 0o644)
	os.Mkdir(filepath.Join(dir, legacyFolder, "subdir"), 0o755)
	noShebang := writeLegacy(t, dir, "no-shebang", "echo hi\n")
	l := newLauncher(t, dir, newClock())
	rs, err := l.Run(context.Background(), RunOptions{Force: true})
	if len(rs) != 3 {
		t.Fatalf("results = %+v, want the 3 executable files only", rs)
	}
	byName := map[string]Result{}
	for _, r := range rs {
		byName[r.Name] = r
	}
	if r := byName["good"]; r.Status != StatusOK || r.Message != "all good \n"+dir || !r.Legacy {
		t.Errorf("good = %+v", r)
	}
	if r := byName["bad.sh"]; r.Status != StatusFailed || r.Message != "127.0.0.1 on 80 isn't listening" || r.Title != "bad" {
		t.Errorf("bad = %+v", r)
	}
	if r := byName["no-shebang"]; r.Status != StatusFailed || r.Message != "[Errno 8] Exec format error: '"+noShebang+"'" {
		t.Errorf("no-shebang = %+v", r)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "Promise '") {
		t.Errorf("err = %v", err)
	}
	// A multi-line message is one log record with continuation lines.
	log := readFile(t, filepath.Join(dir, logFolder, "good.log"))
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - INFO - \d+-\d{3} - all good \n` + regexp.QuoteMeta(dir) + `\n$`).MatchString(log) {
		t.Errorf("log = %q", log)
	}
	if c := readFile(t, filepath.Join(dir, cacheFolder, "good")); !strings.Contains(c, `"periodicity": 2,`) {
		t.Errorf("legacy cache periodicity must be the int 2: %s", c)
	}
}

// alive reports whether pid runs (a zombie counts as dead).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	for i := 0; i < 100; i++ {
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return pid
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", path)
	return 0
}

func TestTimeoutKillsProcessGroup(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	pids := filepath.Join(dir, "pids")
	os.Mkdir(pids, 0o755)
	// The promise, a background child, and a grandchild that ignores
	// SIGTERM all sleep forever.
	writeLegacy(t, dir, "forever", `#!/bin/sh
echo $$ > `+pids+`/shell
sleep 1000 &
echo $! > `+pids+`/child
sh -c 'trap "" TERM; echo $$ > `+pids+`/stubborn; while :; do sleep 0.05; done' &
wait
`)
	l := newLauncher(t, dir, newClock())
	l.Timeout = time.Second
	var ps []int
	t.Cleanup(func() {
		for _, pid := range ps {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	start := time.Now()
	r, err := runOnly(t, l, "forever", RunOptions{})
	if elapsed := time.Since(start); elapsed > 8*time.Second {
		t.Errorf("Run took %v after a 1 s timeout", elapsed)
	}
	for _, n := range []string{"shell", "child", "stubborn"} {
		ps = append(ps, readPid(t, filepath.Join(pids, n)))
	}
	if r.Status != StatusFailed || r.Message != "Error: Promise timed out after 1 seconds" {
		t.Errorf("result = %+v", r)
	}
	if err == nil || !strings.Contains(err.Error(), "timed out after 1 seconds") {
		t.Errorf("err = %v", err)
	}
	for i, pid := range ps {
		if alive(pid) {
			t.Errorf("process %d (%d) survived the timeout", i, pid)
		}
	}
	st, _ := readStatus(dir, "forever")
	if st == nil || st.ExecutionTime != 1 {
		t.Errorf("status = %+v, want execution-time 1", st)
	}
	// In anomaly mode a timeout fails only when the previous result failed.
	dir2 := newPartition(t)
	writeLegacy(t, dir2, "slow", "#!/bin/sh\nexec sleep 1000\n")
	l2 := newLauncher(t, dir2, newClock())
	l2.Timeout = 100 * time.Millisecond
	r1, _ := runOnly(t, l2, "slow", RunOptions{CheckAnomaly: true, Force: true})
	r2, _ := runOnly(t, l2, "slow", RunOptions{CheckAnomaly: true, Force: true})
	if r1.Status != StatusOK || r2.Status != StatusFailed || !r2.Anomaly {
		t.Errorf("anomaly timeouts: first %+v, second %+v", r1, r2)
	}
}

func TestRunWithGrace(t *testing.T) {
	t.Parallel()
	t.Run("late listener", func(t *testing.T) {
		t.Parallel()
		dir := newPartition(t)
		port := freePort(t)
		writePlugin(t, dir, "late.py", "check_socket_listening", map[string]string{"host": "127.0.0.1", "port": itoa(port)})
		writePlugin(t, dir, "fine.py", "check_command_execute", map[string]string{"command": "true"})
		l := newLauncher(t, dir, newClock())
		l.GracePeriod, l.RetryInterval = 5*time.Second, 50*time.Millisecond
		go func() {
			time.Sleep(200 * time.Millisecond)
			ln, err := net.Listen("tcp", "127.0.0.1:"+itoa(port))
			if err != nil {
				return
			}
			t.Cleanup(func() { ln.Close() })
		}()
		rs, err := l.RunWithGrace(context.Background(), RunOptions{Force: true})
		if err != nil || len(rs) != 2 {
			t.Fatalf("RunWithGrace = %+v, %v", rs, err)
		}
		for _, r := range rs {
			if r.Status != StatusOK {
				t.Errorf("%s: %+v", r.Name, r)
			}
		}
	})
	t.Run("still failing", func(t *testing.T) {
		t.Parallel()
		dir := newPartition(t)
		writePlugin(t, dir, "down.py", "check_socket_listening", map[string]string{"host": "127.0.0.1", "port": itoa(freePort(t))})
		l := newLauncher(t, dir, newClock())
		l.GracePeriod, l.RetryInterval = time.Second, 50*time.Millisecond
		rs, err := l.RunWithGrace(context.Background(), RunOptions{})
		var perr *Error
		if !errors.As(err, &perr) || perr.Name != "down.py" || len(rs) != 1 {
			t.Fatalf("RunWithGrace = %+v, %v", rs, err)
		}
		if n := strings.Count(readFile(t, filepath.Join(dir, logFolder, "down.log")), "\n"); n < 2 {
			t.Errorf("promise ran %d times, want retries", n)
		}
	})
	t.Run("disabled", func(t *testing.T) {
		t.Parallel()
		dir := newPartition(t)
		writePlugin(t, dir, "down.py", "check_socket_listening", map[string]string{"host": "127.0.0.1", "port": itoa(freePort(t))})
		l := newLauncher(t, dir, newClock())
		l.GracePeriod = -1
		if _, err := l.RunWithGrace(context.Background(), RunOptions{}); err == nil {
			t.Fatal("no error")
		}
		if n := strings.Count(readFile(t, filepath.Join(dir, logFolder, "down.log")), "\n"); n != 1 {
			t.Errorf("promise ran %d times without grace", n)
		}
	})
}

func TestDiscoveryAndOnly(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	writePlugin(t, dir, "a.py", "check_command_execute", map[string]string{"command": "true"})
	writePlugin(t, dir, "b.py", "check_command_execute", map[string]string{"command": "true"})
	os.WriteFile(filepath.Join(dir, pluginFolder, "__init__.pyc"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, pluginFolder, "gone.pyc"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, pluginFolder, "a.pyc"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, pluginFolder, "README.txt"), nil, 0o644)
	writeLegacy(t, dir, "leg", "#!/bin/sh\n")
	state := filepath.Join(dir, stateFolder)
	os.MkdirAll(filepath.Join(state, "history"), 0o755)
	os.MkdirAll(filepath.Join(dir, resultFolder), 0o755)
	for _, f := range []string{"a.py.timestamp", "promise_status.json", "global.json", "result/removed.status.json"} {
		os.WriteFile(filepath.Join(state, f), []byte("{}"), 0o644)
	}
	l := newLauncher(t, dir, newClock())

	rs, err := l.Run(context.Background(), RunOptions{Only: []string{"b"}})
	if err != nil || len(rs) != 1 || rs[0].Name != "b.py" {
		t.Fatalf("Only b: %+v, %v", rs, err)
	}
	if _, err := os.Stat(filepath.Join(state, "result/removed.status.json")); err != nil {
		t.Errorf("a restricted run removed stale results: %v", err)
	}
	rs, err = l.Run(context.Background(), RunOptions{Force: true})
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	if err != nil || len(rs) != 3 || names[2] != "leg" {
		t.Fatalf("all: %v, %v; want 2 plugins then the legacy promise", names, err)
	}
	for _, gone := range []string{"gone.pyc", "../../.slapgrid/promise/history", "../../.slapgrid/promise/a.py.timestamp",
		"../../.slapgrid/promise/promise_status.json", "../../.slapgrid/promise/global.json", "../../.slapgrid/promise/result/removed.status.json"} {
		if _, err := os.Stat(filepath.Join(dir, pluginFolder, gone)); !os.IsNotExist(err) {
			t.Errorf("%s not removed", gone)
		}
	}
	for _, kept := range []string{"a.pyc", "__init__.py"} {
		if _, err := os.Stat(filepath.Join(dir, pluginFolder, kept)); err != nil {
			t.Errorf("%s: %v", kept, err)
		}
	}
	if _, err := l.Run(context.Background(), RunOptions{Only: []string{"nope.py"}}); err == nil || !strings.Contains(err.Error(), `no promise named "nope.py"`) {
		t.Errorf("unknown name: err = %v", err)
	}

	loaded, err := l.LoadResults()
	if err != nil || len(loaded) != 3 {
		t.Fatalf("LoadResults = %+v, %v", loaded, err)
	}
	for _, r := range loaded {
		if r.Status != StatusOK || r.Checked.IsZero() {
			t.Errorf("loaded %+v", r)
		}
	}
	b, _ := json.Marshal(loaded[0])
	if !regexp.MustCompile(`"name":"[ab]\.py","status":"OK","message":"OK 'true' run with success","checked":"2024-01-02T03:04:05Z"`).Match(b) {
		t.Errorf("JSON = %s", b)
	}
	b, _ = json.Marshal(Result{Name: "x", Status: StatusUnknown})
	if !strings.Contains(string(b), `"checked":null`) {
		t.Errorf("JSON of an unchecked result = %s", b)
	}
}

func TestMissingFolders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := newLauncher(t, dir, newClock())
	rs, err := l.Run(context.Background(), RunOptions{})
	if err != nil || len(rs) != 0 {
		t.Fatalf("Run = %+v, %v", rs, err)
	}
	if _, err := (&Launcher{}).Run(context.Background(), RunOptions{}); err == nil {
		t.Error("a launcher without partition ran")
	}
}

func TestExtraConfigCollision(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	writePlugin(t, dir, "c.py", "check_command_execute", map[string]string{"command": "true", "path": "/x"})
	r, err := runOnly(t, newLauncher(t, dir, newClock()), "c.py", RunOptions{})
	want := "ValueError: Extra parameter name 'path' cannot be used.\n{'command': 'true', 'path': '/x'}"
	if r.Status != StatusFailed || r.Message != want || err == nil {
		t.Errorf("result = %+v, %v", r, err)
	}
}

func TestLongMessageTruncated(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	writeLegacy(t, dir, "long", "#!/bin/sh\nprintf 'x%.0s' $(seq 6000); echo END; exit 1\n")
	r, _ := runOnly(t, newLauncher(t, dir, newClock()), "long", RunOptions{})
	if len(r.Message) != 5003 || !strings.HasPrefix(r.Message, "...xxx") || !strings.HasSuffix(r.Message, "END") {
		t.Errorf("message of %d bytes: %.20q…", len(r.Message), r.Message)
	}
}

func TestCancelledRun(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	writeLegacy(t, dir, "slow", "#!/bin/sh\nexec sleep 1000\n")
	l := newLauncher(t, dir, newClock())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := l.Run(ctx, RunOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}

func killIfAlive(pid int) {
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

func TestInvalidPluginName(t *testing.T) {
	t.Parallel()
	dir := newPartition(t)
	writePlugin(t, dir, "1st.py", "check_command_execute", map[string]string{"command": "true"})
	r, err := runOnly(t, newLauncher(t, dir, newClock()), "1st.py", RunOptions{})
	if r.Status != StatusFailed || r.Message != "Error: No output returned by the promise\nValueError: Promise plugin name '1st.py' is not valid" || err == nil {
		t.Errorf("result = %+v, %v", r, err)
	}
}

func TestTimeoutValue(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{0, "20"}, {20 * time.Second, "20"}, {500 * time.Millisecond, "0.5"}, {1500 * time.Millisecond, "1.5"}} {
		l := &Launcher{Timeout: tc.d}
		if got := pyStr(l.timeoutValue()); got != tc.want {
			t.Errorf("timeout %v shown as %s, want %s", tc.d, got, tc.want)
		}
	}
}
