package promise

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"webrunner/buildout/proc"
)

// pythonFiles is the slapos.grid.promise compatibility package, a minimal
// zope.interface fallback and the runner script, extracted to a temporary
// directory when a run needs Python.
//
//go:embed all:python
var pythonFiles embed.FS

// pythonRequest is what the Python runner reads on stdin.
type pythonRequest struct {
	Config       map[string]any `json:"config"`
	ResultFile   string         `json:"result_file"`
	CacheFile    string         `json:"cache_file"`
	Timestamp    float64        `json:"timestamp"`
	CheckAnomaly bool           `json:"check_anomaly"`
	CanBang      bool           `json:"can_bang"`
}

// pythonResult is what the Python runner writes to its result file: the
// promise's PromiseQueueResult item.
type pythonResult struct {
	Empty         bool    `json:"empty"`
	Type          string  `json:"type"`
	Failed        bool    `json:"failed"`
	Message       *string `json:"message"`
	Date          string  `json:"date"`
	Bang          bool    `json:"bang"`
	TransactionID string  `json:"transaction_id"`
}

// pythonInterpreter returns the interpreter path, or an error saying why
// there is none.
func (l *Launcher) pythonInterpreter() (string, error) {
	name := l.Python
	if name == "" {
		name = "python3"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("Python interpreter %q not found: %v", name, err)
	}
	return path, nil
}

// extractShim writes the embedded Python files to a new temporary
// directory, once per run.
func (rs *runState) extractShim() (string, error) {
	if rs.shimDir != "" {
		return rs.shimDir, nil
	}
	dir, err := os.MkdirTemp("", "webrunner-promise-")
	if err != nil {
		return "", err
	}
	err = fs.WalkDir(pythonFiles, "python", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := pythonFiles.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("extract Python promise support: %w", err)
	}
	rs.shimDir = dir
	return dir, nil
}

// close removes what the run extracted.
func (rs *runState) close() {
	if rs.shimDir != "" {
		os.RemoveAll(rs.shimDir)
		rs.shimDir = ""
	}
}

// runPython runs a plugin promise in a Python child process through the
// compatibility package; the child logs, evaluates and writes the cache
// itself, and hands its result back in a file.
func (l *Launcher) runPython(ctx context.Context, e entry, rs *runState) (outcome, bool) {
	python, err := l.pythonInterpreter()
	if err != nil {
		return outcome{unknown: fmt.Sprintf("cannot run promise %s: it needs Python (no native implementation) and %v", e.name, err)}, false
	}
	shim, err := rs.extractShim()
	if err != nil {
		return outcome{unknown: fmt.Sprintf("cannot run promise %s: %v", e.name, err)}, false
	}
	resultFile := filepath.Join(shim, e.title+".result.json")
	os.Remove(resultFile)
	cfg := map[string]any{}
	base, _ := l.baseConfig(e, nil)
	for _, it := range base.items {
		if it.Key != "queue" {
			cfg[it.Key] = it.Value
		}
	}
	req := pythonRequest{
		Config:       cfg,
		ResultFile:   resultFile,
		CacheFile:    filepath.Join(l.PartitionDir, cacheFolder, e.title),
		Timestamp:    unixSeconds(l.now()),
		CheckAnomaly: rs.opts.CheckAnomaly,
		CanBang:      rs.opts.CheckAnomaly && !rs.bangCalled,
	}
	stdin, err := json.Marshal(req)
	if err != nil {
		return l.failureOutcome(e, rs, err.Error()), false
	}
	cmd := proc.Command(ctx, killGrace, python, filepath.Join(shim, "python", "runpromise.py"))
	cmd.Dir = l.PartitionDir
	cmd.Stdin = strings.NewReader(string(stdin))
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	var tail []string
	log := l.logger()
	runErr := proc.Run(cmd, func(line string) {
		log.Debug(line, "promise", e.name)
		tail = append(tail, line)
		if len(tail) > 50 {
			tail = tail[1:]
		}
	})
	if ctx.Err() != nil {
		return outcome{}, true
	}
	data, err := os.ReadFile(resultFile)
	var res pythonResult
	if err == nil {
		err = json.Unmarshal(data, &res)
	}
	if err != nil {
		for _, line := range tail {
			log.Error(line, "promise", e.name)
		}
		msg := "Error: No output returned by the promise"
		if last := lastNonEmpty(tail); last != "" {
			msg += "\n" + last
		} else if runErr != nil && !isExitError(runErr) {
			msg += "\n" + runErr.Error()
		}
		return l.failureOutcome(e, rs, msg), false
	}
	if res.Empty {
		return outcome{empty: true}, false
	}
	date, err := time.Parse(resultDateLayout, res.Date)
	if err != nil {
		date = l.now()
	}
	return outcome{typ: res.Type, failed: res.Failed, message: res.Message, date: date,
		bang: res.Bang, tid: res.TransactionID}, false
}

func lastNonEmpty(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return ""
}

func isExitError(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
}
