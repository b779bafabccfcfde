package sample_test

// The SlapOS tutorial (docs/tutorial.md), step by step, against a real
// "webrunner serve" on a temporary workspace: every edit goes through the
// files API, md5 sums through the MD5 API, builds through the build API and
// its websocket, and each step checks real files, processes and API answers.

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"webrunner/server/servertest"
)

const (
	software = "project/software/helloworld/software.cfg"
	instance = "project/software/helloworld/instance.cfg.in"
	hashFile = "project/software/helloworld/buildout.hash.cfg"
	// buildTimeout bounds one build of the sample (it compiles a Go program).
	buildTimeout = 3 * time.Minute
)

type instanceInfo struct {
	State      string
	Parameters map[string]any
	Connection map[string]any
	Processes  []struct {
		Name, Kind, State string
		Pid               *int
	}
	Promises []struct {
		Name, Status, Message string
	}
}

func getInstance(t *testing.T, s *servertest.Server) instanceInfo {
	t.Helper()
	var info instanceInfo
	if st := s.Do("GET", "/api/instance", nil, &info); st != 200 {
		t.Fatalf("GET /api/instance: status %d", st)
	}
	return info
}

// insertAfter inserts text on the line after the first line equal to anchor.
func insertAfter(t *testing.T, content, anchor, text string) string {
	t.Helper()
	lines := strings.SplitAfter(content, "\n")
	for i, l := range lines {
		if strings.TrimRight(l, "\n") == anchor {
			return strings.Join(lines[:i+1], "") + text + strings.Join(lines[i+1:], "")
		}
	}
	t.Fatalf("line %q not found in:\n%s", anchor, content)
	return ""
}

func updateMD5(t *testing.T, s *servertest.Server) {
	t.Helper()
	var out struct {
		Updated []struct{ Section, Filename, Old, New string }
		Error   string
	}
	if st := s.Do("POST", "/api/md5", map[string]string{"path": hashFile}, &out); st != 200 {
		t.Fatalf("POST /api/md5: status %d: %s", st, out.Error)
	}
}

