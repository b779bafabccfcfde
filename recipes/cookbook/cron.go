package cookbook

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"webrunner/buildout"
	"webrunner/recipes/internal/option"
	"webrunner/recipes/jinja2/pyval"
)

func init() {
	buildout.Register("slapos.cookbook:cron", newCron)
	buildout.Register("slapos.cookbook:cron.d", newCronD)
}

// cronEntries returns the cron-entries option, or its alias cronentries
// (used by the SlapOS tutorial).
func cronEntries(opts *buildout.Options) (string, error) {
	if v, ok := opts.Get("cron-entries"); ok {
		return v, nil
	}
	if v, ok := opts.Get("cronentries"); ok {
		return v, nil
	}
	return "", fmt.Errorf("Missing option: %s:cron-entries", opts.Section())
}

// newCron makes slapos.cookbook:cron: a wrapper starting dcron in the
// foreground on the entries directory.
func newCron(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	return installer(func(ctx context.Context) ([]string, error) {
		get := func(k string) (string, error) { return option.Required(opts, k) }
		binary, err := get("binary")
		if err != nil {
			return nil, err
		}
		dcrond, err := get("dcrond-binary")
		if err != nil {
			return nil, err
		}
		entries, err := cronEntries(opts)
		if err != nil {
			return nil, err
		}
		crontabs, err := get("crontabs")
		if err != nil {
			return nil, err
		}
		stamps, err := get("cronstamps")
		if err != nil {
			return nil, err
		}
		catcher, err := get("catcher")
		if err != nil {
			return nil, err
		}
		args := []string{strings.TrimSpace(dcrond), "-s", entries, "-c", crontabs, "-t", stamps, "-f", "-l", "5", "-M", catcher}
		if l, ok := opts.Get("log-file"); ok && l != "" {
			args = append(args, "-L", l)
		}
		binary = option.Abs(h, binary)
		if err := (&wrapperScript{args: args}).write(binary); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{binary}, nil
	}), nil
}

// newCronD makes slapos.cookbook:cron.d: one crontab line in the entries
// directory, from frequency (crontab syntax) or time (systemd calendar).
func newCronD(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	var periodicity string
	if f, _ := opts.Get("frequency"); f != "" {
		periodicity = f
	} else if t, ok := opts.Get("time"); ok {
		p, err := systemdToCron(t)
		if err != nil {
			return nil, fmt.Errorf("Invalid systemd calendar spec %s", pyval.QuoteString(t))
		}
		periodicity = p
	} else if option.IsTrue(opts, "once-a-day") {
		// A random time, kept from one run to the next.
		prev, ok := previousOption(h, name, "periodicity")
		if !ok || prev == "" || prev == "0 0 * * *" {
			prev = fmt.Sprintf("%d %d * * *", rand.IntN(60), rand.IntN(24))
		}
		periodicity = prev
	} else {
		return nil, errors.New("Missing one of 'frequency', 'once-a-day' or 'time' parameter")
	}
	opts.Set("periodicity", periodicity)
	return installer(func(ctx context.Context) ([]string, error) {
		entries, err := cronEntries(opts)
		if err != nil {
			return nil, err
		}
		entryName, err := option.Required(opts, "name")
		if err != nil {
			return nil, err
		}
		command, err := option.Required(opts, "command")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(option.Abs(h, entries), entryName)
		if err := os.WriteFile(path, []byte(periodicity+" "+command+"\n"), 0o666); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{path}, nil
	}), nil
}

var (
	dayOfWeek = func() map[string]int {
		m := map[string]int{}
		for i, d := range strings.Fields("sunday monday tuesday wednesday thursday friday saturday") {
			m[d], m[d[:3]] = i, i
		}
		return m
	}()
	symbolicCron = map[string]string{
		"minutely": "* * * * *",
		"hourly":   "0 * * * *",
		"daily":    "0 0 * * *",
		"weekly":   "0 0 * * 0",
		"monthly":  "0 0 1 * *",
		"yearly":   "0 0 1 1 *",
	}
	errCalendar = errors.New("invalid calendar spec")
)

// systemdToCron converts a systemd.time(7) calendar spec to a crontab
// spec, with the rules of slapos.recipe.dcron.systemd_to_cron.
func systemdToCron(spec string) (string, error) {
	if c, ok := symbolicCron[spec]; ok {
		return c, nil
	}
	if strings.TrimSpace(spec) == "" {
		return "", errCalendar
	}
	fields := strings.Split(spec, " ")
	dow := "*"
	if d, ok := parseDays(fields[0]); ok {
		dow = d
		fields = fields[1:]
	}
	day := "*-*"
	if len(fields) > 0 {
		day, fields = fields[0], fields[1:]
	}
	var tm string
	switch {
	case len(fields) == 1:
		tm = fields[0]
	case len(fields) > 1:
		return "", errCalendar
	case strings.Contains(day, ":"):
		tm, day = day, "*-*"
	default:
		tm = "0:0"
	}
	days := strings.Split(day, "-")
	times := strings.Split(tm, ":")
	if len(days) > 2 {
		if days[0] != "*" {
			return "", errCalendar // years are not supported
		}
		days = days[1:]
	}
	if len(days) != 2 {
		return "", errCalendar
	}
	if dow != "*" && days[1] != "*" {
		return "", errCalendar // day of month with day of week
	}
	if len(times) > 2 {
		s, err := strconv.Atoi(times[len(times)-1])
		if err != nil || s != 0 {
			return "", errCalendar // seconds are not supported
		}
		times = times[:len(times)-1]
	}
	if len(times) != 2 {
		return "", errCalendar
	}
	out := []string{times[1], times[0], days[1], days[0], dow}
	ranges := [][2]int{{0, 60}, {0, 24}, {1, 31}, {1, 12}}
	for i, r := range ranges {
		if out[i] == "*" {
			continue
		}
		for _, x := range strings.Split(out[i], ",") {
			startText, stepText, hasStep := strings.Cut(x, "/")
			start, err := strconv.Atoi(startText)
			if err != nil {
				return "", errCalendar
			}
			a := start - r[0]
			if a < 0 || a >= r[1] {
				return "", errCalendar
			}
			if !hasStep {
				continue
			}
			step, err := strconv.Atoi(stepText)
			if err != nil || step <= 0 {
				return "", errCalendar
			}
			a = (r[1] - a - 1) / step * step
			if a == 0 {
				return "", errCalendar
			}
			out[i] = fmt.Sprintf("%d-%d/%d", start, start+a, step)
		}
	}
	return strings.Join(out, " "), nil
}

// parseDays parses a day-of-week list such as "Sat,Mon-Thu,Sun" into
// sorted cron text such as "0,1-4,6".
func parseDays(s string) (string, bool) {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x == "" {
			continue
		}
		var nums []string
		for _, d := range strings.SplitN(x, "-", 2) {
			n, ok := dayOfWeek[strings.ToLower(d)]
			if !ok {
				return "", false
			}
			nums = append(nums, strconv.Itoa(n))
		}
		out = append(out, strings.Join(nums, "-"))
	}
	sort.Strings(out)
	return strings.Join(out, ","), true
}
