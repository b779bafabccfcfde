package buildout

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name→content files under a new temporary directory
// and returns it. "@DIR@" in contents is replaced by the directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	dir, _ = filepath.EvalSymlinks(dir)
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(content, "@DIR@", dir)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLanguage checks the rules of spec/buildout.md Part B on small
// profiles: each want entry is "section:option" → value, or "!" + the
// error message expected for that option ("section:<section>" for the
// section's error).
func TestLanguage(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		overrides []string
		emulate   bool
		want      map[string]string
		fatal     string // substring of the fatal error
	}{
		{
			name: "comments and continuation lines",
			files: map[string]string{"b.cfg": `[s]
a = first
# a comment line, skipped
  second
; another
   # not a comment: value text
b =
    x
      y

    z
c = one
    two
`},
			want: map[string]string{"s:a": "first\nsecond\n# not a comment: value text", "s:b": "x\n  y\n\nz", "s:c": "one\ntwo"},
		},
		{
			name:  "names are case-sensitive and only = separates",
			files: map[string]string{"b.cfg": "[S]\nKey = 1\nkey = 2\nurl = http://x:80/a=b\n"},
			want:  map[string]string{"S:Key": "1", "S:key": "2", "S:url": "http://x:80/a=b"},
		},
		{
			name:  "colon is not a separator",
			files: map[string]string{"b.cfg": "[s]\na: b\n"},
			fatal: "File contains parsing errors",
		},
		{
			name:  "text before any section header",
			files: map[string]string{"b.cfg": "a = 1\n[s]\n"},
			fatal: "File contains no section headers.",
		},
		{
			name:  "header followed by junk",
			files: map[string]string{"b.cfg": "[s] junk\na = 1\n"},
			fatal: "File contains no section headers.",
		},
		{
			name:  "header comment, repeated header, part dependencies",
			files: map[string]string{"b.cfg": "[s] # comment\na = 1\n[t]\nx = 1\n[s]\nb = 2\n=> t\n"},
			want:  map[string]string{"s:a": "1", "s:b": "2", "s:<part-dependencies>": "t"},
		},
		{
			name: "conditional sections",
			files: map[string]string{"b.cfg": `[s]
base = 1
[s:python2]
py2 = yes
  continuation dropped
[s:python3 and linux]
py3 = yes
[s:sys.version_info < (3,8)]
old = yes
[s:python_version >= "3.9" and sys_platform == "linux"]
marker = yes
[s:platform.machine() == "x86_64" and bits64]
machine = yes
[s:'\x23' in 'a\x23b']
hash = yes
[t:python2]
x = 1
`},
			want: map[string]string{"s:base": "1", "s:py3": "yes", "s:marker": "yes", "s:machine": "yes", "s:hash": "yes",
				"s:py2": "(missing)", "s:old": "(missing)", "t:x": "!The referenced section, 't', was not defined."},
		},
		{
			name:  "unknown name in a condition",
			files: map[string]string{"b.cfg": "[s]\na = 1\n[s:windows or nosuchname]\nb = 2\n"},
			fatal: "b.cfg:3: [s]: invalid section condition \"windows or nosuchname\": NameError: name 'nosuchname' is not defined",
		},
		{
			name:  "false conditions do not create sections",
			files: map[string]string{"b.cfg": "[s]\na = ${t:x}\n[t:python2]\nx = 1\n"},
			want:  map[string]string{"s:a": "!The referenced section, 't', was not defined."},
		},
		{
			name: "extends, several per line, relative to the extending file",
			files: map[string]string{
				"b.cfg":        "[buildout]\nextends = sub/one.cfg sub/two.cfg\n[s]\nc = 3\n",
				"sub/one.cfg":  "[buildout]\nextends = ../base.cfg\n[s]\na = one\nb = one\n",
				"sub/two.cfg":  "[s]\nb = two\n",
				"base.cfg":     "[s]\na = base\nd = base\n",
				"unused/x.cfg": "[s]\nnever = 1\n",
			},
			want: map[string]string{"s:a": "one", "s:b": "two", "s:c": "3", "s:d": "base"},
		},
		{
			name: "+= and -= across files",
			files: map[string]string{
				"b.cfg":    "[buildout]\nextends = base.cfg\nparts += p\n[a]\nz += 2\nl -= x\nm = a b\nm -= a\n[new]\nq += 1\n",
				"base.cfg": "[buildout]\nparts =\n[a]\ny = 1\nl =\n  x\n  y\n",
			},
			want: map[string]string{"buildout:parts": "\np", "a:z": "\n2", "a:l": "y", "a:m": "a b", "new:q +": "1"},
		},
		{
			name: "a file reached twice applies its += once per reach",
			files: map[string]string{
				"b.cfg":    "[buildout]\nextends = l.cfg r.cfg\n",
				"l.cfg":    "[buildout]\nextends = ext.cfg\n",
				"r.cfg":    "[buildout]\nextends = ext.cfg\n",
				"ext.cfg":  "[buildout]\nextends = base.cfg\nextensions += e\n",
				"base.cfg": "[buildout]\n",
			},
			want: map[string]string{"buildout:extensions": "\ne"},
		},
		{
			// As zc.buildout: a section first seen with only "x +=" keeps the
			// pending key, which applies again at each later merge.
			name: "pending += of a new section",
			files: map[string]string{
				"b.cfg":   "[buildout]\nextends = l.cfg r.cfg\n",
				"l.cfg":   "[buildout]\nextends = ext.cfg\n",
				"r.cfg":   "[buildout]\nextends = ext.cfg\n",
				"ext.cfg": "[g]\nv += 5\n",
			},
			want: map[string]string{"g:v": "\n5", "g:v +": "5"},
		},
		{
			name: "_profile_base_location_ is the defining file's directory as reached",
			files: map[string]string{
				"b.cfg":       "[buildout]\nextends = a/../c/x.cfg\n[s]\nhere = ${:_profile_base_location_}\n",
				"c/x.cfg":     "[t]\nurl = ${:_profile_base_location_}/f\n[u]\n<= t\n",
				"a/.keep.cfg": "",
			},
			want: map[string]string{"s:here": "@DIR@", "t:url": "@DIR@/a/../c/f", "u:url": "@DIR@/a/../c/f"},
		},
		{
			name:      "command-line overrides",
			files:     map[string]string{"b.cfg": "[s]\na = 1\n"},
			overrides: []string{"s:a=2", "s:new = 3", "parts=x", "other:o=4"},
			want:      map[string]string{"s:a": "2", "s:new": "3", "buildout:parts": "x", "other:o": "4"},
		},
		{
			name:  "defaults and directories",
			files: map[string]string{"b.cfg": "[buildout]\nbin-directory = b\n"},
			want: map[string]string{"buildout:directory": "@DIR@", "buildout:bin-directory": "@DIR@/b",
				"buildout:parts-directory": "@DIR@/parts", "buildout:installed": "@DIR@/.installed.cfg",
				"buildout:offline": "false", "versions:zc.buildout": ">=3.0.1"},
		},
		{
			name: "macros",
			files: map[string]string{"b.cfg": `[m]
y = ${:_buildout_section_name_}
k = m
[m2]
k = m2
j = m2
[n]
<= m
   m2
y += more
[bad]
<= nope
[loop]
<= loop2
[loop2]
<= loop
`},
			want: map[string]string{"n:y": "n\nmore", "n:k": "m2", "n:j": "m2",
				"bad:<section>": "!No section named 'nope'", "loop:<section>": "!Infinite extending loop 'loop'"},
		},
		{
			name: "substitution and the $$ escape",
			files: map[string]string{"b.cfg": `[a]
path = /abs/a
[s]
esc = $${a:path} $$${a:path}
four = $$$${a:b}
plain = keep $$ as is
self = ${:esc}!
name = ${:_buildout_section_name_}
other = ${a:_buildout_section_name_}
`},
			want: map[string]string{"s:esc": "${a:path} $/abs/a", "s:four": "$${a:b}", "s:plain": "keep $$ as is",
				"s:self": "${a:path} $/abs/a!", "s:name": "s", "s:other": "s"},
		},
		{
			name: "substitution errors",
			files: map[string]string{"b.cfg": `[s]
missing-section = ${nope:x}
missing-option = ${s:nope}
cyc = ${:cyc2}
cyc2 = ${:cyc}
[t]
colon = ${x}
colons = ${a:b:c}
section-chars = ${a/b:c}
option-chars = ${a:b/c}
[u]
uses-failed-section = ${s:ok}
[v]
ok = 1
`},
			want: map[string]string{
				"s:missing-section":     "!The referenced section, 'nope', was not defined.",
				"s:missing-option":      "!Referenced option does not exist: s nope",
				"s:cyc":                 "!Circular reference in substitutions.\n",
				"t:colon":               "!The substitution, ${x},\ndoesn't contain a colon.",
				"t:colons":              "!The substitution, ${a:b:c},\nhas too many colons.",
				"t:section-chars":       "!The section name in substitution, ${a/b:c},\nhas invalid characters.",
				"t:option-chars":        "!The option name in substitution, ${a:b/c},\nhas invalid characters.",
				"u:uses-failed-section": "!Circular reference in substitutions.\n",
				"s:<section>":           "!Circular reference in substitutions.\n",
				"v:ok":                  "1",
			},
		},
		{
			name:    "emulated location",
			files:   map[string]string{"b.cfg": "[p]\nrecipe = r\n[q]\nrecipe = r\nlocation = /here\n[r]\nx = ${p:location}\n"},
			emulate: true,
			want:    map[string]string{"p:location": "@DIR@/parts/p", "q:location": "/here", "r:x": "@DIR@/parts/p"},
		},
		{
			name:  "missing extends names the file and line",
			files: map[string]string{"b.cfg": "[buildout]\nextends =\n  nope.cfg\n"},
			fatal: "b.cfg:2: [Errno 2] No such file or directory: '@DIR@/nope.cfg'",
		},
		{
			name:  "recursive extends",
			files: map[string]string{"b.cfg": "[buildout]\nextends = c.cfg\n", "c.cfg": "[buildout]\nextends = b.cfg\n"},
			fatal: "Recursive file include",
		},
		{
			name:      "URL extends offline",
			files:     map[string]string{"b.cfg": "[buildout]\nextends = http://example.invalid/x.cfg\n"},
			overrides: []string{"buildout:offline=true"},
			fatal:     "b.cfg:2: Couldn't download 'http://example.invalid/x.cfg' in offline mode.",
		},
		{
			name:  "extended-by",
			files: map[string]string{"b.cfg": "[buildout]\nextended-by = x.cfg\n"},
			fatal: `No-longer supported "extended-by" option found in @DIR@/b.cfg.`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			var ovs []Override
			for _, a := range tc.overrides {
				o, err := ParseOverride(a)
				if err != nil {
					t.Fatal(err)
				}
				ovs = append(ovs, o)
			}
			c, err := Load(context.Background(), filepath.Join(dir, "b.cfg"), LoadOptions{Overrides: ovs, EmulateLocation: tc.emulate})
			if tc.fatal != "" {
				want := strings.ReplaceAll(tc.fatal, "@DIR@", dir)
				if err == nil || !strings.Contains(c.Errors.Error()+"\n"+errorsText(c.Errors), want) {
					t.Fatalf("error = %v (all: %s), want %q", err, errorsText(c.Errors), want)
				}
				return
			} else if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for key, want := range tc.want {
				want = strings.ReplaceAll(want, "@DIR@", dir)
				section, option, _ := strings.Cut(key, ":")
				res := c.Resolve(section)
				var got string
				switch {
				case option == "<section>":
					if res.Err != nil {
						got = "!" + res.Err.Msg
					}
				case res.OptErr[option] != nil:
					got = "!" + res.OptErr[option].Msg
				case res.Err != nil && res.Values == nil:
					got = "!" + res.Err.Msg
				default:
					v, ok := res.Values[option]
					if !ok {
						if res.Err != nil {
							got = "!" + res.Err.Msg
						} else {
							got = "(missing)"
						}
					} else {
						got = v
					}
				}
				if got != want {
					t.Errorf("%s = %q, want %q", key, got, want)
				}
			}
		})
	}
}

