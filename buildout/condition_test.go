package buildout

import (
	"strings"
	"testing"
)

func TestConditionEval(t *testing.T) {
	env := &Environment{
		PythonVersion: [3]int{3, 11, 2}, Implementation: "CPython", Platform: "linux",
		Machine: "x86_64", System: "Linux", Release: "6.1.0-18-amd64", Bits: 64, LittleEndian: true,
		OSRelease: map[string]string{"ID": "debian", "VERSION_ID": "12"},
		FS: func(p string) (bool, bool, string) {
			if p == "/proc/device-tree/model" {
				return false, true, "Some board"
			}
			return p == "/dir", p == "/dir", ""
		},
	}
	tests := []struct {
		expr string
		want bool
		err  string
	}{
		{"python3", true, ""},
		{"python2", false, ""},
		{"python311", true, ""},
		{"python310", false, ""},
		{"python27", false, ""},
		{"linux and bits64 and little_endian and posix and cpython", true, ""},
		{"pypy or windows or macosx or bits32 or big_endian", false, ""},
		{"sys.version_info < (3,8)", false, ""},
		{"sys.version_info >= (3,11)", true, ""},
		{"sys.platform == 'linux'", true, ""},
		{`platform.machine() == "x86_64"`, true, ""},
		{`not (linux and platform.machine() == "x86_64")`, false, ""},
		{`not linux or platform.machine() != 'riscv64'`, true, ""},
		{`[int(q) for q in platform.release().split(".")[:2]]<[4,14]`, false, ""},
		{`sys.version_info < (3, 10) or (platform.freedesktop_os_release()['ID'] == 'debian' and int(platform.freedesktop_os_release()['VERSION_ID']) < 12)`, false, ""},
		{`os.path.isdir('/dir') and os.access('/proc/device-tree/model', os.R_OK) and 'OLinuXino' in open('/proc/device-tree/model').read()`, false, ""},
		{`os.path.isdir('/nodir') and undefined_name`, false, ""},
		{`python_version >= "3.9" and sys_platform == "linux"`, true, ""},
		{`python_version < "3.10"`, false, ""},
		{`platform_machine == "aarch64"`, false, ""},
		{`python3, 'ignored'`, true, ""},
		{`undefined_name`, false, "NameError: name 'undefined_name' is not defined"},
		{`python3 and`, false, "unexpected"},
	}
	for _, tc := range tests {
		got, err := env.Eval(tc.expr)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Eval(%q) error = %v, want %q", tc.expr, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Eval(%q) = %v, %v; want %v", tc.expr, got, err, tc.want)
		}
	}
}
