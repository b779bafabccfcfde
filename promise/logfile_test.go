package promise

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLastResults(t *testing.T) {
	log := strings.Join([]string{
		"2024-01-02 03:00:00 - ERROR - 1704164400-101 - first failure",
		"2024-01-02 03:02:00 - INFO - 1704164520-202 - ok run",
		"2024-01-02 03:04:00 - INFO - 1704164640-303 - line one",
		"continued here",
		"and here",
		"2024-01-02 03:04:00 - ERROR - 1704164640-303 - bad thing",
		"",
		"2024-01-02 03:06:00 - WARNING - 1704164760-404 -   latest  ",
		"2024-01-02 03:06:00 - ERROR - 1704164760-404 - latest error",
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "p.log")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 1, 2, 3, 7, 0, 0, time.UTC)
	runs, err := LastResults(path, now, 0, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]LogRecord{
		{{"2024-01-02 03:06:00", "WARNING", "latest"}, {"2024-01-02 03:06:00", "ERROR", "latest error"}},
		{{"2024-01-02 03:04:00", "INFO", "line one\ncontinued here\nand here"}, {"2024-01-02 03:04:00", "ERROR", "bad thing"}},
		{{"2024-01-02 03:02:00", "INFO", "ok run"}},
	}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("runs =\n%q\nwant\n%q", runs, want)
	}
	runs, _ = LastResults(path, now, 0, 10, true)
	if len(runs) != 4 || len(runs[0]) != 1 || runs[0][0].Message != "latest error" || len(runs[2]) != 0 {
		t.Errorf("only failures: %q", runs)
	}
	// latest_minute: stop at lines not newer than now - 2 minutes.
	runs, _ = LastResults(path, now, 2, 10, false)
	if len(runs) != 1 {
		t.Errorf("latest 2 minutes: %q", runs)
	}
	if runs, err := LastResults(filepath.Join(t.TempDir(), "none.log"), now, 0, 1, false); runs != nil || err != nil {
		t.Errorf("missing file: %v, %v", runs, err)
	}
}

func TestLastResultsLargeFile(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		b.WriteString("2024-01-02 03:00:00 - INFO - 1704164400-" + itoa(100+i%900) + " - " + strings.Repeat("x", 40) + itoa(i) + "\n")
	}
	path := filepath.Join(t.TempDir(), "big.log")
	os.WriteFile(path, []byte(b.String()), 0o644)
	runs, err := LastResults(path, time.Now(), 0, 2, false)
	if err != nil || len(runs) != 2 || !strings.HasSuffix(runs[0][0].Message, "4999") || !strings.HasSuffix(runs[1][0].Message, "4998") {
		t.Errorf("runs = %q, %v", runs, err)
	}
}

func TestCheckResult(t *testing.T) {
	ok := []LogRecord{{Status: "INFO", Message: "fine"}}
	bad := []LogRecord{{Status: "INFO", Message: "a"}, {Status: "ERROR", Message: "b"}}
	crit := []LogRecord{{Status: "CRITICAL", Message: "c"}}
	for _, tc := range []struct {
		name    string
		runs    [][]LogRecord
		amount  int
		failed  bool
		message string
	}{
		{"no result", nil, 1, false, "No result found!"},
		{"latest ok", [][]LogRecord{ok, bad}, 1, false, "fine"},
		{"latest failed", [][]LogRecord{bad}, 1, true, "a\nb"},
		{"critical", [][]LogRecord{crit}, 1, true, "c"},
		{"two of three needed, one found", [][]LogRecord{bad, ok, ok}, 2, false, "a\nb"},
		{"ok runs do not reset", [][]LogRecord{bad, ok, bad}, 2, true, "a\nb"},
		{"three of three", [][]LogRecord{bad, bad, bad}, 3, true, "a\nb"},
		{"only two runs", [][]LogRecord{bad, bad}, 3, false, "a\nb"},
	} {
		failed, msg := checkResult(tc.runs, tc.amount)
		if failed != tc.failed || msg != tc.message {
			t.Errorf("%s: checkResult = %v %q, want %v %q", tc.name, failed, msg, tc.failed, tc.message)
		}
	}
}

func TestTruncateMessage(t *testing.T) {
	if s := truncateMessage("short"); s != "short" {
		t.Error(s)
	}
	long := strings.Repeat("é", 4000) + strings.Repeat("z", 1001)
	if s := truncateMessage(long); s != "..."+strings.Repeat("é", 3999)+strings.Repeat("z", 1001) {
		t.Errorf("truncated to %d runes", len([]rune(s)))
	}
}

func TestFormatLogLine(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	got := formatLogLine(at, "ERROR", "1704164645-123", "non-authenticated request to 'http://x/' failed (returned 404, expected 200)")
	want := "2024-01-02 03:04:05 - ERROR - 1704164645-123 - non-authenticated request to 'http://x/' failed (returned 404, expected 200)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	tid := transactionID(at)
	if !strings.HasPrefix(tid, "1704164645-") || len(tid) != len("1704164645-123") {
		t.Errorf("transaction id %q", tid)
	}
}

func TestLogDir(t *testing.T) {
	if got := LogDir("/srv/slappart0"); got != "/srv/slappart0/.slapgrid/promise/log" {
		t.Errorf("LogDir = %s", got)
	}
}
