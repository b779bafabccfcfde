// Package node builds software releases and deploys the instance
// partition the way `slapos node software` and `slapos node instance` do
// (slapos.md §2), in-process: the software is built in
// WORKSPACE/software/<md5 of the profile path>/, the partition's
// buildout.cfg is the release's instance profile plus slapgrid's tail, the
// buildout engine runs with the mini master in its context, then the
// partition's processes are synchronised and its promises run.
package node

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"webrunner/buildout/proc"
	"webrunner/promise"
	"webrunner/recipes/slap"
	"webrunner/server/build"
	"webrunner/server/master"
	"webrunner/server/supervise"
)

// A Run is one buildout run.
type Run struct {
	Dir       string       // working directory, the buildout directory
	Config    string       // the configuration file (-c)
	Overrides []string     // section:option=value assignments, as on the command line
	Env       []string     // environment of the processes the run starts: additions to os.Environ()
	Log       func(string) // receives every output line
	// Progress, if set, is told when part, the step-th of steps, starts.
	Progress func(part string, step, steps int)
}

// An Engine runs buildout. The context of Run carries the mini master
// (slap.FromContext) for the instance recipes; when it is done, Run must
// stop and kill every process it started.
type Engine interface {
	Run(ctx context.Context, r Run) error
}

// EngineFunc adapts a function to Engine.
type EngineFunc func(ctx context.Context, r Run) error

// Run calls f.
func (f EngineFunc) Run(ctx context.Context, r Run) error { return f(ctx, r) }

// A Node builds and deploys one workspace's partition.
type Node struct {
	// SoftwareRoot holds one folder per built release (WORKSPACE/software).
	SoftwareRoot string
	// InstanceRoot holds the partition (WORKSPACE/instance).
	InstanceRoot string
	// Master is the mini master of the partition.
	Master *master.Master
	// Engine runs buildout.
	Engine Engine
	// Supervisor runs the partition's processes.
	Supervisor *supervise.Supervisor
	// Promises runs the partition's promises.
	Promises *promise.Launcher
	// ServerURL is the master URL written in [slap-connection]; the
	// recipes reach the master in-process, so it only names it.
	ServerURL string

	mu sync.Mutex // held by whatever changes the partition
}

// New returns the node of the workspace rooted at root, whose partition is
// m's. Engine must be set before building.
func New(root string, m *master.Master, engine Engine) *Node {
	id := m.PartitionID()
	pp := filepath.Join(root, "instance", id)
	n := &Node{
		SoftwareRoot: filepath.Join(root, "software"),
		InstanceRoot: filepath.Join(root, "instance"),
		Master:       m,
		Engine:       engine,
		Supervisor:   supervise.New(pp, id),
		ServerURL:    "webrunner:mini-master",
	}
	n.Promises = &promise.Launcher{
		PartitionDir: pp,
		Slap: map[string]string{
			"master-url":     n.ServerURL,
			"partition-id":   id,
			"computer-id":    master.ComputerID,
			"partition-cert": "",
			"partition-key":  "",
		},
	}
	return n
}

// SoftwarePath returns the build folder of the release url:
// SoftwareRoot/md5(url).
func (n *Node) SoftwarePath(url string) string {
	sum := md5.Sum([]byte(url))
	return filepath.Join(n.SoftwareRoot, hex.EncodeToString(sum[:]))
}

// PartitionPath returns the partition directory.
func (n *Node) PartitionPath() string {
	return filepath.Join(n.InstanceRoot, n.Master.PartitionID())
}

