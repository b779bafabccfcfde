package logrotate

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// State maps each log path to the time it was last rotated (or first seen),
// as kept in logrotate's state file.
type State map[string]time.Time

const stateHeader = "logrotate state -- version 2"

// ReadState reads a state file; a missing file is an empty state.
func ReadState(path string) (State, error) {
	st := State{}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "logrotate state") {
			continue
		}
		name, date, err := splitStateLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		t, err := parseStateTime(date)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		st[name] = t
	}
	return st, nil
}

func splitStateLine(line string) (name, date string, err error) {
	if strings.HasPrefix(line, `"`) {
		end := strings.LastIndex(line, `"`)
		if end == 0 {
			return "", "", fmt.Errorf("unterminated quote")
		}
		name, date = strings.ReplaceAll(line[1:end], `\"`, `"`), strings.TrimSpace(line[end+1:])
	} else {
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			return "", "", fmt.Errorf("missing date")
		}
		name, date = line[:i], strings.TrimSpace(line[i+1:])
	}
	return name, date, nil
}

// parseStateTime reads "2024-1-2" or "2024-1-2-3:4:5" (local time).
func parseStateTime(s string) (time.Time, error) {
	var nums []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == ':' }) {
		v, err := strconv.Atoi(f)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad date %q", s)
		}
		nums = append(nums, v)
	}
	if len(nums) != 3 && len(nums) != 6 {
		return time.Time{}, fmt.Errorf("bad date %q", s)
	}
	nums = append(nums, 0, 0, 0)
	return time.Date(nums[0], time.Month(nums[1]), nums[2], nums[3], nums[4], nums[5], 0, time.Local), nil
}

// Write writes the state file atomically, in logrotate's format.
func (st State) Write(path string) error {
	names := make([]string, 0, len(st))
	for n := range st {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString(stateHeader + "\n")
	for _, n := range names {
		t := st[n]
		fmt.Fprintf(&b, "%q %d-%d-%d-%d:%d:%d\n", n, t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second())
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".logrotate-state-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
