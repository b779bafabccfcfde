package promise

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// checkCase is one run of a native check: its module and config, and the
// expected status and message (exact, or a regexp when re is set).
type checkCase struct {
	name    string
	module  string
	config  func(t *testing.T, dir string) map[string]string
	status  Status
	message func(cfg map[string]string) string
	re      bool
}

func runCheckCases(t *testing.T, cases []checkCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := newPartition(t)
			cfg := tc.config(t, dir)
			writePlugin(t, dir, "check.py", tc.module, cfg)
			l := newLauncher(t, dir, newClock())
			r, err := runOnly(t, l, "check.py", RunOptions{})
			if r.Status != tc.status {
				t.Errorf("status = %s, want %s (message %q)", r.Status, tc.status, r.Message)
			}
			want := tc.message(cfg)
			if tc.re {
				if !regexp.MustCompile(want).MatchString(r.Message) {
					t.Errorf("message = %q, want match for %q", r.Message, want)
				}
			} else if r.Message != want {
				t.Errorf("message = %q\nwant      %q", r.Message, want)
			}
			var perr *Error
			if tc.status == StatusFailed {
				if !errors.As(err, &perr) || perr.Name != "check.py" || perr.Message != r.Message {
					t.Errorf("err = %v, want *Error for check.py", err)
				}
			} else if err != nil {
				t.Errorf("err = %v, want nil", err)
			}
		})
	}
}

func fixed(s string) func(map[string]string) string {
	return func(map[string]string) string { return s }
}

func TestSocketListening(t *testing.T) {
	sock := func(t *testing.T) string {
		// Unix socket paths are limited to 108 bytes: keep it short.
		d, err := os.MkdirTemp("", "sock")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		p := filepath.Join(d, "s")
		ln, err := net.Listen("unix", p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		return p
	}
	runCheckCases(t, []checkCase{
		{
			name: "host port OK", module: "check_socket_listening",
			config: func(t *testing.T, _ string) map[string]string {
				return map[string]string{"host": "127.0.0.1", "port": itoa(listen(t))}
			},
			status:  StatusOK,
			message: func(c map[string]string) string { return "socket connection OK ('127.0.0.1', " + c["port"] + ")" },
		},
		{
			name: "host port refused", module: "check_socket_listening",
			config: func(t *testing.T, _ string) map[string]string {
				return map[string]string{"host": "127.0.0.1", "port": itoa(freePort(t))}
			},
			status:  StatusFailed,
			message: fixed("ConnectionRefusedError: [Errno 111] Connection refused"),
		},
		{
			name: "unix path OK", module: "check_socket_listening",
			config: func(t *testing.T, _ string) map[string]string {
				return map[string]string{"pathname": sock(t)}
			},
			status:  StatusOK,
			message: func(c map[string]string) string { return "socket connection OK '" + c["pathname"] + "'" },
		},
		{
			name: "unix path missing", module: "check_socket_listening",
			config: func(t *testing.T, dir string) map[string]string {
				return map[string]string{"pathname": filepath.Join(dir, "nope.sock")}
			},
			status:  StatusFailed,
			message: fixed("FileNotFoundError: [Errno 2] No such file or directory"),
		},
		{
			name: "abstract refused", module: "check_socket_listening",
			config: func(t *testing.T, dir string) map[string]string {
				return map[string]string{"abstract": "webrunner-test-" + filepath.Base(dir)}
			},
			status:  StatusFailed,
			message: fixed("ConnectionRefusedError: [Errno 111] Connection refused"),
		},
		{
			name: "abstract OK", module: "check_socket_listening",
			config: func(t *testing.T, dir string) map[string]string {
				name := "webrunner-ok-" + filepath.Base(dir)
				ln, err := net.Listen("unix", "@"+name)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { ln.Close() })
				return map[string]string{"abstract": name}
			},
			status:  StatusOK,
			message: func(c map[string]string) string { return `socket connection OK '\x00` + c["abstract"] + "'" },
		},
		{
			name: "bad address form", module: "check_socket_listening",
			config: func(t *testing.T, _ string) map[string]string {
				return map[string]string{"host": "127.0.0.1", "pathname": "/x"}
			},
			status:  StatusFailed,
			message: fixed(addressUsage),
		},
		{
			name: "bad port", module: "check_socket_listening",
			config: func(t *testing.T, _ string) map[string]string {
				return map[string]string{"host": "127.0.0.1", "port": "http"}
			},
			status:  StatusFailed,
			message: fixed("invalid literal for int() with base 10: 'http'"),
		},
		{
			name: "port listening OK", module: "check_port_listening",
			config: func(t *testing.T, _ string) map[string]string {
				return map[string]string{"hostname": "127.0.0.1", "port": itoa(listen(t))}
			},
			status:  StatusOK,
			message: func(c map[string]string) string { return "port connection OK (('127.0.0.1', '" + c["port"] + "'))" },
		},
		{
			name: "port listening refused", module: "check_port_listening",
			config: func(t *testing.T, _ string) map[string]string {
				return map[string]string{"hostname": "127.0.0.1", "port": itoa(freePort(t))}
			},
			status: StatusFailed,
			message: func(c map[string]string) string {
				return "ERROR while connecting to ('127.0.0.1', '" + c["port"] + "'): [Errno 111] Connection refused"
			},
		},
	})
}

