package buildout

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateConformance = flag.Bool("update-conformance", false, "rewrite testdata/conformance.txt with the current pass counts")

// TestConformance resolves every public corpus profile in-process and
// compares the result with zc.buildout's, unit by unit, as compare.py
// does. It fails when a profile passes fewer units than recorded in
// testdata/conformance.txt (the count only goes up).
func TestConformance(t *testing.T) {
	corpus, profiles := corpusProfiles(t)
	recorded := readConformance(t)
	cache := NewFileCache()
	var totalPassed, totalFailed, profilesOK int
	var lines []string
	for _, p := range profiles {
		path := filepath.Join(corpus, p.Profile)
		rep, _ := ResolveFile(context.Background(), path, LoadOptions{EmulateLocation: true, Cache: cache})
		if rep.Fatal != nil {
			t.Errorf("%s: fatal: %s", p.Name, *rep.Fatal)
			continue
		}
		passed, failed, mism := compareReport(rep, p, corpus)
		if wantOK := len(p.Errors) == 0; rep.OK() != wantOK && recorded[p.Name] > 0 {
			t.Errorf("%s: exit status would be %d, reference %d", p.Name, exitStatus(rep), map[bool]int{true: 0, false: 3}[wantOK])
		}
		totalPassed += passed
		totalFailed += failed
		if failed == 0 {
			profilesOK++
		}
		lines = append(lines, fmt.Sprintf("%s %d", p.Name, passed))
		if want, ok := recorded[p.Name]; ok && passed < want {
			t.Errorf("%s: %d units pass, %d recorded in testdata/conformance.txt; first mismatches:\n  %s",
				p.Name, passed, want, strings.Join(mism[:min(len(mism), 10)], "\n  "))
		} else if !ok {
			t.Logf("%s: %d/%d units pass (not recorded in testdata/conformance.txt)", p.Name, passed, passed+failed)
		}
	}
	t.Logf("corpus: %d/%d units pass, %d/%d profiles fully conformant",
		totalPassed, totalPassed+totalFailed, profilesOK, len(profiles))
	if *updateConformance {
		content := "# Units of corpus/buildout that pass, per public profile (TestConformance).\n" +
			"# A profile may not pass fewer; regenerate with: go test -run TestConformance -update-conformance\n" +
			strings.Join(lines, "\n") + "\n"
		if err := os.WriteFile(filepath.Join("testdata", "conformance.txt"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// exitStatus is the status "webrunner buildout resolve" exits with.
func exitStatus(r *Report) int {
	switch {
	case r.Fatal != nil:
		return 1
	case !r.OK():
		return 3
	}
	return 0
}
