// Package crond runs the jobs of dcron-style crontab directories, as the
// dcron daemon wrapped by slapos.cookbook:cron does (slapos.md §4.7), so that
// instances need no system cron.
package crond

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// A Job is one line of a crontab file.
type Job struct {
	File    string // crontab file the job comes from
	Line    int    // 1-based line number in File
	ID      string // stamp name: the ID= tag, else derived from File and Line
	Spec    string // the schedule as written: 5 fields or an @descriptor
	Command string // shell command
	Env     []string

	sched  cron.Schedule // set for 5-field jobs
	period time.Duration // set for @hourly, @daily… jobs, which run once per period
}

// fields parses the standard 5-field syntax: ranges, steps, lists and
// month/day names.
var fields = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// periods are dcron's frequency descriptors: such a job runs when its stamp
// is older than the period.
var periods = map[string]time.Duration{
	"@hourly":   time.Hour,
	"@daily":    24 * time.Hour,
	"@midnight": 24 * time.Hour,
	"@weekly":   7 * 24 * time.Hour,
	"@monthly":  30 * 24 * time.Hour,
	"@yearly":   365 * 24 * time.Hour,
	"@annually": 365 * 24 * time.Hour,
}

// ParseFile reads the crontab file path.
func ParseFile(path string) ([]Job, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads a crontab: blank lines and # comments are skipped, NAME=value
// lines set the environment of the jobs that follow, other lines are
// "<min> <hour> <dom> <month> <dow> [ID=name] command" or
// "@daily [ID=name] command". Errors name the file and line; every bad
// line is reported and the good ones are still returned.
func Parse(name string, r io.Reader) ([]Job, error) {
	var (
		jobs []Job
		env  []string
		errs []string
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		tok := strings.Fields(line)
		if k, _, ok := strings.Cut(tok[0], "="); ok && isEnvName(k) {
			env = append(env, strings.Replace(line, " = ", "=", 1))
			continue
		}
		j := Job{File: name, Line: n, Env: append([]string(nil), env...)}
		var rest []string
		if strings.HasPrefix(tok[0], "@") {
			p, ok := periods[strings.ToLower(tok[0])]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s:%d: unknown frequency %s", name, n, tok[0]))
				continue
			}
			j.Spec, j.period, rest = tok[0], p, tok[1:]
		} else {
			if len(tok) < 6 {
				errs = append(errs, fmt.Sprintf("%s:%d: want 5 time fields and a command", name, n))
				continue
			}
			spec := strings.Join(tok[:5], " ")
			s, err := fields.Parse(dow7(spec))
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s:%d: %v", name, n, err))
				continue
			}
			j.Spec, j.sched, rest = spec, s, tok[5:]
		}
		for len(rest) > 0 && (strings.HasPrefix(rest[0], "ID=") || strings.HasPrefix(rest[0], "AFTER=") || strings.HasPrefix(rest[0], "FREQ=")) {
			if id, ok := strings.CutPrefix(rest[0], "ID="); ok {
				j.ID = id
			}
			rest = rest[1:]
		}
		if len(rest) == 0 {
			errs = append(errs, fmt.Sprintf("%s:%d: missing command", name, n))
			continue
		}
		// Keep the command's own spacing: cut it from the original line.
		j.Command = line[strings.Index(line, rest[0]):]
		jobs = append(jobs, j)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Sprintf("%s: %v", name, err))
	}
	if len(errs) > 0 {
		return jobs, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return jobs, nil
}

// Due reports whether the job's schedule matches the minute of t; @period
// jobs are never due by schedule (see Daemon.RunDue).
func (j *Job) Due(t time.Time) bool {
	if j.sched == nil {
		return false
	}
	m := t.Truncate(time.Minute)
	return j.sched.Next(m.Add(-time.Second)).Equal(m)
}

// Period returns the period of an @hourly, @daily… job, or 0.
func (j *Job) Period() time.Duration { return j.period }

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return s != "ID" && s != "AFTER" && s != "FREQ"
}

// dow7 maps a day-of-week 7 (Sunday, accepted by cron), alone or ending a
// range, to 0, which is all the parser knows.
func dow7(spec string) string {
	f := strings.Fields(spec)
	parts := strings.Split(f[4], ",")
	for i, p := range parts {
		switch {
		case p == "7":
			parts[i] = "0"
		case strings.HasSuffix(p, "-7") && !strings.Contains(p, "/"):
			parts[i] = strings.TrimSuffix(p, "-7") + "-6,0"
		}
	}
	f[4] = strings.Join(parts, ",")
	return strings.Join(f, " ")
}
