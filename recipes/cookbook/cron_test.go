package cookbook

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"webrunner/recipes/internal/files"
	"webrunner/recipes/recipestest"
)

func TestSystemdToCron(t *testing.T) {
	valid := map[string]string{
		"Sat,Mon-Thu,Sun":       "0 0 * * 0,1-4,6",
		"Wed, 17:48":            "48 17 * * 3",
		"*-*-7 0:0:0":           "0 0 7 * *",
		"10-15":                 "0 0 15 10 *",
		"monday *-12-* 17:00":   "00 17 * 12 1",
		"*-1/2-1,3 *:30":        "30 * 1,3 1-11/2 *",
		"08:05:00":              "05 08 * * *",
		"*:25/20":               "25-45/20 * * * *",
		"daily":                 "0 0 * * *",
		"weekly":                "0 0 * * 0",
		"minutely":              "* * * * *",
		"hourly":                "0 * * * *",
		"monthly":               "0 0 1 * *",
		"yearly":                "0 0 1 1 *",
		"FRIDAY 23:59":          "59 23 * * 5",
		"*-*-* 1:2":             "2 1 * * *",
		"Mon..Fri":              "", // not a day list: invalid
		"test":                  "",
		"":                      "",
		"7":                     "",
		"08:05:40":              "",
		"2003-03-05":            "",
		"24:0":                  "",
		"0:60":                  "",
		"Mon *-*-1":             "",
		"*:0/0":                 "",
		"a b c d":               "",
		"1:2:3:4":               "",
		"*-13-1":                "",
		"*-12-32":               "",
		"*:59/5":                "",
		"*-*-* *:*":             "* * * * *",
		"Tue..Thu *-*-* 0:0:00": "",
	}
	for in, want := range valid {
		got, err := systemdToCron(in)
		if want == "" {
			if err == nil {
				t.Errorf("systemdToCron(%q) = %q, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("systemdToCron(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCronAndCronD(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	entries := h.Path("etc/cron.d")
	os.MkdirAll(entries, 0o755)
	// The tutorial's sections: cron with the cronentries alias, and a
	// cron.d part made with "<= cron".
	cron := []string{"dcrond-binary", "/opt/dcron/sbin/crond", "cronentries", "/T/etc/cron.d",
		"crontabs", "/T/etc/crontabs", "cronstamps", "/T/etc/cronstamps",
		"catcher", "/T/bin/cron_simplelogger", "binary", h.Path("etc/service/crond")}
	os.MkdirAll(h.Path("etc/service"), 0o755)
	h.Add("cron", cron...)
	paths, err := h.Install(ctx, "slapos.cookbook:cron", "cron")
	if err != nil {
		t.Fatal(err)
	}
	// Output of the Python algorithm for the same arguments.
	want := "#!/bin/sh -e\nexec /opt/dcron/sbin/crond -s /T/etc/cron.d \\\n\t-c /T/etc/crontabs -t /T/etc/cronstamps \\\n\t-f -l 5 -M /T/bin/cron_simplelogger \"$@\"\n"
	if got := recipestest.Read(t, paths[0]); got != want || paths[0] != h.Path("etc/service/crond") {
		t.Errorf("crond wrapper:\n%s\nwant:\n%s", got, want)
	}
	cron[3] = entries
	h.Add("cron-entry-logrotate", append(cron, "name", "logrotate", "frequency", "0 * * * *", "command", "/srv/bin/logrotate")...)
	paths, err = h.Install(ctx, "slapos.cookbook:cron.d", "cron-entry-logrotate")
	if err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, entries+"/logrotate"); got != "0 * * * * /srv/bin/logrotate\n" || paths[0] != entries+"/logrotate" {
		t.Errorf("entry = %q, paths = %q", got, paths)
	}
	if m := recipestest.Mode(t, paths[0]); m != 0o666&^files.Umask() {
		t.Errorf("entry mode = %o", m)
	}
	h.Add("timed", "cron-entries", entries, "name", "t", "time", "Wed, 17:48", "command", "x")
	if _, err := h.Install(ctx, "slapos.cookbook:cron.d", "timed"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, entries+"/t"); got != "48 17 * * 3 x\n" {
		t.Errorf("timed entry = %q", got)
	}
	h.Add("bad", "cron-entries", entries, "name", "b", "time", "08:05:40", "command", "x")
	_, err = h.Install(ctx, "slapos.cookbook:cron.d", "bad")
	recipestest.ErrorContains(t, err, "Invalid systemd calendar spec '08:05:40'")
	h.Add("none", "cron-entries", entries, "name", "n", "command", "x")
	_, err = h.Install(ctx, "slapos.cookbook:cron.d", "none")
	recipestest.ErrorContains(t, err, "Missing one of 'frequency', 'once-a-day' or 'time' parameter")
	h.Add("random", "cron-entries", entries, "name", "r", "command", "x", "once-a-day", "true")
	if _, err := h.Install(ctx, "slapos.cookbook:cron.d", "random"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, entries+"/r"); !regexp.MustCompile(`^\d+ \d+ \* \* \* x\n$`).MatchString(got) {
		t.Errorf("once-a-day entry = %q", got)
	}
	// The time recorded in .installed.cfg is kept.
	os.WriteFile(h.Path(".installed.cfg"), []byte("[buildout]\nparts = random\n\n[random]\nperiodicity = 7 3 * * *\n"), 0o644)
	h.Add("buildout", "installed", h.Path(".installed.cfg"))
	if _, err := h.Install(ctx, "slapos.cookbook:cron.d", "random"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, entries+"/r"); got != "7 3 * * * x\n" {
		t.Errorf("once-a-day entry after a previous run = %q", got)
	}
}

func TestLogrotate(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	os.MkdirAll(h.Path("etc/logrotate.d"), 0o755)
	base := []string{"logrotate-binary", "/opt/logrotate/usr/sbin/logrotate", "gzip-binary", "/opt/gzip/bin/gzip",
		"gunzip-binary", "/opt/gzip/bin/gunzip", "wrapper", h.Path("bin/logrotate"), "conf", h.Path("etc/logrotate.conf"),
		"logrotate-entries", h.Path("etc/logrotate.d"), "backup", h.Path("srv/backup/logrotate"),
		"state-file", h.Path("srv/logrotate.status")}
	h.Add("logrotate", base...)
	paths, err := h.Install(ctx, "slapos.cookbook:logrotate", "logrotate")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("paths = %q", paths)
	}
	conf := recipestest.Read(t, h.Path("etc/logrotate.conf"))
	if conf != "compresscmd /opt/gzip/bin/gzip\ncompressoptions -9\nuncompresscmd /opt/gzip/bin/gunzip\ninclude "+h.Path("etc/logrotate.d") {
		t.Errorf("conf = %q", conf)
	}
	if m := recipestest.Mode(t, h.Path("etc/logrotate.conf")); m != 0o600 {
		t.Errorf("conf mode = %o", m)
	}
	wrapper := recipestest.Read(t, h.Path("bin/logrotate"))
	if wrapper != "#!/bin/sh -e\nexec /opt/logrotate/usr/sbin/logrotate -s \\\n\t"+h.Path("srv/logrotate.status")+" \\\n\t"+h.Path("etc/logrotate.conf")+" \\\n\t\"$@\"\n" {
		t.Errorf("wrapper = %q", wrapper)
	}

	// The tutorial's entry, "<= logrotate" plus options the recipe ignores.
	h.Add("logrotate-entry", append(base, "name", "helloworld-logrotate", "log", h.Path("var/log/log.log"),
		"frequency", "daily", "rotatep-num", "30", "post", "kill -USR1 $(cat pid)")...)
	paths, err = h.Install(ctx, "slapos.cookbook:logrotate.d", "logrotate-entry")
	if err != nil {
		t.Fatal(err)
	}
	want := h.Path("var/log/log.log") + " {\ndaily\ndateext\nrotate 3650\ncompress\ndelaycompress\nnotifempty\nsharedscripts\ncreate\nolddir " +
		h.Path("srv/backup/logrotate") + "\npostrotate\nkill -USR1 $(cat pid)\nendscript\n}\n"
	if got := recipestest.Read(t, h.Path("etc/logrotate.d/helloworld-logrotate")); got != want || paths[0] != h.Path("etc/logrotate.d/helloworld-logrotate") {
		t.Errorf("entry:\n%s\nwant:\n%s", got, want)
	}
	if m := recipestest.Mode(t, paths[0]); m != 0o600 {
		t.Errorf("entry mode = %o", m)
	}
	h.Add("noname", "logrotate-entries", h.Path("etc/logrotate.d"), "log", "a b", "backup", "/b", "pre", "x")
	if _, err := h.Install(ctx, "slapos.cookbook:logrotate.d", "noname"); err != nil {
		t.Fatal(err)
	}
	if got := recipestest.Read(t, h.Path("etc/logrotate.d/noname")); !strings.HasSuffix(got, "olddir /b\nprerotate\nx\nendscript\n}\n") {
		t.Errorf("entry named after its section = %q", got)
	}
	h.Add("missing", "logrotate-entries", "x")
	_, err = h.Install(ctx, "slapos.cookbook:logrotate.d", "missing")
	recipestest.ErrorContains(t, err, "Missing option: missing:log")
}

func TestSimplelogger(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	log := h.Path("cron.log")
	h.Add("logger", "wrapper", h.Path("bin/logger"), "log", log)
	paths, err := h.Install(ctx, "slapos.cookbook:simplelogger", "logger")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(paths[0])
	cmd.Stdin = strings.NewReader("test message line1\nline2\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := recipestest.Read(t, log)
	re := regexp.MustCompile(`^(\d{4}-\d\d-\d\d\.\d\d:\d\d\.\d+:) test message line1\n (\d{4}-\d\d-\d\d\.\d\d:\d\d\.\d+:) line2\n (\S+) ------------------------\n$`)
	m := re.FindStringSubmatch(got)
	if m == nil || m[1] != m[2] || m[1] != m[3] {
		t.Fatalf("log = %q", got)
	}
}