// Software builds the release url (the absolute path of its software.cfg)
// as slapgrid does (§2.2), always rebuilding, as `slapos node software
// --all` does.
func (n *Node) Software(ctx context.Context, url string, log func(string)) error {
	sp := n.SoftwarePath(url)
	log(fmt.Sprintf("Installing software release %s in %s", url, sp))
	if err := os.MkdirAll(filepath.Join(sp, "extends-cache"), 0o755); err != nil {
		return err
	}
	cfg := filepath.Join(sp, "buildout.cfg")
	if _, err := os.Stat(cfg); errors.Is(err, os.ErrNotExist) {
		text := "[buildout]\nextends = " + url + "\nshared-part-list = \nbuild-time-part-list = \n\n"
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			return err
		}
	}
	err := n.Engine.Run(ctx, Run{
		Dir:    sp,
		Config: cfg,
		Overrides: []string{
			"buildout:extends-cache=" + filepath.Join(sp, "extends-cache"),
			"buildout:directory=" + sp,
		},
		Env: []string{"HOME=" + sp},
		Progress: func(part string, step, steps int) {
			build.ReportProgress(ctx, build.PhaseSoftware, part, step, steps)
		},
		Log: log,
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(sp, ".completed"), []byte(time.Now().Format(time.ANSIC)), 0o644); err != nil {
		return err
	}
	log("Finished software release " + url)
	return nil
}

// tail is slapgrid's buildout-tail.cfg.in (§2.3.2 step 5).
const tail = `# This is beginning of zc.buildout profile's tail added by slapgrid
[buildout]
# put buildout generated binaries in specific directory
bin-directory = ${buildout:directory}/sbin

# protect software and run parts offline
offline = true

[slap-connection]
computer-id = %[1]s
partition-id = %[2]s
server-url = %[3]s
software-release-url = %[4]s
key-file = %[5]s
cert-file = %[6]s
shared-part-list =
  %[7]s
build-time-part-list =
  %[8]s
requested-state = %[9]s

[slap_connection]
# Kept for backward compatiblity
computer_id = %[1]s
partition_id = %[2]s
server_url = %[3]s
software_release_url = %[4]s
key_file = %[5]s
cert_file = %[6]s

[storage-configuration]
storage-home = %[10]s

[network-information]
global-ipv4-network = %[11]s
# This is end of zc.buildout profile's tail added by slapgrid
`

// PartitionConfig returns the partition's buildout.cfg: the release's
// instance profile, two newlines and slapgrid's tail.
func (n *Node) PartitionConfig(profile []byte, url, state string) []byte {
	t := fmt.Sprintf(tail, master.ComputerID, n.Master.PartitionID(), n.ServerURL, url, "", "", "", "", state, "", "")
	return append(append(append([]byte(nil), profile...), "\n\n"...), t...)
}

