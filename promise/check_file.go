package promise

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"unicode/utf8"

	"webrunner/buildout/proc"
	"webrunner/recipes/jinja2/pyval"
)

// newFileState implements slapos.promise.plugin.check_file_state: filename
// must be absent, empty or not-empty.
func newFileState(p *nativePromise) error {
	if err := p.setFrequency("2"); err != nil {
		return err
	}
	count, err := p.cfg.intDefault("result-count", 1)
	if err != nil {
		return err
	}
	amount, err := p.cfg.intDefault("failure-amount", 1)
	if err != nil {
		return err
	}
	if count < amount {
		return &pyError{"ValueError", fmt.Sprintf("Bad configuration: result-count %d < failure_amount %d", count, amount)}
	}
	p.test = evaluation{resultCount: count, failureAmount: amount}
	p.anomaly = evaluation{resultCount: count, failureAmount: amount, anomaly: true}
	if pyTrue(p.cfg.get("perdiodic-only", "false"), "true", "yes", "1") {
		p.tested = false
	}
	if pyTrue(p.cfg.get("report-anomaly", "true"), "false", "no", "0") {
		p.anomalyChecked = false
	}
	p.sense = func(ctx context.Context, log *senseLog) error {
		fv, _ := p.cfg.lookup("filename")
		filename, ok := fv.(string)
		if !ok {
			return &pyError{"TypeError", fmt.Sprintf("stat: path should be string, bytes, os.PathLike or integer, not %s", pyTypeName(fv))}
		}
		sv, _ := p.cfg.lookup("state")
		state := p.cfg.get("state", "")
		url := strings.TrimSpace(p.cfg.get("url", ""))
		fname := pyval.QuoteString(filename)
		_, statErr := os.Stat(filename)
		exists := statErr == nil
		if state == "absent" {
			if exists {
				log.error("ERROR %s not absent", fname)
			} else {
				log.info("OK %s state %s", fname, pyValueRepr(sv))
			}
			return nil
		}
		if !exists {
			log.error("ERROR %s not present", fname)
			return nil
		}
		content, err := readText(filename)
		if err != nil {
			log.error("ERROR %s during opening and reading file %s", err, fname)
			return nil
		}
		switch {
		case state == "empty" && content != "":
			msg := "ERROR " + fname + " not empty"
			if url != "" {
				msg += ", content available at " + url
			}
			log.error("%s", msg)
		case state == "not-empty" && content == "":
			log.error("ERROR %s empty", fname)
		default:
			log.info("OK %s state %s", fname, pyValueRepr(sv))
		}
		return nil
	}
	return nil
}

// readText reads a file as Python's open().read() does in UTF-8 text
// mode; the error text is the Python repr of the exception.
func readText(name string) (string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			class, _, _ := pyOSError(errno)
			return "", fmt.Errorf("%s(%d, %s)", class, int(errno), pyval.QuoteString(pyStrerror(errno.Error())))
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("OSError(%s)", pyval.QuoteString(pe.Err.Error()))
		}
		return "", fmt.Errorf("OSError(%s)", pyval.QuoteString(err.Error()))
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		reason, end := "invalid start byte", i+1
		if c := data[i]; c >= 0xc2 && c <= 0xf4 {
			need := 1
			if c >= 0xf0 {
				need = 3
			} else if c >= 0xe0 {
				need = 2
			}
			reason = "invalid continuation byte"
			if i+need >= len(data) {
				truncated := true
				for _, b := range data[i+1:] {
					if b&0xc0 != 0x80 {
						truncated = false
					}
				}
				if truncated {
					reason, end = "unexpected end of data", len(data)
				}
			}
		}
		return "", fmt.Errorf("UnicodeDecodeError('utf-8', %s, %d, %d, %s)", pyBytesRepr(data), i, end, pyval.QuoteString(reason))
	}
	// Universal newlines.
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

// pyTypeName returns the Python type name of a literal value.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case []any:
		return "list"
	}
	return "str"
}

// newCommandExecute implements slapos.promise.plugin.check_command_execute:
// command runs with sh -c in the partition, stderr merged into stdout.
func newCommandExecute(p *nativePromise) error {
	if err := p.setFrequency("2"); err != nil {
		return err
	}
	count, err := p.cfg.intOr("result_count", 1)
	if err != nil {
		return err
	}
	amount, err := p.cfg.intOr("failure_amount", 1)
	if err != nil {
		return err
	}
	p.anomaly = evaluation{resultCount: count, failureAmount: amount, anomaly: true}
	p.sense = func(ctx context.Context, log *senseLog) error {
		cv, _ := p.cfg.lookup("command")
		command, ok := cv.(string)
		if !ok {
			log.error("ERROR TypeError(%s) during running command %s",
				pyval.QuoteString(fmt.Sprintf("expected str, bytes or os.PathLike object, not %s", pyTypeName(cv))), pyValueRepr(cv))
			return nil
		}
		out, err := runCaptured(ctx, p.partition, "/bin/sh", "-c", command)
		if ctx.Err() != nil {
			return nil
		}
		var exitErr *exec.ExitError
		switch {
		case err == nil:
			log.info("OK %s run with success", pyval.QuoteString(command))
		case errors.As(err, &exitErr):
			log.error("ERROR %s run with failure, output: %s", pyval.QuoteString(command), pyBytesRepr(out))
		default:
			class, text := pyExceptionParts(err)
			log.error("ERROR %s(%s) during running command %s", class, pyval.QuoteString(text), pyval.QuoteString(command))
		}
		return nil
	}
	return nil
}

// runCaptured runs a command in its own process group in dir and returns
// its combined output; the group is killed when ctx ends and when the
// command exits.
func runCaptured(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := proc.Command(ctx, killGrace, name, args...)
	cmd.Dir = dir
	var buf bytes.Buffer
	w := &lockedWriter{buf: &buf}
	cmd.Stdout, cmd.Stderr = w, w
	err := cmd.Start()
	if err != nil {
		return nil, err
	}
	err = cmd.Wait()
	_ = proc.KillGroup(cmd.Process.Pid, syscall.SIGKILL)
	return w.bytes(), err
}
