package buildout

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sharedDir returns the shared specs and corpora folder: $WEBRUNNER_SHARED,
// else <module root>/../shared. A missing folder fails the test.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("WEBRUNNER_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			shared := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(shared); err != nil {
				tb.Fatalf("shared folder not found: set WEBRUNNER_SHARED or provide %s", shared)
			}
			return shared
		}
	}
	tb.Fatal("module root not found; set WEBRUNNER_SHARED")
	return ""
}

// corpusProfile is one expected output of the buildout corpus.
type corpusProfile struct {
	Name        string
	Profile     string                       `json:"profile"`
	Substituted map[string]map[string]string `json:"substituted"`
	Errors      map[string]map[string]string `json:"errors"`
}

func corpusProfiles(tb testing.TB) (root string, profiles []*corpusProfile) {
	shared := sharedDir(tb)
	root, err := filepath.EvalSymlinks(filepath.Join(shared, "corpus", "slapos"))
	if err != nil {
		tb.Fatalf("corpus: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(shared, "corpus", "buildout", "expected", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("corpus: no expected outputs under %s (%v)", shared, err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		p := &corpusProfile{Name: strings.TrimSuffix(filepath.Base(f), ".json")}
		if err := json.Unmarshal(b, p); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		profiles = append(profiles, p)
	}
	return root, profiles
}

// compareReport applies the rules of corpus/buildout/compare.py: it
// returns the units passed and failed, and the first mismatches.
func compareReport(got *Report, want *corpusProfile, corpus string) (passed, failed int, mismatches []string) {
	const errPrefix = "!ERROR: "
	exe := got.Substituted["buildout"]["executable"]
	subst := func(v string) string {
		v = strings.ReplaceAll(v, "@CORPUS@", corpus)
		return strings.ReplaceAll(v, "@EXECUTABLE@", exe)
	}
	sections := make([]string, 0, len(want.Substituted))
	for s := range want.Substituted {
		sections = append(sections, s)
	}
	sort.Strings(sections)
	for _, s := range sections {
		xs, xe, ee := want.Substituted[s], want.Errors[s], got.Errors[s]
		es, haveSection := got.Substituted[s]
		opts := make([]string, 0, len(xs))
		for o := range xs {
			if s == "buildout" && o == "executable" {
				continue
			}
			opts = append(opts, o)
		}
		sort.Strings(opts)
		for _, o := range opts {
			xv := xs[o]
			_, wantErr := xe[o]
			wantErr = wantErr || strings.HasPrefix(xv, errPrefix)
			gv, has := es[o]
			_, gotErr := ee[o]
			gotErr = gotErr || (has && strings.HasPrefix(gv, errPrefix))
			ok := gotErr
			if !wantErr {
				ok = !gotErr && haveSection && has && gv == subst(xv)
			}
			if ok {
				passed++
				continue
			}
			failed++
			mismatches = append(mismatches, "["+s+"] "+o+": want "+strconv.Quote(subst(xv))+", got "+strconv.Quote(gv))
		}
		_, wantSec := xe["<section>"]
		_, gotSec := ee["<section>"]
		if wantSec || gotSec {
			if wantSec == gotSec {
				passed++
			} else {
				failed++
				mismatches = append(mismatches, "["+s+"] <section>: want error "+strconv.FormatBool(wantSec)+", got "+strconv.FormatBool(gotSec))
			}
		}
	}
	return passed, failed, mismatches
}

func readConformance(tb testing.TB) map[string]int {
	out := map[string]int{}
	f, err := os.Open(filepath.Join("testdata", "conformance.txt"))
	if err != nil {
		if os.IsNotExist(err) {
			return out
		}
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil {
			tb.Fatalf("conformance.txt: %q: %v", sc.Text(), err)
		}
		out[fields[0]] = n
	}
	return out
}
