package promise

import (
	"context"
	"syscall"
)

// newFreeDiskSpace implements slapos.promise.plugin.check_free_disk_space
// from statfs(2) of the partition instead of the monitor's collector
// database (collectordb is accepted and ignored).
func newFreeDiskSpace(p *nativePromise) error {
	if err := p.setFrequency("60"); err != nil {
		return err
	}
	p.anomaly = evaluation{resultCount: 3, failureAmount: 3}
	p.sense = func(ctx context.Context, log *senseLog) error {
		var st syscall.Statfs_t
		if err := syscall.Statfs(p.partition, &st); err != nil {
			_, text := pyExceptionParts(err)
			log.error("Couldn't find disk partition: %s", text)
			return nil
		}
		const gib = 1024 * 1024 * 1024
		size := float64(st.Blocks) * float64(st.Bsize) / gib
		free := float64(st.Bavail) * float64(st.Bsize) / gib
		threshold := size * 0.05
		if size == 0 {
			threshold = 100
		}
		if p.cfg.has("threshold") {
			t, err := pyParseFloat(p.cfg.get("threshold", ""))
			if err != nil {
				return err
			}
			threshold = t
		}
		if free < threshold {
			log.error("Free disk space low: remaining %.2f G (disk size: %.0f G, threshold: %.0f G).", free, size, threshold)
			return nil
		}
		if st.Files > 0 {
			usage := float64(st.Files-st.Ffree) / float64(st.Files) * 100
			if usage >= 98 {
				log.error("Disk Inodes usage is really high: %.4f%%", usage)
				return nil
			}
		}
		log.info("Current disk usage: OK")
		return nil
	}
	return nil
}
