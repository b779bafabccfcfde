package cookbook

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"webrunner/buildout"
	"webrunner/recipes/recipestest"
	"webrunner/recipes/slap"
)

func TestRequest(t *testing.T) {
	h, m, ctx := newInstanceHost(t, nil)
	m.Instances["frontend"] = &slap.Instance{State: "started",
		Connection: []slap.Param{param("secure_access", "http://[fd00::2]:8081"), param("domain", "[fd00::2]:8081")}}
	h.Add("html5as-frontend", "software-url", "http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD:/software/apache-frontend/software.cfg",
		"name", "frontend", "shared", "true", "config-url", "http://[fd00::2]:8081", "sla-instance_guid", "", "return", "secure_access domain")
	if _, err := h.Install(ctx, "slapos.cookbook:request", "html5as-frontend"); err != nil {
		t.Fatal(err)
	}
	o, _ := h.Section("html5as-frontend")
	if v, _ := o.Get("connection-secure_access"); v != "http://[fd00::2]:8081" {
		t.Errorf("connection-secure_access = %q", v)
	}
	if v, _ := o.Get("requested-state"); v != "started" {
		t.Errorf("requested-state = %q", v)
	}
	if _, ok := o.Get("instance-guid"); ok {
		t.Error("instance-guid set for a shared request")
	}
	r := m.Requests[0]
	if r.Title != "frontend" || !r.Shared || r.SoftwareType != "default" || len(r.Parameters) != 1 || r.Parameters[0].Value != "http://[fd00::2]:8081" || len(r.Filter) != 0 {
		t.Errorf("request = %+v", r)
	}

	// A child instance cannot be allocated by the single-partition master.
	h.Add("child", "software-url", "/sr.cfg", "name", "child", "return", "url")
	_, err := h.Install(ctx, "slapos.cookbook:request", "child")
	recipestest.ErrorContains(t, err, "section child: request of instance \"child\": the Webrunner runs a single partition")
	o, _ = h.Section("child")
	if v, ok := o.Get("connection-url"); !ok || v != "" {
		t.Errorf("connection-url = %q, %v", v, ok)
	}
	// requestoptional only warns.
	if _, err := h.Install(ctx, "slapos.cookbook:requestoptional", "child"); err != nil {
		t.Fatalf("requestoptional: %v", err)
	}
	if logs := h.Logs(); len(logs) == 0 || !strings.Contains(logs[len(logs)-1], "single partition") {
		t.Errorf("logs = %q", h.Logs())
	}

	// A missing return value.
	m.Instances["child"] = &slap.Instance{InstanceGUID: "COMP-1-slappart1", State: "started"}
	_, err = h.Install(ctx, "slapos.cookbook:request", "child")
	recipestest.ErrorContains(t, err, "Connection parameter url not found. Status of requested instance is: started. If this error persists, check status of this instance.")
	o, _ = h.Section("child")
	if v, _ := o.Get("instance-guid"); v != "COMP-1-slappart1" {
		t.Errorf("instance-guid = %q", v)
	}

	// Serialised: parameters and returns are JSON in "_".
	m.Instances["ser"] = &slap.Instance{State: "started", Connection: []slap.Param{param("_", `{"url": "http://x", "port": 80}`)}}
	h.Add("ser", "software-url", "/sr.cfg", "name", "ser", "config-a", "1", "config-b", "two", "return", "url port")
	if _, err := h.Install(ctx, "slapos.cookbook:request.serialised", "ser"); err != nil {
		t.Fatal(err)
	}
	o, _ = h.Section("ser")
	if v, _ := o.Get("connection-port"); v != "80" {
		t.Errorf("connection-port = %q", v)
	}
	if p := m.Requests[len(m.Requests)-1].Parameters; len(p) != 1 || p[0].Value != `{"a": "1", "b": "two"}` {
		t.Errorf("serialised parameters = %v", p)
	}

	h.Add("old", "software-url", "/sr.cfg", "name", "x", "config", "a = b")
	_, err = h.Install(ctx, "slapos.cookbook:request", "old")
	recipestest.ErrorContains(t, err, `option "config" is obsolete`)
}

// subHost is a recipestest.Host that records sub-buildout runs.
type subHost struct {
	*recipestest.Host
	config   string
	override map[string]*buildout.Options
}

func (s *subHost) RunSubBuildout(ctx context.Context, config string, override map[string]*buildout.Options) error {
	s.config, s.override = config, override
	return nil
}

