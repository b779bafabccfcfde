package buildout

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// referenceSeconds reads the reference timings table of the corpus README.
func referenceSeconds(tb testing.TB) map[string]float64 {
	f, err := os.Open(filepath.Join(sharedDir(tb), "corpus", "buildout", "README.md"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) != 6 {
			continue
		}
		secs, err := strconv.ParseFloat(strings.TrimSpace(cells[4]), 64)
		if err != nil {
			continue
		}
		out[strings.TrimSpace(cells[1])] = secs
	}
	return out
}

// BenchmarkResolve resolves each corpus profile from scratch (files read
// and parsed, every section substituted) and reports the speed-up over
// the reference resolver's time listed in the corpus README.
func BenchmarkResolve(b *testing.B) {
	corpus, profiles := corpusProfiles(b)
	ref := referenceSeconds(b)
	for _, p := range profiles {
		path := filepath.Join(corpus, p.Profile)
		b.Run(p.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep, _ := ResolveFile(context.Background(), path, LoadOptions{EmulateLocation: true})
				if rep.Fatal != nil {
					b.Fatal(*rep.Fatal)
				}
			}
			per := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(per*1000, "ms/profile")
			if s, ok := ref[p.Name]; ok {
				b.ReportMetric(s, "ref-s")
				b.ReportMetric(s/per, "speedup")
			}
		})
	}
}
