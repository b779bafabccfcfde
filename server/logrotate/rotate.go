package logrotate

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"webrunner/buildout/proc"
)

// A Rotator applies a Config to the logs it names.
type Rotator struct {
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Force rotates every log whatever its frequency (logrotate -f).
	Force bool
	// DryRun only reports what would be done (logrotate -d).
	DryRun bool
	// Log receives one line per action; nil discards them.
	Log io.Writer
}

func (r *Rotator) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Rotator) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format+"\n", args...)
	}
}

// Run rotates the logs of every entry of c that need it and records the
// rotation times in st. Errors of one log do not stop the others; they are
// all returned, joined.
func (r *Rotator) Run(ctx context.Context, c *Config, st State) error {
	var errs []error
	for _, e := range c.Entries {
		if err := r.entry(ctx, e, st); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Rotator) entry(ctx context.Context, e *Entry, st State) error {
	var (
		errs  []error
		files []string
	)
	for _, pat := range e.Patterns {
		m, err := filepath.Glob(pat)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: bad pattern %q: %v", e.Pos, pat, err))
			continue
		}
		if len(m) == 0 {
			if !e.MissingOK {
				errs = append(errs, fmt.Errorf("%s: stat of %s failed: no such file or directory", e.Pos, pat))
			}
			continue
		}
		for _, f := range m {
			if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
				files = append(files, f)
			}
		}
	}
	var due []string
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		ok, why := r.needsRotation(e, abs, st)
		r.logf("considering log %s: %s", f, why)
		if ok {
			due = append(due, f)
		}
	}
	if len(due) == 0 {
		return errors.Join(errs...)
	}
	shared := strings.Join(e.Patterns, " ")
	if e.FirstAction != "" {
		if err := r.script(ctx, "firstaction", e.FirstAction, shared); err != nil {
			return errors.Join(append(errs, fmt.Errorf("%s: %w", e.Pos, err))...)
		}
	}
	if e.SharedScripts && e.PreRotate != "" {
		if err := r.script(ctx, "prerotate", e.PreRotate, shared); err != nil {
			return errors.Join(append(errs, fmt.Errorf("%s: %w", e.Pos, err))...)
		}
	}
	var done []rotation
	for _, f := range due {
		if !e.SharedScripts && e.PreRotate != "" {
			if err := r.script(ctx, "prerotate", e.PreRotate, f); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.Pos, err))
				continue
			}
		}
		rot, err := r.rotate(e, f)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Pos, err))
			continue
		}
		abs, _ := filepath.Abs(f)
		st[abs] = r.now()
		done = append(done, rot)
		if !e.SharedScripts && e.PostRotate != "" {
			if err := r.script(ctx, "postrotate", e.PostRotate, f); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.Pos, err))
			}
		}
	}
	if e.SharedScripts && e.PostRotate != "" && len(done) > 0 {
		if err := r.script(ctx, "postrotate", e.PostRotate, shared); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Pos, err))
		}
	}
	for _, rot := range done {
		if err := r.finish(ctx, e, rot); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Pos, err))
		}
	}
	if e.LastAction != "" && len(done) > 0 {
		if err := r.script(ctx, "lastaction", e.LastAction, shared); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Pos, err))
		}
	}
	return errors.Join(errs...)
}

// needsRotation decides like logrotate: a log seen for the first time is
// recorded and not rotated, unless forced or over its size limit.
func (r *Rotator) needsRotation(e *Entry, abs string, st State) (bool, string) {
	fi, err := os.Stat(abs)
	if err != nil {
		return false, err.Error()
	}
	size, now := fi.Size(), r.now()
	if size == 0 && !e.IfEmpty {
		if _, seen := st[abs]; !seen {
			st[abs] = now
		}
		return false, "log is empty"
	}
	if r.Force {
		return true, "forced"
	}
	last, seen := st[abs]
	if !seen {
		st[abs] = now
	}
	if e.Size > 0 {
		if size >= e.Size {
			return true, "log is over its size"
		}
		return false, "log is under its size"
	}
	if e.MaxSize > 0 && size > e.MaxSize {
		return true, "log is over maxsize"
	}
	if !seen {
		return false, "log has been already rotated (first seen)"
	}
	var due bool
	switch e.Frequency {
	case "hourly":
		due = now.Truncate(time.Hour).After(last.Truncate(time.Hour)) || now.Sub(last) >= time.Hour
	case "daily":
		due = now.YearDay() != last.YearDay() || now.Year() != last.Year()
	case "weekly":
		due = now.Weekday() < last.Weekday() || now.Sub(last) >= 7*24*time.Hour
	case "monthly":
		due = now.Month() != last.Month() || now.Year() != last.Year()
	case "yearly":
		due = now.Year() != last.Year()
	default:
		due = true
	}
	if !due {
		return false, "log does not need rotating (" + e.Frequency + ")"
	}
	if e.MinSize > 0 && size < e.MinSize {
		return false, "log is under minsize"
	}
	return true, "log needs rotating"
}

