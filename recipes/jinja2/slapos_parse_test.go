package jinja2

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSlaposParse parses every template of the SlapOS corpus listed in
// testdata/slapos_parse.txt (written by testdata/probes/parse_slapos.py from
// Python Jinja2) and checks that the parser accepts exactly the templates
// Python accepts, and rejects the others on the same line.
func TestSlaposParse(t *testing.T) {
	root := filepath.Join(sharedDir(t), "corpus", "slapos")
	f, err := os.Open(filepath.Join("testdata", "slapos_parse.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env, err := NewEnvironment([]string{ExtDo, ExtLoopControls}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, accepted := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			t.Fatalf("slapos_parse.txt: bad line %q", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(root, fields[1]))
		if err != nil {
			t.Fatalf("slapos corpus missing (set WEBRUNNER_SHARED): %v", err)
		}
		n++
		err = env.Check(fields[1], string(data))
		if err == nil {
			accepted++
		}
		switch {
		case fields[0] == "ok" && err != nil:
			t.Errorf("%s: Python parses it, we do not: %v", fields[1], err)
		case fields[0] == "error" && err == nil:
			t.Errorf("%s: Python rejects it at line %s, we parse it", fields[1], fields[2])
		case fields[0] == "error":
			var e *Error
			if !errors.As(err, &e) || strconv.Itoa(e.Line) != fields[2] {
				t.Errorf("%s: error %v, Python's is at line %s", fields[1], err, fields[2])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("parsed %d of %d SlapOS templates", accepted, n)
}