func TestSwitchSoftwareType(t *testing.T) {
	h, _, ctx := newInstanceHost(t, nil)
	h.Add("slap-configuration", "slap-software-type", "default", "configuration.x", "1")
	h.Add("instance-html5as", "output", h.Path("instance-html5as.cfg"))
	h.Add("switch-softwaretype", "default", "instance-html5as:output", "other", "nocolon")
	sh := &subHost{Host: h}
	f, _ := buildout.LookupRecipe("slapos.cookbook:switch-softwaretype")
	opts, _ := h.Section("switch-softwaretype")
	r, err := f(ctx, sh, "switch-softwaretype", opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Install(ctx); err != nil {
		t.Fatal(err)
	}
	if sh.config != h.Path("instance-html5as.cfg") {
		t.Errorf("config = %q", sh.config)
	}
	if v, _ := sh.override["buildout"].Get("installed"); v != ".installed-switch-softwaretype.cfg" {
		t.Errorf("installed = %q", v)
	}
	if v, _ := sh.override["slap-configuration"].Get("recipe"); v != "slapos.cookbook:switch-softwaretype.noop" {
		t.Errorf("slap-configuration recipe = %q", v)
	}
	if v, _ := sh.override["slap-connection"].Get("partition-id"); v != "slappart0" {
		t.Errorf("slap-connection partition-id = %q", v)
	}
	// Without RunSubBuildout in the host, the engine runs the profile.
	_, err = h.Install(ctx, "slapos.cookbook:switch-softwaretype", "switch-softwaretype")
	recipestest.ErrorContains(t, err, "No such file or directory: '"+h.Path("instance-html5as.cfg")+"'")

	h.Add("slap-configuration", "slap-software-type", "frontend")
	_, err = h.Install(ctx, "slapos.cookbook:switch-softwaretype", "switch-softwaretype")
	recipestest.ErrorContains(t, err, "This software type (frontend) isn't mapped. 'default' is the default software type.")
	h.Add("slap-configuration", "slap-software-type", "other")
	_, err = h.Install(ctx, "slapos.cookbook:switch-softwaretype", "switch-softwaretype")
	recipestest.ErrorContains(t, err, "must be separated by a colon such as: 'section:key'")

	h2 := recipestest.New(t)
	h2.Add("switch-softwaretype", "default", "a:b")
	_, err = h2.Install(ctx, "slapos.cookbook:switch-softwaretype", "switch-softwaretype")
	recipestest.ErrorContains(t, err, "must be named [slap-configuration].")
}

func TestCheckPortListening(t *testing.T) {
	h := recipestest.New(t)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	h.Add("promise", "path", h.Path("promise"), "hostname", "127.0.0.1", "port", port)
	paths, err := h.Install(ctx, "slapos.cookbook:check_port_listening", "promise")
	if err != nil {
		t.Fatal(err)
	}
	if m := recipestest.Mode(t, paths[0]); m != 0o700 {
		t.Errorf("mode = %o", m)
	}
	if out, err := exec.Command(paths[0]).CombinedOutput(); err != nil {
		t.Fatalf("listening port: %v %s", err, out)
	}
	// The bash variant, used where there is no python3.
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed by this test")
	}
	text, _ := checkPortScript("127.0.0.1", port, "", bash)
	if err := os.WriteFile(h.Path("bash-promise"), []byte(text), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(h.Path("bash-promise")).CombinedOutput(); err != nil {
		t.Fatalf("bash, listening port: %v %s", err, out)
	}
	ln.Close()
	for _, p := range []string{paths[0], h.Path("bash-promise")} {
		out, err := exec.Command(p).CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 127 || strings.TrimSpace(string(out)) != "127.0.0.1 on "+port+" isn't listening" {
			t.Fatalf("%s, closed port: %v %q", p, err, out)
		}
	}
	if _, err := checkPortScript("h", "1", "", ""); err == nil {
		t.Error("no error without python3 and bash")
	}
}

// TestSwitchSoftwareTypeRunsBuildout runs the sub-buildout with the real
// engine when the Host has no RunSubBuildout of its own.
func TestSwitchSoftwareTypeRunsBuildout(t *testing.T) {
	p := testPartition()
	p.Parameters = []slap.Param{param("name", "Alice")}
	h, m, ctx := newInstanceHost(t, p)
	h.Add("buildout", "offline", "true", "newest", "false")
	h.Add("slap-configuration", "recipe", "slapos.cookbook:slapconfiguration", "computer", "COMP-1",
		"partition", "slappart0", "configuration.name", "Default", "configuration.title", "No title")
	if _, err := h.Install(ctx, "slapos.cookbook:slapconfiguration", "slap-configuration"); err != nil {
		t.Fatal(err)
	}
	profile := h.Path("instance-default.cfg")
	os.WriteFile(profile, []byte(`[buildout]
parts = publish

[publish]
recipe = slapos.cookbook:publish
name = ${slap-configuration:configuration.name}
title = ${slap-configuration:configuration.title}
type = ${slap-configuration:slap-software-type}
literal = $${not:substituted}
`), 0o644)
	h.Add("instance", "output", profile)
	h.Add("switch-softwaretype", "default", "instance:output")
	if _, err := h.Install(ctx, "slapos.cookbook:switch-softwaretype", "switch-softwaretype"); err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(h.Lines(), "\n"))
	}
	got := map[string]string{}
	for _, q := range m.Published["slappart0"] {
		got[q.Name] = q.String()
	}
	want := map[string]string{"name": "Alice", "title": "No title", "type": "default", "literal": "${not:substituted}"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("published %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if _, err := os.Stat(h.Path(".installed-switch-softwaretype.cfg")); err != nil {
		t.Errorf("sub-buildout state file: %v", err)
	}
	if !strings.Contains(strings.Join(h.Lines(), "\n"), "Installing publish.") {
		t.Errorf("sub-buildout output not streamed: %q", h.Lines())
	}
}