// instanceProfile returns the release's instance.cfg, or the legacy
// template.cfg.
func (n *Node) instanceProfile(url string) (string, error) {
	sp := n.SoftwarePath(url)
	if _, err := os.Stat(sp); err != nil {
		return "", fmt.Errorf("Software Release %s is not present on system.\nCannot deploy instance.", url)
	}
	for _, name := range []string{"instance.cfg", "template.cfg"} {
		p := filepath.Join(sp, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("Software Release %s is not correctly installed.\nMissing file: %s", url, filepath.Join(sp, "instance.cfg"))
}

// Instance deploys the partition from the release url in its requested
// state (§2.3): started (buildout, processes, promises), stopped
// (buildout, processes stopped) or destroyed (processes stopped, partition
// emptied, connection parameters cleared).
func (n *Node) Instance(ctx context.Context, url string, log build.Logger) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	in, err := n.Master.Get(ctx)
	if err != nil {
		return err
	}
	if in.State == master.Destroyed {
		return n.destroy(ctx, func(s string) { log(build.PhaseInstance, s) })
	}
	pp := n.PartitionPath()
	if il, err := openInstanceLog(pp); err == nil {
		defer il.Close()
		log = il.tee(log)
	}
	ilog := func(s string) { log(build.PhaseInstance, s) }
	errFile := filepath.Join(pp, ".slapgrid-"+n.Master.PartitionID()+"-error.log")
	os.Remove(errFile)
	os.Remove(filepath.Join(pp, ".timestamp")) // written again only on success
	err = n.install(ctx, url, in.State, ilog)
	if in.State == master.Stopped {
		n.Supervisor.Stop()
		ilog("Partition " + n.Master.PartitionID() + " stopped")
		return err
	}
	if err == nil {
		err = n.start(ctx, ilog)
	}
	if err == nil {
		err = n.promises(ctx, log)
	} else {
		os.WriteFile(errFile, []byte(err.Error()), 0o644)
		n.promises(ctx, log) // refresh their results; the build already failed
		return err
	}
	if err != nil {
		return err
	}
	if in.Timestamp != 0 {
		ts := strconv.FormatFloat(in.Timestamp, 'f', -1, 64)
		os.WriteFile(filepath.Join(pp, ".timestamp"), []byte(ts), 0o644)
	}
	ilog("Partition " + n.Master.PartitionID() + " correctly processed")
	return nil
}

// instanceLog is the partition's .slapgrid/log/instance.log, which keeps
// the output of every instance build, as slapgrid's does.
type instanceLog struct {
	mu sync.Mutex
	f  *os.File
}

// instanceLogMax is the size past which instance.log is moved to instance.log.1.
const instanceLogMax = 20 << 20

func openInstanceLog(pp string) (*instanceLog, error) {
	dir := filepath.Join(pp, ".slapgrid", "log")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "instance.log")
	if fi, err := os.Stat(p); err == nil && fi.Size() >= instanceLogMax {
		os.Rename(p, p+".1")
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &instanceLog{f: f}, nil
}

// tee returns a logger writing each line to the file too, in slapgrid's
// "[time] LEVEL name message" layout.
func (l *instanceLog) tee(next build.Logger) build.Logger {
	return func(phase, text string) {
		l.mu.Lock()
		fmt.Fprintf(l.f, "[%s] INFO     slapos.%s %s\n", time.Now().Format("2006-01-02 15:04:05,000"), phase, text)
		l.mu.Unlock()
		next(phase, text)
	}
}

func (l *instanceLog) Close() error { return l.f.Close() }

// install writes the partition's buildout.cfg and runs buildout in it.
func (n *Node) install(ctx context.Context, url, state string, log func(string)) error {
	pp := n.PartitionPath()
	id := n.Master.PartitionID()
	log(fmt.Sprintf("Processing partition %s (software release %s, state %s)", id, url, state))
	if err := os.MkdirAll(filepath.Join(pp, ".slapgrid", "log"), 0o750); err != nil {
		return err
	}
	if err := os.Chmod(pp, 0o750); err != nil {
		return err
	}
	profile, err := n.instanceProfile(url)
	if err != nil {
		return err
	}
	link := filepath.Join(pp, "software_release")
	os.Remove(link)
	if err := os.Symlink(n.SoftwarePath(url), link); err != nil {
		return err
	}
	title := filepath.Base(filepath.Dir(url))
	if err := n.Master.SetRelease(ctx, url, title); err != nil {
		return err
	}
	text, err := os.ReadFile(profile)
	if err != nil {
		return err
	}
	cfg := filepath.Join(pp, "buildout.cfg")
	if err := os.WriteFile(cfg, n.PartitionConfig(text, url, state), 0o640); err != nil {
		return err
	}
	if err := os.Chmod(cfg, 0o640); err != nil {
		return err
	}
	err = n.Engine.Run(slap.NewContext(ctx, n.Master), Run{
		Dir:    pp,
		Config: cfg,
		Env:    []string{"HOME=" + pp, "SLAPGRID_INSTANCE_ROOT=" + n.InstanceRoot},
		Log:    log,
		Progress: func(part string, step, steps int) {
			build.ReportProgress(ctx, build.PhaseInstance, part, step, steps)
		},
	})
	return explainSoftwareRef(err, n.SoftwarePath(url))
}

// start synchronises the partition's processes with its wrappers.
func (n *Node) start(ctx context.Context, log func(string)) error {
	acts, err := n.Supervisor.Sync(ctx)
	for _, a := range acts {
		log(a)
	}
	return err
}

// promises runs the partition's promises, with a grace period for
// services that just started.
func (n *Node) promises(ctx context.Context, log build.Logger) error {
	results, err := n.Promises.RunWithGrace(ctx, promise.RunOptions{Force: true})
	for _, r := range results {
		msg := r.Message
		if msg == "" {
			msg = string(r.Status)
		}
		log(build.PhasePromise, fmt.Sprintf("%s: %s", r.Name, msg))
	}
	return err
}

// destroy stops the processes, runs sbin/destroy if present, empties the
// partition and clears the connection parameters (§2.6).
func (n *Node) destroy(ctx context.Context, log func(string)) error {
	n.Supervisor.Stop()
	pp := n.PartitionPath()
	if d := filepath.Join(pp, "sbin", "destroy"); isExec(d) {
		log("Running " + d)
		cmd := proc.Command(ctx, 0, d)
		cmd.Dir = pp
		if err := proc.Run(cmd, log); err != nil {
			log(fmt.Sprintf("%s failed: %v", d, err))
		}
	}
	ents, err := os.ReadDir(pp)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(pp, e.Name())); err != nil {
			return fmt.Errorf("destroy partition: %w", err)
		}
	}
	if err := n.Master.ClearConnection(ctx); err != nil {
		return err
	}
	log("Partition " + n.Master.PartitionID() + " destroyed")
	return nil
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// SetState changes the requested state and applies it at once to the
// processes: started starts them (if the partition was deployed), stopped
// stops them, destroyed also empties the partition. While a build runs,
// the state is applied when it ends. Parameters and software are applied
// by the next instance build.
func (n *Node) SetState(ctx context.Context, state string) error {
	if err := n.Master.SetState(ctx, state); err != nil {
		return err
	}
	if !n.mu.TryLock() {
		go func() {
			n.mu.Lock()
			defer n.mu.Unlock()
			n.apply(context.Background())
		}()
		return nil
	}
	defer n.mu.Unlock()
	return n.apply(ctx)
}