// A rotation is a log just rotated, for the steps after postrotate.
type rotation struct {
	log, dir, base string // dir: where rotated files are kept
	target         string // the file just made
}

func (r *Rotator) olddir(e *Entry, log string) (string, error) {
	dir := filepath.Dir(log)
	if e.OldDir == "" {
		return dir, nil
	}
	od := e.OldDir
	if !filepath.IsAbs(od) {
		od = filepath.Join(dir, od)
	}
	if fi, err := os.Stat(od); err != nil || !fi.IsDir() {
		if !e.CreateOldDir {
			return "", fmt.Errorf("olddir %s does not exist", od)
		}
		if err := os.MkdirAll(od, 0o755); err != nil {
			return "", err
		}
	}
	return od, nil
}

// rotate moves or copies the log to its first rotated name and recreates it.
func (r *Rotator) rotate(e *Entry, log string) (rotation, error) {
	dir, err := r.olddir(e, log)
	if err != nil {
		return rotation{}, err
	}
	base := filepath.Base(log)
	stem := base
	if e.Extension != "" {
		stem = strings.TrimSuffix(base, e.Extension)
	}
	rot := rotation{log: log, dir: dir, base: stem}
	ext := r.ext(e)
	if e.DateExt {
		rot.target = filepath.Join(dir, stem+strftime(e.DateFormat, r.now())+e.Extension)
		for _, p := range []string{rot.target, rot.target + ext} {
			if _, err := os.Stat(p); err == nil {
				return rotation{}, fmt.Errorf("destination %s already exists, skipping rotation of %s", p, log)
			}
		}
	} else {
		rot.target = filepath.Join(dir, numbered(stem, e.Start, e.Extension))
		if !r.DryRun {
			// Shift log.N to log.N+1, highest first, each keeping its compression.
			for i := e.Start + e.Rotate - 1; i >= e.Start; i-- {
				for _, x := range []string{"", ext} {
					from := filepath.Join(dir, numbered(stem, i, e.Extension)+x)
					if _, err := os.Stat(from); err == nil {
						if err := move(from, filepath.Join(dir, numbered(stem, i+1, e.Extension)+x)); err != nil {
							return rotation{}, err
						}
					}
				}
			}
		}
	}
	r.logf("rotating %s to %s", log, rot.target)
	if r.DryRun {
		return rot, nil
	}
	fi, err := os.Stat(log)
	if err != nil {
		return rotation{}, err
	}
	switch {
	case e.CopyTruncate || e.Copy:
		if err := copyFile(log, rot.target, fi.Mode().Perm()); err != nil {
			return rotation{}, err
		}
		if e.CopyTruncate {
			if err := os.Truncate(log, 0); err != nil {
				return rotation{}, fmt.Errorf("truncate %s: %w", log, err)
			}
		}
	default:
		if err := move(log, rot.target); err != nil {
			return rotation{}, err
		}
		if e.Create {
			if err := create(log, e, fi); err != nil {
				return rotation{}, err
			}
		}
	}
	return rot, nil
}

