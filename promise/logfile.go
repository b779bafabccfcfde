package promise

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"time"
)

// logDateLayout is the asctime format of promise log lines (local time).
const logDateLayout = "2006-01-02 15:04:05"

// logLineRE parses one promise log line: date, level, transaction id,
// message. Lines that do not match continue the message above them.
var logLineRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2})\s+-?\s*(\w+)\s+-?\s+(\d+-\d{3})\s+-?\s*(.*)`)

// maxMessage is the length (in characters) above which a result message
// keeps only its tail.
const maxMessage = 5000

// Log levels as they appear in promise log files.
const (
	levelInfo    = "INFO"
	levelWarning = "WARNING"
	levelError   = "ERROR"
)

// transactionID returns the id that tags every log line of one promise
// run: "<unix seconds>-<100..999>".
func transactionID(now time.Time) string {
	return fmt.Sprintf("%d-%d", now.Unix(), 100+rand.IntN(900))
}

// formatLogLine returns one log line (without newline) in the format of
// the Python promise logger.
func formatLogLine(t time.Time, level, tid, msg string) string {
	return t.Format(logDateLayout) + " - " + level + " - " + tid + " - " + msg
}

// logEntry is one message logged by a native promise during sense.
type logEntry struct {
	time  time.Time
	level string
	msg   string
}

// appendLog appends entries to the promise log file at path.
func appendLog(path, tid string, entries []logEntry) error {
	if len(entries) == 0 {
		return nil
	}
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString(formatLogLine(e.time, e.level, tid, e.msg))
		b.WriteByte('\n')
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// LogRecord is one message of a promise run read back from its log file.
type LogRecord struct {
	Date    string // "2006-01-02 15:04:05", local time
	Status  string // log level: INFO, WARNING, ERROR…
	Message string // with its continuation lines
}

// LastResults reads the promise log file at path backwards and returns
// the records of up to resultCount runs, most recent run first, each run
// in chronological order, like GenericPromise.getLastPromiseResultList.
// With latestMinute > 0, records older than now minus that many minutes
// are ignored. A missing file yields no runs.
func LastResults(path string, now time.Time, latestMinute, resultCount int, onlyFailure bool) ([][]LogRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	maxDate := ""
	if latestMinute > 0 {
		maxDate = now.Add(-time.Duration(latestMinute) * time.Minute).Format(logDateLayout)
	}
	var (
		runs     [][]LogRecord
		run      []LogRecord
		tid      string
		haveTID  bool
		count    int
		linePart string
	)
	err = scanLinesBackward(f, func(line string) bool {
		m := logLineRE.FindStringSubmatch(line)
		if m == nil {
			linePart = "\n" + line + linePart
			return true
		}
		date, level, id, msg := m[1], m[2], m[3], m[4]
		if maxDate != "" && date <= maxDate {
			return false
		}
		if !haveTID || id != tid {
			if haveTID {
				runs = append(runs, run)
				run = nil
			}
			count++
			if count > resultCount {
				return false
			}
			tid, haveTID = id, true
		}
		if !onlyFailure || level == levelError {
			rec := LogRecord{Date: date, Status: level, Message: strings.TrimSpace(msg + linePart)}
			run = append([]LogRecord{rec}, run...)
		}
		linePart = ""
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	return runs, nil
}

// scanLinesBackward calls fn with each non-empty line of f, last line
// first, until fn returns false.
func scanLinesBackward(f *os.File, fn func(string) bool) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	const chunk = 64 << 10
	off := st.Size()
	var carry []byte
	for off > 0 {
		n := int64(chunk)
		if off < n {
			n = off
		}
		off -= n
		buf := make([]byte, n, int(n)+len(carry))
		if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
			return err
		}
		data := append(buf, carry...)
		for {
			i := bytes.LastIndexByte(data, '\n')
			if i < 0 {
				break
			}
			if line := data[i+1:]; len(line) > 0 && !fn(string(line)) {
				return nil
			}
			data = data[:i]
		}
		carry = data
	}
	if len(carry) > 0 {
		fn(string(carry))
	}
	return nil
}

// evaluation says how a promise's test or anomaly check reads its log:
// GenericPromise._test/_anomaly(result_count, failure_amount).
type evaluation struct {
	resultCount   int
	failureAmount int
	latestMinute  int
	anomaly       bool // the result is an "Anomaly Result", else a "Test Result"
}

// checkResult evaluates the runs returned by LastResults: the latest run
// decides the message; the promise fails when the latest run logged an
// error and failureAmount of the inspected runs did.
func checkResult(runs [][]LogRecord, failureAmount int) (failed bool, message string) {
	if len(runs) == 0 {
		return false, "No result found!"
	}
	failed, message = readRun(runs[0])
	if !failed {
		return false, message
	}
	found := 1
	for i := 1; i < len(runs) && found < failureAmount; i++ {
		for _, r := range runs[i] {
			if isErrorLevel(r.Status) {
				found++
				break
			}
		}
	}
	return found == failureAmount, message
}

func readRun(run []LogRecord) (failed bool, message string) {
	var b strings.Builder
	for _, r := range run {
		if isErrorLevel(r.Status) {
			failed = true
		}
		b.WriteString("\n")
		b.WriteString(r.Message)
	}
	return failed, strings.TrimSpace(b.String())
}

func isErrorLevel(level string) bool { return level == levelError || level == "CRITICAL" }

// truncateMessage keeps the last maxMessage characters of a long message,
// prefixed with "...".
func truncateMessage(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	r := []rune(s)
	if len(r) <= maxMessage {
		return s
	}
	return "..." + string(r[len(r)-maxMessage:])
}
