package cookbook

import (
	"context"
	"errors"
	"fmt"
	"os/exec"

	"webrunner/buildout"
	"webrunner/recipes/internal/files"
	"webrunner/recipes/internal/option"
)

func init() {
	buildout.Register("slapos.cookbook:check_port_listening", newCheckPortListening)
}

// checkPortPython is the legacy promise slapos.cookbook:check_port_listening
// writes (spec §3.8), for a Python 3 interpreter.
const checkPortPython = `#!%s
# BEWARE: This file is operated by slapos node
# BEWARE: It will be overwritten automatically
import socket
import sys

addr = "%s", %s

try:
  socket.create_connection(addr).close()
except (socket.error, socket.timeout):
  sys.stderr.write("%%s on %%s isn't listening\n" %% addr)
  sys.exit(127)
`

// checkPortBash is the same promise for bash, used when there is no Python.
const checkPortBash = `#!%s
# BEWARE: This file is operated by slapos node
# BEWARE: It will be overwritten automatically
if ! (exec 3<>/dev/tcp/%s/%s) 2>/dev/null; then
  echo %s >&2
  exit 127
fi
`

// newCheckPortListening makes slapos.cookbook:check_port_listening: an
// executable (0700) legacy promise at path that fails with
// "<hostname> on <port> isn't listening" (exit status 127).
func newCheckPortListening(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	return installer(func(ctx context.Context) ([]string, error) {
		v, err := requiredOptions(opts, "path", "hostname", "port")
		if err != nil {
			return nil, err
		}
		path, host, port := option.Abs(h, v[0]), v[1], v[2]
		py, _ := exec.LookPath("python3")
		bash, _ := exec.LookPath("bash")
		text, err := checkPortScript(host, port, py, bash)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		if err := files.Create(path, []byte(text), 0o700); err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		return []string{path}, nil
	}), nil
}

// checkPortScript returns the promise script for the python3 interpreter
// py or, when py is empty, for bash.
func checkPortScript(host, port, py, bash string) (string, error) {
	switch {
	case py != "":
		return fmt.Sprintf(checkPortPython, py, host, port), nil
	case bash != "":
		return fmt.Sprintf(checkPortBash, bash, host, port, shellQuote(host+" on "+port+" isn't listening")), nil
	}
	return "", errors.New("check_port_listening needs python3 or bash")
}