func TestGetaddrinfoRepr(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"127.0.0.1", "('127.0.0.1', 8081)"},
		{"2001:db8::1", "('2001:db8::1', 8081, 0, 0)"},
		{"::ffff:10.0.0.1", "('::ffff:10.0.0.1', 8081, 0, 0)"},
		{"localhost", "('127.0.0.1', 8081)"},
	} {
		a, err := getaddrinfo(context.Background(), tc.host, 8081)
		if err != nil {
			t.Fatalf("%s: %v", tc.host, err)
		}
		if a.repr != tc.want {
			t.Errorf("getaddrinfo(%q) repr = %s, want %s", tc.host, a.repr, tc.want)
		}
	}
	if _, err := getaddrinfo(context.Background(), "no-such-host.invalid", 1); err == nil || err.Error() != "[Errno -2] Name or service not known" {
		t.Errorf("unknown host: err = %v", err)
	}
}

func TestURLAvailable(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/auth", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "admin" || p != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte("in"))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tlsSrv := httptest.NewUnstartedServer(mux)
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // expected handshake failures
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	u := func(path string, kv ...string) func(*testing.T, string) map[string]string {
		return func(*testing.T, string) map[string]string {
			m := map[string]string{"url": srv.URL + path}
			for i := 0; i < len(kv); i += 2 {
				m[kv[i]] = kv[i+1]
			}
			return m
		}
	}
	tu := func(path string, kv ...string) func(*testing.T, string) map[string]string {
		return func(*testing.T, string) map[string]string {
			m := map[string]string{"url": tlsSrv.URL + path}
			for i := 0; i < len(kv); i += 2 {
				m[kv[i]] = kv[i+1]
			}
			return m
		}
	}
	msg := func(format string) func(map[string]string) string {
		return func(c map[string]string) string { return strings.ReplaceAll(format, "URL", "'"+c["url"]+"'") }
	}
	const m = "check_url_available"
	runCheckCases(t, []checkCase{
		{name: "200", module: m, config: u("/ok"), status: StatusOK,
			message: msg("non-authenticated request to URL succeeded (returned expected code 200)")},
		{name: "404", module: m, config: u("/missing"), status: StatusFailed,
			message: msg("non-authenticated request to URL failed (returned 404, expected 200)")},
		{name: "http-code", module: m, config: u("/missing", "http-code", "404"), status: StatusOK,
			message: msg("non-authenticated request to URL succeeded (returned expected code 404)")},
		{name: "ignore-code", module: m, config: u("/error", "ignore-code", "1"), status: StatusOK,
			message: msg("non-authenticated request to URL succeeded (return code ignored)")},
		{name: "redirect followed", module: m, config: u("/redirect"), status: StatusOK,
			message: msg("non-authenticated request to URL succeeded (returned expected code 200)")},
		{name: "redirect not followed", module: m, config: u("/redirect", "allow-redirects", "0"), status: StatusFailed,
			message: msg("non-authenticated request to URL failed (returned 302, expected 200)")},
		{name: "check-secure ignored", module: m, config: u("/auth", "check-secure", "1"), status: StatusFailed,
			message: msg("non-authenticated request to URL failed (returned 401, expected 200)")},
		{name: "basic auth", module: m, config: u("/auth", "username", "admin", "password", "s3cret"), status: StatusOK,
			message: msg("authenticated request to URL succeeded (returned expected code 200)")},
		{name: "basic auth wrong", module: m, config: u("/auth", "username", "admin", "password", "nope"), status: StatusFailed,
			message: msg("authenticated request to URL failed (returned 401, expected 200)")},
		{name: "refused", module: m,
			config: func(t *testing.T, _ string) map[string]string {
				return map[string]string{"url": "http://127.0.0.1:" + itoa(freePort(t)) + "/"}
			},
			status: StatusFailed, message: msg("ERROR connection not possible while accessing URL")},
		{name: "read timeout", module: m, config: u("/slow", "timeout", "1"), status: StatusFailed,
			message: func(c map[string]string) string {
				port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
				return "ERROR: HTTPConnectionPool(host='127.0.0.1', port=" + port + "): Read timed out. (read timeout=1)"
			}},
		{name: "no scheme", module: m, config: func(*testing.T, string) map[string]string { return map[string]string{"url": ""} },
			status: StatusFailed, message: fixed("ERROR: Invalid URL '': No scheme supplied. Perhaps you meant https://?")},
		{name: "no host", module: m, config: func(*testing.T, string) map[string]string { return map[string]string{"url": "https://"} },
			status: StatusFailed, message: fixed("ERROR: Invalid URL 'https://': No host supplied")},
		{name: "tls unverified by default", module: m, config: tu("/ok"), status: StatusOK,
			message: msg("non-authenticated request to URL succeeded (returned expected code 200)")},
		{name: "tls verify fails", module: m, config: tu("/ok", "verify", "1"), status: StatusFailed,
			message: func(c map[string]string) string {
				return `^ERROR SSL error while accessing '` + regexp.QuoteMeta(c["url"]) + `': \[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: `
			}, re: true},
		{name: "tls ca-cert-file", module: m, config: tu("/ok", "ca-cert-file", caFile), status: StatusOK,
			message: msg("non-authenticated request to URL succeeded (returned expected code 200)")},
	})
}

