package promise

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParsePlugin(t *testing.T) {
	long := map[string]string{
		"url":          "https://[2001:db8::1]:8080/some/rather/long/path/to/make/the/dict/wrap/on/several/lines",
		"check-secure": "1",
		"http-code":    "200",
	}
	for _, tc := range []struct {
		name   string
		src    string
		module string
		extra  []pyItem
		native bool
	}{
		{"generated one line", generatedPlugin("check_socket_listening", map[string]string{"host": "2001:db8::1", "port": "8081"}),
			"check_socket_listening", []pyItem{{"host", "2001:db8::1"}, {"port", "8081"}}, true},
		{"generated multi-line", generatedPlugin("check_url_available", long),
			"check_url_available", []pyItem{{"check-secure", "1"}, {"http-code", "200"}, {"url", long["url"]}}, true},
		{"pprint wrapped string and values", `extra_config_dict = { 'command': ( '/srv/slapgrid/slappart0/bin/a-very-long-command '
               '--with-options "x" \'y\' \\n'),
  'count': 3,
  'ratio': 0.5,
  'flag': True,
  'none': None,
  'list': ['a', 1],
  u'uni': r'raw\n'}
from slapos.promise.plugin.check_command_execute import RunPromise  # trailing comment
`, "check_command_execute", []pyItem{
			{"command", `/srv/slapgrid/slappart0/bin/a-very-long-command --with-options "x" 'y' \n`},
			{"count", int64(3)}, {"ratio", 0.5}, {"flag", true}, {"none", nil}, {"list", []any{"a", int64(1)}}, {"uni", `raw\n`}}, true},
		{"no extra dict", "from slapos.promise.plugin.check_file_state import RunPromise\n", "check_file_state", nil, true},
		{"class option", "extra_config_dict = {}\nfrom slapos.promise.plugin.check_file_state import Other as RunPromise\n", "", nil, false},
		{"file option", filePlugin("/srv/promise.py", map[string]string{"a": "b"}), "", nil, false},
		{"redefined", "from slapos.promise.plugin.check_file_state import RunPromise\nclass RunPromise(RunPromise):\n  pass\n", "", nil, false},
		{"custom", readFileOrDie(t, "testdata/tutorial_promise.py"), "", nil, false},
		{"unsupported literal", "extra_config_dict = dict(a=1)\nfrom slapos.promise.plugin.check_file_state import RunPromise\n", "", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.py")
			os.WriteFile(path, []byte(tc.src), 0o644)
			pf, err := parsePlugin(path)
			if err != nil {
				t.Fatal(err)
			}
			if native := pf.why == ""; native != tc.native {
				t.Fatalf("native = %v (why %q), want %v", native, pf.why, tc.native)
			}
			if !tc.native {
				return
			}
			if pf.module != tc.module || !reflect.DeepEqual(pf.extra, tc.extra) {
				t.Errorf("parsed module %q extra %#v\nwant module %q extra %#v", pf.module, pf.extra, tc.module, tc.extra)
			}
		})
	}
}

func TestLiteralErrorsNameTheLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.py")
	os.WriteFile(path, []byte("import sys\n\nextra_config_dict = {'a': 'b',\n  'c': open('x')}\nfrom slapos.promise.plugin.check_file_state import RunPromise\n"), 0o644)
	pf, _ := parsePlugin(path)
	if !strings.Contains(pf.why, path+": extra_config_dict: line 4:") {
		t.Errorf("why = %q", pf.why)
	}
}

func readFileOrDie(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
