package cookbook

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"webrunner/recipes/jinja2/pyval"
	"webrunner/recipes/recipestest"
	"webrunner/recipes/slap"
)

func testPartition() *slap.Partition {
	return &slap.Partition{
		InstanceGUID: "COMP-1-slappart0", RequestedState: "started",
		SoftwareReleaseURL: "/srv/project/software.cfg", SoftwareType: "default",
		InstanceTitle: "Webrunner instance", RootInstanceTitle: "Webrunner instance",
		Timestamp: "1700000000.123456",
		Addresses: []slap.Address{{Interface: "slappart0", IP: "fd00::2"}, {Interface: "slappart0", IP: "10.0.0.2"},
			{Interface: "slappart0", IP: "2001:db8::1"}},
		Parameters: []slap.Param{param("instance_title", "spoofed"), param("name", "Alice"), param("title", nil),
			param("a=b", "x"), param("c:d", "y")},
		Slaves: [][]slap.Param{{param("slave_reference", "SLAVE-0"), param("url", "http://x")}},
	}
}

func repr(t *testing.T, v any) string {
	t.Helper()
	s, err := pyval.Repr(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSlapconfiguration(t *testing.T) {
	h, _, ctx := newInstanceHost(t, testPartition())
	// The helloworld profile's [instance-parameter] section, with a default.
	h.Add("instance-parameter", "computer", "COMP-1", "partition", "slappart0", "url", "http://127.0.0.1:1",
		"key", "", "cert", "", "configuration.name", "John Doe", "configuration.title", "", "configuration.other", "default")
	paths, err := h.Install(ctx, "slapos.cookbook:slapconfiguration", "instance-parameter")
	if err != nil {
		t.Fatal(err)
	}
	if paths == nil || len(paths) != 0 {
		t.Errorf("paths = %q", paths)
	}
	o, _ := h.Section("instance-parameter")
	want := map[string]string{
		"instance-state":             "'started'",
		"instance-guid":              "'COMP-1-slappart0'",
		"slap-software-type":         "'default'",
		"slap-computer-id":           "'COMP-1'",
		"slap-computer-partition-id": "'slappart0'",
		"slap-software-release-url":  "'/srv/project/software.cfg'",
		"timestamp":                  "'1700000000.123456'",
		"instance-title":             "'Webrunner instance'",
		"root-instance-title":        "'Webrunner instance'",
		"root-instance-short-title":  "'UNKNOWN'",
		"ipv4":                       "{'10.0.0.2'}",
		"ipv4-random":                "'10.0.0.2'",
		"ipv6-random":                "'2001:db8::1'",
		"slave-instance-list":        "[{'slave_reference': 'SLAVE-0', 'url': 'http://x'}]",
		"configuration":              "{'name': 'Alice', 'title': None, 'a=b': 'x', 'c:d': 'y'}",
		"configuration.name":         "'Alice'",
		"configuration.title":        "None",
		"configuration.other":        "'default'",
		"storage-dict":               "{}",
	}
	for k, w := range want {
		v, ok := o.Value(k)
		if !ok {
			t.Errorf("option %s missing", k)
			continue
		}
		if got := repr(t, v); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	v6, _ := o.Value("ipv6")
	if s, ok := v6.(*pyval.Set); !ok || s.Len() != 2 {
		t.Errorf("ipv6 = %v", v6)
	}
	for _, k := range []string{"configuration.a=b", "configuration.c:d", "configuration.instance_title"} {
		if _, ok := o.Value(k); ok {
			t.Errorf("option %s should not exist", k)
		}
	}
}

func TestSlapconfigurationSerialised(t *testing.T) {
	p := testPartition()
	p.Parameters = []slap.Param{param("_", `{"title": "T", "port": 8080, "nested": {"b": [1, 2]}}`), param("dropped", "x")}
	h, _, ctx := newInstanceHost(t, p)
	h.Add("slap-configuration")
	if _, err := h.Install(ctx, "slapos.cookbook:slapconfiguration.serialised", "slap-configuration"); err != nil {
		t.Fatal(err)
	}
	o, _ := h.Section("slap-configuration")
	conf, _ := o.Value("configuration")
	if got := repr(t, conf); got != "{'title': 'T', 'port': 8080, 'nested': {'b': [1, 2]}}" {
		t.Errorf("configuration = %s", got)
	}
	if v, _ := o.Value("configuration.port"); v != 8080 {
		t.Errorf("configuration.port = %#v", v)
	}
	if _, ok := o.Value("configuration.dropped"); ok {
		t.Error("plain keys kept beside _")
	}
	// Without _, the plain dict is used.
	p.Parameters = []slap.Param{param("a", "1")}
	h, _, ctx = newInstanceHost(t, p)
	h.Add("slap-configuration")
	if _, err := h.Install(ctx, "slapos.cookbook:slapconfiguration.serialised", "slap-configuration"); err != nil {
		t.Fatal(err)
	}
	o, _ = h.Section("slap-configuration")
	if v, _ := o.Value("configuration.a"); v != "1" {
		t.Errorf("configuration.a = %#v", v)
	}
}

func TestSlapconfigurationResourceAndStorage(t *testing.T) {
	h, _, ctx := newInstanceHost(t, testPartition())
	os.WriteFile(h.Path(".slapos-resource"), []byte(`{"tun": {"ipv4_addr": "10.8.0.1"}, "port": 3, "instance-title": "ignored"}`), 0o644)
	home := filepath.Join(t.TempDir(), "storage")
	os.MkdirAll(filepath.Join(home, "disk1"), 0o755)
	h.Add("slap-configuration", "storage-home", home)
	if _, err := h.Install(ctx, "slapos.cookbook:slapconfiguration", "slap-configuration"); err != nil {
		t.Fatal(err)
	}
	o, _ := h.Section("slap-configuration")
	if v, _ := o.Value("tun-ipv4-addr"); v != "10.8.0.1" {
		t.Errorf("tun-ipv4-addr = %#v", v)
	}
	if v, _ := o.Value("port"); v != 3 {
		t.Errorf("port = %#v", v)
	}
	if v, _ := o.Value("instance-title"); v != "Webrunner instance" {
		t.Errorf("instance-title overwritten by the resource file: %#v", v)
	}
	sd, _ := o.Value("storage-dict")
	if got := repr(t, sd); got != "{'disk1': '"+h.Path("DATA/disk1")+"'}" {
		t.Errorf("storage-dict = %s", got)
	}
	if l, err := os.Readlink(h.Path("DATA/disk1")); err != nil || l != filepath.Join(home, "disk1") {
		t.Errorf("DATA/disk1 -> %q, %v", l, err)
	}
}

func TestSlapconfigurationErrors(t *testing.T) {
	h, _, ctx := newInstanceHost(t, nil)
	h.Add("sc", "partition", "slappart7")
	_, err := h.Install(ctx, "slapos.cookbook:slapconfiguration", "sc")
	recipestest.ErrorContains(t, err, "section sc: partition slappart7 of computer COMP-1: not found")
	_, err = h.Install(context.Background(), "slapos.cookbook:slapconfiguration", "sc")
	recipestest.ErrorContains(t, err, "section sc: no SlapOS master")
}

func TestSlapconfigurationJSONDump(t *testing.T) {
	p := testPartition()
	p.Parameters = []slap.Param{param("_", `{"b": "é", "a": [1, {"y": null}]}`)}
	h, _, ctx := newInstanceHost(t, p)
	h.Add("sc", "json-output", h.Path("params.json"))
	paths, err := h.Install(ctx, "slapos.cookbook:slapconfiguration.jsondump", "sc")
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": [\n    1,\n    {\n      \"y\": null\n    }\n  ],\n  \"b\": \"\\u00e9\"\n}"
	if got := recipestest.Read(t, h.Path("params.json")); got != want || len(paths) != 1 {
		t.Errorf("json-output:\n%s\nwant:\n%s", got, want)
	}
}