func TestFileState(t *testing.T) {
	file := func(content *string, kv ...string) func(*testing.T, string) map[string]string {
		return func(t *testing.T, dir string) map[string]string {
			p := filepath.Join(dir, "var", "state")
			os.MkdirAll(filepath.Dir(p), 0o755)
			if content != nil {
				if err := os.WriteFile(p, []byte(*content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m := map[string]string{"filename": p}
			for i := 0; i < len(kv); i += 2 {
				m[kv[i]] = kv[i+1]
			}
			return m
		}
	}
	empty, full := "", "boom\n"
	msg := func(format string) func(map[string]string) string {
		return func(c map[string]string) string { return strings.ReplaceAll(format, "F", "'"+c["filename"]+"'") }
	}
	const m = "check_file_state"
	runCheckCases(t, []checkCase{
		{name: "absent OK", module: m, config: file(nil, "state", "absent"), status: StatusOK, message: msg("OK F state 'absent'")},
		{name: "absent FAILED", module: m, config: file(&empty, "state", "absent"), status: StatusFailed, message: msg("ERROR F not absent")},
		{name: "empty OK", module: m, config: file(&empty, "state", "empty"), status: StatusOK, message: msg("OK F state 'empty'")},
		{name: "empty FAILED", module: m, config: file(&full, "state", "empty"), status: StatusFailed, message: msg("ERROR F not empty")},
		{name: "empty FAILED url", module: m, config: file(&full, "state", "empty", "url", " https://x/log "), status: StatusFailed,
			message: msg("ERROR F not empty, content available at https://x/log")},
		{name: "not-empty OK", module: m, config: file(&full, "state", "not-empty"), status: StatusOK, message: msg("OK F state 'not-empty'")},
		{name: "not-empty FAILED", module: m, config: file(&empty, "state", "not-empty"), status: StatusFailed, message: msg("ERROR F empty")},
		{name: "not present", module: m, config: file(nil, "state", "empty"), status: StatusFailed, message: msg("ERROR F not present")},
		{name: "directory", module: m,
			config: func(t *testing.T, dir string) map[string]string {
				return map[string]string{"filename": dir, "state": "empty"}
			},
			status: StatusFailed,
			message: func(c map[string]string) string {
				return "ERROR IsADirectoryError(21, 'Is a directory') during opening and reading file '" + c["filename"] + "'"
			}},
		{name: "bad counts", module: m, config: file(&empty, "state", "empty", "result-count", "1", "failure-amount", "2"), status: StatusFailed,
			message: fixed("ValueError: Bad configuration: result-count 1 < failure_amount 2")},
	})
}

func TestCommandExecute(t *testing.T) {
	cmd := func(c string) func(*testing.T, string) map[string]string {
		return func(*testing.T, string) map[string]string { return map[string]string{"command": c} }
	}
	const m = "check_command_execute"
	runCheckCases(t, []checkCase{
		{name: "OK", module: m, config: cmd("true"), status: StatusOK, message: fixed("OK 'true' run with success")},
		{name: "cwd is partition", module: m, config: cmd("test -d etc/plugin"), status: StatusOK, message: fixed("OK 'test -d etc/plugin' run with success")},
		{name: "FAILED", module: m, config: cmd(`echo "it's bad"; echo err >&2; exit 3`), status: StatusFailed,
			message: fixed(`ERROR 'echo "it\'s bad"; echo err >&2; exit 3' run with failure, output: b"it's bad\nerr\n"`)},
		{name: "no command", module: m, config: func(*testing.T, string) map[string]string { return map[string]string{} }, status: StatusFailed,
			message: fixed(`ERROR TypeError('expected str, bytes or os.PathLike object, not NoneType') during running command None`)},
	})
}

func TestFreeDiskSpace(t *testing.T) {
	const m = "check_free_disk_space"
	th := func(v string) func(*testing.T, string) map[string]string {
		return func(*testing.T, string) map[string]string {
			return map[string]string{"threshold": v, "collectordb": "/nonexistent/collector.db"}
		}
	}
	runCheckCases(t, []checkCase{
		{name: "OK", module: m, config: th("0"), status: StatusOK, message: fixed("Current disk usage: OK")},
		{name: "FAILED", module: m, config: th("1000000000"), status: StatusFailed,
			message: fixed(`^Free disk space low: remaining [0-9]+\.[0-9]{2} G \(disk size: [0-9]+ G, threshold: 1000000000 G\)\.$`), re: true},
	})
}

func TestReadTextDecodeErrors(t *testing.T) {
	python := requirePython(t)
	dir := t.TempDir()
	for i, data := range [][]byte{{'a', 0xff, 'b'}, {'a', 0xc3, 'b'}, {'a', 0xe2, 0x82}} {
		p := filepath.Join(dir, itoa(i))
		os.WriteFile(p, data, 0o644)
		_, err := readText(p)
		out, perr := exec.Command(python, "-c", "import sys\ntry:\n  open(sys.argv[1]).read()\nexcept Exception as e:\n  print(repr(e))", p).Output()
		if perr != nil {
			t.Fatal(perr)
		}
		if err == nil || err.Error() != strings.TrimSpace(string(out)) {
			t.Errorf("%q: readText error %v, Python %s", data, err, out)
		}
	}
}
