package promise

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkLastResults reads the 3 latest runs of a 10 000-run log, as
// an anomaly check does after every sense.
func BenchmarkLastResults(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 10000; i++ {
		sb.WriteString("2024-01-02 03:00:00 - ERROR - 1704164400-" + itoa(100+i%900) + " - ConnectionRefusedError: [Errno 111] Connection refused\n")
	}
	path := filepath.Join(b.TempDir(), "p.log")
	os.WriteFile(path, []byte(sb.String()), 0o644)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if runs, err := LastResults(path, now, 0, 3, false); err != nil || len(runs) != 3 {
			b.Fatal(runs, err)
		}
	}
}

// BenchmarkNativeRun runs one native check_file_state promise: parse,
// sense, log, evaluate, write result and cache.
func BenchmarkNativeRun(b *testing.B) {
	dir := b.TempDir()
	os.MkdirAll(filepath.Join(dir, pluginFolder), 0o755)
	os.WriteFile(filepath.Join(dir, pluginFolder, "f.py"),
		[]byte(generatedPlugin("check_file_state", map[string]string{"filename": filepath.Join(dir, "x"), "state": "absent"})), 0o644)
	l := &Launcher{PartitionDir: dir}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Run(context.Background(), RunOptions{Force: true}); err != nil {
			b.Fatal(err)
		}
	}
}