func errorsText(l ErrorList) string {
	var b strings.Builder
	for _, e := range l {
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}

func TestDiagnostics(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"b.cfg":    "[buildout]\nextends = base.cfg\n\n[a]\nx = ${b:nope}\ny = fine\n[m]\n<= missing\n",
		"base.cfg": "[b]\nz = 1\n",
	})
	c, err := Load(t.Context(), filepath.Join(dir, "b.cfg"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range c.Diagnostics() {
		got = append(got, strings.TrimPrefix(e.Error(), dir+"/"))
	}
	want := []string{
		"b.cfg:5: [a] x: Referenced option does not exist: b nope",
		"b.cfg:8: [m]: No section named 'missing'",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExtendsCacheOffline(t *testing.T) {
	url := "http://example.invalid/sub/x.cfg"
	sum := md5.Sum([]byte(url))
	dir := writeFiles(t, map[string]string{
		"b.cfg":                               "[buildout]\nextends-cache = cache\noffline = true\nextends = " + url + "\n",
		"cache/" + hex.EncodeToString(sum[:]): "[buildout]\nextends = y.cfg\n[s]\na = ${:_profile_base_location_}/a\n",
		"cache/" + md5hex("http://example.invalid/sub/y.cfg"): "[t]\nb = ${:_profile_base_location_}\n",
	})
	c, err := Load(t.Context(), filepath.Join(dir, "b.cfg"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"s:a": "http://example.invalid/sub/a", "t:b": "http://example.invalid/sub"} {
		section, option, _ := strings.Cut(key, ":")
		if got := c.Resolve(section).Values[option]; got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestReferencesAndDefinition(t *testing.T) {
	refs := References("a ${x:y} $${no:ref} $$${:z} ${bad}")
	want := []Ref{{"x", "y", 2, 6}, {"", "z", 22, 5}}
	if len(refs) != len(want) {
		t.Fatalf("References = %+v, want %+v", refs, want)
	}
	for i := range want {
		if refs[i] != want[i] {
			t.Errorf("ref %d = %+v, want %+v", i, refs[i], want[i])
		}
	}
	dir := writeFiles(t, map[string]string{
		"b.cfg":    "[buildout]\nextends = base.cfg\n[n]\n<= m\nown = 1\n",
		"base.cfg": "[m]\n\ninherited = ${:own}\n",
	})
	c, err := Load(t.Context(), filepath.Join(dir, "b.cfg"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for opt, want := range map[string]string{"inherited": "base.cfg:3", "own": "b.cfg:5"} {
		p, ok := c.Definition("n", opt)
		if !ok || strings.TrimPrefix(p.String(), dir+"/") != want {
			t.Errorf("Definition(n, %s) = %v %v, want %s", opt, p, ok, want)
		}
	}
}

func TestOptionalExtends(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"b.cfg":       "[buildout]\nextends = sub/a.cfg\n",
		"sub/a.cfg":   "[buildout]\noptional-extends = opt.cfg missing.cfg\n[s]\nx = a\n",
		"sub/opt.cfg": "[s]\nx = opt\ny = opt\n",
	})
	c, err := Load(t.Context(), filepath.Join(dir, "b.cfg"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := c.Resolve("s")
	if res.Values["x"] != "a" || res.Values["y"] != "opt" {
		t.Errorf("s = %q, want x from a.cfg over opt.cfg, y from opt.cfg", res.Values)
	}
}

func TestOverlay(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.cfg":     "[a]\nx = disk\n",
		"software.cfg": "[buildout]\nextends = base.cfg\n",
	})
	cache := NewFileCache()
	overlay := map[string][]byte{filepath.Join(dir, "base.cfg"): []byte("[a]\nx = unsaved\n")}
	for i, want := range []string{"unsaved", "disk"} {
		opts := LoadOptions{Cache: cache}
		if i == 0 {
			opts.Overlay = overlay
		}
		c, err := Load(context.Background(), filepath.Join(dir, "software.cfg"), opts)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := c.Section("a")
		if v, _ := s.Get("x"); v == nil || v.Text != want {
			t.Errorf("load %d: a:x = %v, want %q", i, v, want)
		}
	}
}
