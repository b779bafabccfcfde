package promise

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"webrunner/recipes/jinja2/pyval"
)

// Folders of a partition used by the promise engine.
const (
	pluginFolder = "etc/plugin"
	legacyFolder = "etc/promise"
	stateFolder  = ".slapgrid/promise"
	logFolder    = ".slapgrid/promise/log"
	resultFolder = ".slapgrid/promise/result"
	cacheFolder  = ".slapgrid/promise/cache"
)

// resultDateLayout is the format of the "date" of a result JSON (UTC).
const resultDateLayout = "2006-01-02T15:04:05+0000"

// Result types as written in the result JSON.
const (
	typeTest    = "Test Result"
	typeAnomaly = "Anomaly Result"
)

// statusFile is the content of .slapgrid/promise/result/<title>.status.json.
type statusFile struct {
	Title         string     `json:"title"`
	Name          string     `json:"name"`
	Path          string     `json:"path"`
	ExecutionTime float64    `json:"execution-time"`
	Result        statusItem `json:"result"`
}

type statusItem struct {
	Type    string  `json:"type"`
	Failed  bool    `json:"failed"`
	Date    string  `json:"date"`
	Message *string `json:"message"`
}

// marshal encodes s exactly as Python's json.dump does.
func (s *statusFile) marshal() []byte {
	var b strings.Builder
	b.WriteString(`{"title": ` + pyval.JSONString(s.Title))
	b.WriteString(`, "name": ` + pyval.JSONString(s.Name))
	b.WriteString(`, "path": ` + pyval.JSONString(s.Path))
	b.WriteString(`, "execution-time": ` + pyFloat(s.ExecutionTime))
	b.WriteString(`, "result": {"type": ` + pyval.JSONString(s.Result.Type))
	b.WriteString(`, "failed": ` + strconv.FormatBool(s.Result.Failed))
	b.WriteString(`, "date": ` + pyval.JSONString(s.Result.Date))
	b.WriteString(`, "message": `)
	if s.Result.Message == nil {
		b.WriteString("null")
	} else {
		b.WriteString(pyval.JSONString(*s.Result.Message))
	}
	b.WriteString("}}")
	return []byte(b.String())
}

// writeStatus writes the result JSON of title atomically (tmp + rename).
func writeStatus(partition, title string, s *statusFile) error {
	path := filepath.Join(partition, resultFolder, title+".status.json")
	return writeAtomic(path, s.marshal())
}

// readStatus reads the last result JSON of title; it returns nil, nil when
// there is none.
func readStatus(partition, title string) (*statusFile, error) {
	path := filepath.Join(partition, resultFolder, title+".status.json")
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var s statusFile
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("bad promise JSON result at %s: %w", path, err)
	}
	if s.Result.Type != typeTest && s.Result.Type != typeAnomaly {
		return nil, fmt.Errorf("bad promise JSON result at %s: unknown result type %q", path, s.Result.Type)
	}
	return &s, nil
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// cacheFile is the periodicity cache .slapgrid/promise/cache/<title>.
type cacheFile struct {
	IsTested          bool    `json:"is_tested"`
	IsAnomalyDetected bool    `json:"is_anomaly_detected"`
	Periodicity       float64 `json:"periodicity"`
	NextRunAfter      float64 `json:"next_run_after"`
	Timestamp         float64 `json:"timestamp"`
	ModuleFile        string  `json:"module_file"`
	ModuleFileMtime   float64 `json:"module_file_mtime"`
}

// marshal encodes c as Python's json.dumps does; periodicity is written
// as an integer when intPeriodicity is set (setPeriodicity(minute=2)).
func (c *cacheFile) marshal(intPeriodicity bool) []byte {
	per := pyFloat(c.Periodicity)
	if intPeriodicity {
		per = strconv.FormatFloat(c.Periodicity, 'f', -1, 64)
	}
	return fmt.Appendf(nil, `{"is_tested": %t, "is_anomaly_detected": %t, "periodicity": %s, "next_run_after": %s, "timestamp": %s, "module_file": %s, "module_file_mtime": %s}`,
		c.IsTested, c.IsAnomalyDetected, per, pyFloat(c.NextRunAfter), pyFloat(c.Timestamp),
		pyval.JSONString(c.ModuleFile), pyFloat(c.ModuleFileMtime))
}

// readCache loads the periodicity cache of title; an invalid cache or one
// whose module file is gone is ignored (nil).
func readCache(partition, title string) *cacheFile {
	data, err := os.ReadFile(filepath.Join(partition, cacheFolder, title))
	if err != nil {
		return nil
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return nil
	}
	if _, ok := raw["module_file"]; !ok {
		return nil
	}
	var c cacheFile
	if json.Unmarshal(data, &c) != nil {
		return nil
	}
	if _, err := os.Stat(c.ModuleFile); err != nil {
		return nil
	}
	return &c
}

// unixSeconds returns t as Python's time.time() float.
func unixSeconds(t time.Time) float64 {
	return float64(t.UnixMicro()) / 1e6
}

// LogDir returns the folder of the promise log files of a partition,
// <partition>/.slapgrid/promise/log, one <title>.log per promise.
func LogDir(partitionDir string) string {
	return filepath.Join(partitionDir, logFolder)
}