func mustBuild(t *testing.T, s *servertest.Server, target string) *servertest.Build {
	t.Helper()
	b := s.RunBuild(target, buildTimeout)
	if b.State != "succeeded" {
		t.Fatalf("build %d: state %s, error %q\n%s", b.ID, b.State, b.Error, b.Text())
	}
	return b
}

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestTutorial(t *testing.T) {
	s := servertest.Start(t, "")
	part := filepath.Join(s.Workspace, "instance", "slappart0")

	t.Run("sample", func(t *testing.T) {
		mustBuild(t, s, "all")
		info := getInstance(t, s)
		if got := info.Connection["name"]; got != "Hello John Doe!" {
			t.Fatalf("connection name = %v, want Hello John Doe!", got)
		}
		u, _ := info.Connection["url.go"].(string)
		if !strings.HasPrefix(u, "http://") {
			t.Fatalf("url.go = %q, want an http:// URL", u)
		}
		if st, body := httpGet(t, u); st != 200 || !strings.Contains(body, "Hello John Doe!") {
			t.Fatalf("GET %s = %d %q", u, st, body)
		}
	})

	t.Run("1-parameter", func(t *testing.T) {
		s.EditFile(instance, func(c string) string {
			c = insertAfter(t, c, "configuration.name = John Doe",
				"# Default value of the parameter \"title\" (empty).\nconfiguration.title =\n")
			return insertAfter(t, c, "name = Hello ${instance-parameter:configuration.name}!",
				"title = Title ${instance-parameter:configuration.title}!\n")
		})
		// Without the md5 update, the software build must stop on the mismatch.
		b := s.RunBuild("all", buildTimeout)
		if b.State != "failed" || !strings.Contains(b.Error, "MD5 checksum mismatch") {
			t.Fatalf("build with a stale md5: state %s, error %q", b.State, b.Error)
		}
		if !strings.Contains(b.Text(), "MD5 checksum mismatch") {
			t.Fatalf("the md5 mismatch was not streamed:\n%s", b.Text())
		}

		updateMD5(t, s)
		mustBuild(t, s, "all")
		if got := getInstance(t, s).Connection["title"]; got != "Title !" {
			t.Fatalf("title = %v, want %q", got, "Title !")
		}

		if st := s.Do("PUT", "/api/instance/parameters", map[string]any{"parameters": map[string]string{"title": "Foo"}}, nil); st != 200 {
			t.Fatalf("PUT /api/instance/parameters: status %d", st)
		}
		mustBuild(t, s, "instance")
		if got := getInstance(t, s).Connection["title"]; got != "Title Foo!" {
			t.Fatalf("title = %v, want %q", got, "Title Foo!")
		}
	})

	t.Run("2-feature", func(t *testing.T) {
		s.WriteFile("project/software/helloworld/template/rendered.in",
			"{% if title %}\n{{ title }}\n{% endif %}\nTitle: {{ name }}!\n")
		s.EditFile(software, func(c string) string {
			c = insertAfter(t, c, "  instance-profile", "  template-get\n")
			c = insertAfter(t, c, "  raw template_monitor ${monitor2-template:output}",
				"  section template_get template-get\n")
			return c + `
[template-get]
# Retrieve the Jinja2 template. "location" only shares the information
# through buildout.
recipe = hexagonit.recipe.download
url = ${:_profile_base_location_}/template/${:filename}
location = ${buildout:parts-directory}/${:_buildout_section_name_}
filename = rendered.in
download-only = true
`
		})
		s.EditFile(instance, func(c string) string {
			c = insertAfter(t, c, "  publish-connection-parameter", "  template-creation\n")
			c = insertAfter(t, c, "var = ${:home}/var",
				"# Folder which will contain the rendered template\ndata = ${:home}/srv/data\n")
			return c + `
[template-creation]
recipe = slapos.recipe.template:jinja2
# template_get comes from the [instance-profile] context of software.cfg
template = {{ template_get['location'] }}/{{ template_get['filename'] }}
# Where the rendered file goes
rendered = ${directory:data}/data1.txt
mode = 700
context =
  key name instance-parameter:configuration.name
  key title instance-parameter:configuration.title
`
		})
		updateMD5(t, s)
		mustBuild(t, s, "all")
		data := filepath.Join(part, "srv", "data", "data1.txt")
		checkFile(t, data, "\nFoo\n\nTitle: John Doe!", 0o700)

		// The inline variant of the tutorial.
		s.EditFile(instance, func(c string) string {
			return strings.Replace(c,
				"template = {{ template_get['location'] }}/{{ template_get['filename'] }}\n",
				"{% raw %}\ntemplate = inline:\n  ----------------------------------\n  Title : {{title}}\n  ----------------------------------\n  Hello {{name}}\n{% endraw %}\n", 1)
		})
		updateMD5(t, s)
		mustBuild(t, s, "all")
		checkFile(t, data, "----------------------------------\nTitle : Foo\n----------------------------------\nHello John Doe", 0o700)
	})

	t.Run("3-component", func(t *testing.T) {
		s.EditFile(software, func(c string) string {
			c = insertAfter(t, c, "  ../../component/helloweb/buildout.cfg",
				"# Add needed components\n  ../../component/dcron/buildout.cfg\n  ../../component/logrotate/buildout.cfg\n  ../../component/gzip/buildout.cfg\n")
			c = insertAfter(t, c, "  template-get", "# Deployment of new components.\n  dcron\n  logrotate\n  gzip\n")
			return insertAfter(t, c, "  section template_get template-get",
				"  raw dcron_location ${dcron:location}\n  raw logrotate_location ${logrotate:location}\n  raw gzip_location ${gzip:location}\n")
		})
		const sections = `
[cron]
recipe = slapos.cookbook:cron
dcrond-binary = DCRON/sbin/crond
cronentries = ${directory:cronentries}
crontabs = ${directory:crontabs}
cronstamps = ${directory:cronstamps}
catcher = ${cron-simplelogger:wrapper}
binary = ${directory:service}/crond

[cron-simplelogger]
recipe = slapos.cookbook:simplelogger
wrapper = ${directory:bin}/cron_simplelogger
log = ${directory:log}/cron.log

[cron-entry-logrotate]
<= cron
recipe = slapos.cookbook:cron.d
name = logrotate
frequency = 0 * * * *
command = ${logrotate:wrapper}

[logrotate]
recipe = slapos.cookbook:logrotate
logrotate-binary = LOGROTATE/usr/sbin/logrotate
gzip-binary = GZIP/bin/gzip
gunzip-binary = GZIP/bin/gunzip
wrapper = ${directory:bin}/logrotate
conf = ${directory:etc}/logrotate.conf
logrotate-entries = ${directory:logrotate-entries}
backup = ${directory:logrotate-backup}
state-file = ${directory:srv}/logrotate.status

[logrotate-entry-helloworld]
<= logrotate
recipe = slapos.cookbook:logrotate.d
name = helloworld-logrotate
log = ${directory:log}/log.log
frequency = daily
rotatep-num = 30
sharedscripts = true
notifempty = true
create = true
`
		directories := `bin = ${:home}/bin
srv = ${:home}/srv
data = ${:srv}/data
cronentries = ${:etc}/cron.d
crontabs = ${:etc}/crontabs
cronstamps = ${:etc}/cronstamps
backup = ${:srv}/backup
logrotate-backup = ${:backup}/logrotate
logrotate-entries = ${:etc}/logrotate.d
`
		edit := func(dcron, logrotate, gzip string) func(string) string {
			return func(c string) string {
				c = insertAfter(t, c, "  template-creation", "  cron\n  cron-entry-logrotate\n  logrotate-entry-helloworld\n")
				c = strings.Replace(c, "data = ${:home}/srv/data\n", directories, 1)
				r := strings.NewReplacer("DCRON", dcron, "LOGROTATE", logrotate, "GZIP", gzip)
				return c + r.Replace(sections)
			}
		}
		original, _ := s.ReadFile(instance)

		// Typed verbatim, the software-side references cannot resolve in
		// the instance: the error must say which one, where, and hint.
		s.EditFile(instance, edit("${dcron:location}", "${logrotate:location}", "${gzip:location}"))
		updateMD5(t, s)
		b := s.RunBuild("all", buildTimeout)
		if b.State != "failed" {
			t.Fatalf("verbatim tutorial text: build %s, want failed", b.State)
		}
		// The instance's buildout.cfg is the rendered instance profile.
		where := regexp.MustCompile(`slappart0/buildout\.cfg:\d+: \[cron\] dcrond-binary: `)
		if !where.MatchString(b.Error) || !strings.Contains(b.Error, "${dcron:location}") ||
			!strings.Contains(b.Error, "raw dcron_location ${dcron:location}") {
			t.Errorf("verbatim tutorial text: error %q should name the file:line, the reference, and hint at the context", b.Error)
		}

		s.WriteFile(instance, original)
		s.EditFile(instance, edit("{{ dcron_location }}", "{{ logrotate_location }}", "{{ gzip_location }}"))
		updateMD5(t, s)
		mustBuild(t, s, "all")

		entry, err := os.ReadFile(filepath.Join(part, "etc", "cron.d", "logrotate"))
		if err != nil || !strings.HasPrefix(string(entry), "0 * * * * ") || !strings.Contains(string(entry), "/bin/logrotate") {
			t.Fatalf("etc/cron.d/logrotate = %q, %v", entry, err)
		}
		crond := false
		for _, p := range getInstance(t, s).Processes {
			if p.Name == "crond" && p.Kind == "service" && p.Pid != nil {
				crond = true
			}
		}
		if !crond {
			t.Fatalf("crond is not a running service: %+v", getInstance(t, s).Processes)
		}

		// A forced run of the logrotate wrapper rotates var/log/log.log
		// into the backup folder and compresses what it rotated before.
		logFile := filepath.Join(part, "var", "log", "log.log")
		backup := filepath.Join(part, "srv", "backup", "logrotate")
		if err := os.WriteFile(logFile, []byte("first day\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		runLogrotate(t, part)
		if rotated := glob(t, backup, "log.log-*"); len(rotated) != 1 {
			t.Fatalf("after one rotation, backup holds %v", rotated)
		}
		if err := os.WriteFile(logFile, []byte("second day\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// dateext names rotations by day: pretend the first one was yesterday.
		for _, f := range glob(t, backup, "log.log-*") {
			yesterday := filepath.Join(backup, "log.log-"+time.Now().AddDate(0, 0, -1).Format("20060102"))
			if err := os.Rename(f, yesterday); err != nil {
				t.Fatal(err)
			}
		}
		runLogrotate(t, part)
		if gz := glob(t, backup, "log.log-*.gz"); len(gz) != 1 {
			t.Fatalf("after two rotations, backup holds %v, want one .gz", glob(t, backup, "*"))
		}
	})

	t.Run("4-promise", func(t *testing.T) {
		if _, err := exec.LookPath("python3"); err != nil {
			t.Fatal("python3 is needed to run the tutorial's Python promise")
		}
		s.WriteFile("project/software/helloworld/promise/check_port_listening.py", portPromise)
		s.EditFile(software, func(c string) string {
			return insertAfter(t, c, "  raw gzip_location ${gzip:location}",
				"  raw promise_directory ${:_profile_base_location_}/promise\n")
		})
		s.EditFile(instance, func(c string) string {
			c = insertAfter(t, c, "  logrotate-entry-helloworld", "  url-promise\n  port-promise\n")
			return c + `
[url-promise]
# url checking promise
<= monitor-promise-base
module = check_url_available
name = check_some_url.py
config-url = ${helloweb-go:url}
config-check-secure = 1

[port-promise]
recipe = slapos.cookbook:promise.plugin
file = {{ promise_directory }}/check_port_listening.py
output = ${directory:plugins}/check-port-listening.py
config-hostname = ${helloweb-go:ip}
config-port = ${helloweb-go:port}
`
		})
		updateMD5(t, s)
		mustBuild(t, s, "all")
		status := func() map[string]string {
			out := map[string]string{}
			for _, p := range getInstance(t, s).Promises {
				out[p.Name] = p.Status + ": " + p.Message
			}
			return out
		}
		got := status()
		for _, name := range []string{"check_some_url.py", "check-port-listening.py"} {
			if !strings.HasPrefix(got[name], "OK") {
				t.Errorf("promise %s = %q, want OK (all: %v)", name, got[name], got)
			}
		}

		// Pointed at a closed port, the URL promise fails the build.
		s.EditFile(instance, func(c string) string {
			return strings.Replace(c, "config-url = ${helloweb-go:url}", "config-url = http://127.0.0.1:9", 1)
		})
		updateMD5(t, s)
		b := s.RunBuild("all", buildTimeout)
		if b.State != "failed" {
			t.Fatalf("build with a failing promise: %s", b.State)
		}
		if got := status()["check_some_url.py"]; !strings.HasPrefix(got, "FAILED") || len(got) < len("FAILED: ")+5 {
			t.Fatalf("check_some_url.py = %q, want FAILED with a message", got)
		}
	})
}

func checkFile(t *testing.T, path, want string, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s = %q, want %q", path, got, want)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != mode {
		t.Fatalf("%s mode = %o, want %o", path, fi.Mode().Perm(), mode)
	}
}

func runLogrotate(t *testing.T, part string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(part, "bin", "logrotate"), "-f")
	cmd.Dir = part
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bin/logrotate -f: %v\n%s", err, out)
	}
}

func glob(t *testing.T, dir, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const portPromise = `from zope.interface import implementer
from slapos.grid.promise import interface
from slapos.grid.promise.generic import GenericPromise

import socket

@implementer(interface.IPromise)
class RunPromise(GenericPromise):
  def __init__(self, config):
    super(RunPromise, self).__init__(config)
    # check port is listening at least every 2 minutes
    self.setPeriodicity(minute=2)

  def sense(self):
    """
      Simply test if we can connect to specified host:port.
    """
    hostname = self.getConfig('hostname')
    port = int(self.getConfig('port'))
    addr = (hostname, port)
    try:
      socket.create_connection(addr).close()
    except (socket.herror, socket.gaierror) as e:
      self.logger.error("ERROR hostname/port ({}) is not correct: {}".format(addr, e))
    except (socket.error, socket.timeout) as e:
      self.logger.error("ERROR while connecting to {}: {}".format(addr, e))
    else:
      self.logger.info("port connection OK ({})".format(addr))

  def anomaly(self):
    """
      There is an anomaly if last 3 senses were bad.
    """
    return self._anomaly(result_count=3, failure_amount=3)
`