// finish compresses and removes old rotated files, after postrotate.
func (r *Rotator) finish(ctx context.Context, e *Entry, rot rotation) error {
	if r.DryRun {
		return nil
	}
	ext := r.ext(e)
	old, err := r.rotated(e, rot)
	if err != nil {
		return err
	}
	if e.Compress {
		for i, f := range old {
			if strings.HasSuffix(f, ext) {
				continue
			}
			// With delaycompress the newest rotated file stays as it is
			// until the next rotation.
			if e.DelayCompress && i == 0 {
				continue
			}
			if err := r.compress(ctx, e, f); err != nil {
				return err
			}
			old[i] = f + ext
		}
	}
	keep := e.Rotate
	if keep < 0 {
		keep = len(old)
	}
	cutoff := r.now().Add(-time.Duration(e.MaxAge) * 24 * time.Hour)
	for i, f := range old {
		remove := i >= keep
		if !remove && e.MaxAge > 0 {
			if fi, err := os.Stat(f); err == nil && fi.ModTime().Before(cutoff) {
				remove = true
			}
		}
		if remove {
			r.logf("removing old log %s", f)
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}

// rotated lists the rotated files of a log, newest first.
func (r *Rotator) rotated(e *Entry, rot rotation) ([]string, error) {
	ents, err := os.ReadDir(rot.dir)
	if err != nil {
		return nil, err
	}
	ext := regexp.QuoteMeta(r.ext(e))
	x := regexp.QuoteMeta(e.Extension)
	var re *regexp.Regexp
	if e.DateExt {
		re = regexp.MustCompile("^" + regexp.QuoteMeta(rot.base) + dateRegexp(e.DateFormat) + x + "(" + ext + ")?$")
	} else {
		re = regexp.MustCompile("^" + regexp.QuoteMeta(rot.base) + `\.([0-9]+)` + x + "(" + ext + ")?$")
	}
	type item struct {
		path string
		key  int
		name string
	}
	var items []item
	for _, en := range ents {
		m := re.FindStringSubmatch(en.Name())
		if m == nil || en.IsDir() {
			continue
		}
		it := item{path: filepath.Join(rot.dir, en.Name()), name: strings.TrimSuffix(en.Name(), r.ext(e))}
		if !e.DateExt {
			it.key, _ = strconv.Atoi(m[1])
		}
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool {
		if e.DateExt {
			return items[i].name > items[j].name // date formats sort as text
		}
		return items[i].key < items[j].key
	})
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.path
	}
	return out, nil
}

// ext is the extension compressed files get.
func (r *Rotator) ext(e *Entry) string {
	if e.CompressExt != "" {
		return e.CompressExt
	}
	switch strings.TrimSuffix(filepath.Base(e.CompressCmd), ".exe") {
	case "bzip2", "pbzip2":
		return ".bz2"
	case "xz", "pixz":
		return ".xz"
	case "zstd", "pzstd":
		return ".zst"
	case "lzma":
		return ".lzma"
	case "lz4":
		return ".lz4"
	}
	return ".gz"
}

// compress writes f+ext with the configured command (built-in gzip when
// none is configured) and removes f.
func (r *Rotator) compress(ctx context.Context, e *Entry, f string) error {
	dst := f + r.ext(e)
	r.logf("compressing %s", f)
	in, err := os.Open(f)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if e.CompressCmd == "" {
		level := gzip.DefaultCompression
		for _, o := range e.CompressOptions {
			if n, err := strconv.Atoi(strings.TrimPrefix(o, "-")); err == nil && n >= 1 && n <= 9 {
				level = n
			}
		}
		zw, _ := gzip.NewWriterLevel(out, level)
		zw.Name = filepath.Base(f)
		zw.ModTime = fi.ModTime()
		_, err = io.Copy(zw, in)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
	} else {
		opts := e.CompressOptions
		if opts == nil {
			opts = []string{"-6"}
		}
		cmd := exec.CommandContext(ctx, e.CompressCmd, opts...)
		proc.Prepare(cmd, 0)
		cmd.Stdin, cmd.Stdout = in, out
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err = cmd.Run(); err != nil {
			err = fmt.Errorf("compress %s with %s: %v %s", f, e.CompressCmd, err, strings.TrimSpace(stderr.String()))
		}
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return err
	}
	return os.Remove(f)
}

// script runs a prerotate/postrotate/… script with sh, arg as $1.
func (r *Rotator) script(ctx context.Context, what, text, arg string) error {
	r.logf("running %s script", what)
	if r.DryRun {
		return nil
	}
	cmd := proc.Command(ctx, 0, "/bin/sh", "-c", text, "logrotate_script", arg)
	var out strings.Builder
	err := proc.Run(cmd, func(l string) { out.WriteString(l + "\n"); r.logf("%s", l) })
	if err != nil {
		return fmt.Errorf("error running %s script: %v", what, err)
	}
	return nil
}

func numbered(stem string, n int, extension string) string {
	return stem + "." + strconv.Itoa(n) + extension
}

func create(log string, e *Entry, old os.FileInfo) error {
	mode := e.CreateMode
	if mode == 0 {
		mode = old.Mode().Perm()
	}
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("create %s: %w", log, err)
	}
	f.Close()
	if err := os.Chmod(log, mode); err != nil {
		return err
	}
	uid, gid := -1, -1
	if s, ok := old.Sys().(*syscall.Stat_t); ok {
		uid, gid = int(s.Uid), int(s.Gid)
	}
	if e.CreateOwner != "" {
		u, err := user.Lookup(e.CreateOwner)
		if err != nil {
			return fmt.Errorf("create %s: %w", log, err)
		}
		uid, _ = strconv.Atoi(u.Uid)
	}
	if e.CreateGroup != "" {
		g, err := user.LookupGroup(e.CreateGroup)
		if err != nil {
			return fmt.Errorf("create %s: %w", log, err)
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	if err := os.Lchown(log, uid, gid); err != nil && !errors.Is(err, syscall.EPERM) {
		return fmt.Errorf("create %s: %w", log, err)
	}
	return nil
}

// move renames, copying across file systems.
func move(from, to string) error {
	err := os.Rename(from, to)
	if err == nil || !errors.Is(err, syscall.EXDEV) {
		return err
	}
	fi, err := os.Stat(from)
	if err != nil {
		return err
	}
	if err := copyFile(from, to, fi.Mode().Perm()); err != nil {
		return err
	}
	return os.Remove(from)
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// strftime expands the conversions logrotate allows in dateformat.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'V':
			_, w := t.ISOWeek()
			fmt.Fprintf(&b, "%02d", w)
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// dateRegexp matches what strftime(format) produces.
func dateRegexp(format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteString(regexp.QuoteMeta(format[i : i+1]))
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			b.WriteString(`[0-9]{4}`)
		case 'm', 'd', 'H', 'M', 'S', 'V':
			b.WriteString(`[0-9]{2}`)
		case 's':
			b.WriteString(`[0-9]+`)
		default:
			b.WriteString(regexp.QuoteMeta(format[i-1 : i+1]))
		}
	}
	return b.String()
}