// apply makes the processes match the requested state; n.mu is held.
func (n *Node) apply(ctx context.Context) error {
	in, err := n.Master.Get(ctx)
	if err != nil {
		return err
	}
	switch in.State {
	case master.Stopped:
		n.Supervisor.Stop()
	case master.Destroyed:
		return n.destroy(ctx, func(string) {})
	case master.Started:
		if _, err := os.Stat(filepath.Join(n.PartitionPath(), "buildout.cfg")); err == nil {
			_, err := n.Supervisor.Sync(ctx)
			return err
		}
	}
	return nil
}

// Boot starts the processes of a started partition that was deployed, when
// the server starts, after stopping those a crashed server left behind.
func (n *Node) Boot(ctx context.Context) error {
	// A server that died without stopping its processes left them running.
	n.Supervisor.StopOrphans()
	in, err := n.Master.Get(ctx)
	if err != nil {
		return err
	}
	if in.State != master.Started {
		return nil
	}
	if _, err := os.Stat(filepath.Join(n.PartitionPath(), "buildout.cfg")); err != nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	_, err = n.Supervisor.Sync(ctx)
	return err
}

// RunPromises runs every promise of the partition now, if it was
// deployed; a failing promise is a result, not an error.
func (n *Node) RunPromises(ctx context.Context) ([]promise.Result, error) {
	if _, err := os.Stat(filepath.Join(n.PartitionPath(), "buildout.cfg")); err != nil {
		return []promise.Result{}, nil
	}
	rs, err := n.Promises.Run(ctx, promise.RunOptions{Force: true})
	var perr *promise.Error
	if errors.As(err, &perr) {
		err = nil
	}
	if rs == nil {
		rs = []promise.Result{}
	}
	return rs, err
}

// Close stops the partition's processes.
func (n *Node) Close() { n.Supervisor.Stop() }

// Job returns the build job of the node: the profile of a build is
// workspace-relative, under root.
func (n *Node) Job(root string) build.Job {
	return func(ctx context.Context, b build.Build, log build.Logger) error {
		url := filepath.Join(root, filepath.FromSlash(b.Profile))
		if b.Target == build.TargetAll || b.Target == build.TargetSoftware {
			if err := n.Software(ctx, url, func(s string) { log(build.PhaseSoftware, s) }); err != nil {
				return logError(log, build.PhaseSoftware, err)
			}
		}
		if b.Target == build.TargetAll || b.Target == build.TargetInstance {
			if err := n.Instance(ctx, url, log); err != nil {
				return logError(log, build.PhaseInstance, err)
			}
		}
		return nil
	}
}

// logError writes the lines of err to the build's output, as buildout
// prints its "While: … Error: …" report, and returns err.
func logError(log build.Logger, phase string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	for _, l := range strings.Split(err.Error(), "\n") {
		log(phase, l)
	}
	return err
}
