// Package master is Webrunner's mini SlapOS master: the single instance
// partition, its requested state, software type, instance parameters and
// connection parameters, kept in the partitions table of webrunner.db
// (slapos.md §1). It implements slap.Master, so the instance recipes that
// run inside the Webrunner process (slapconfiguration, publish, request)
// reach it directly.
package master

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"

	"webrunner/recipes/slap"
)

// ComputerID is the id of the one computer, as the old Webrunner named it.
const ComputerID = "slaprunner"

// States a partition can be requested in.
const (
	Started   = "started"
	Stopped   = "stopped"
	Destroyed = "destroyed"
)

// ErrBadState reports an unknown requested state.
var ErrBadState = errors.New("state must be started, stopped or destroyed")

// Instance is what the master knows of the partition.
type Instance struct {
	Partition       string         // "slappart0"
	State           string         // requested state
	SoftwareType    string         // "default" unless set
	SoftwareRelease string         // URL of the release last instantiated, "" before
	Title           string         // instance title
	Parameters      map[string]any // instance parameters as the API sets them
	Connection      map[string]any // connection parameters as last published
	Timestamp       float64        // time of the last change of the request, 0 if never
}

// A Master serves one partition stored in the partitions table.
type Master struct {
	db        *sql.DB
	partition string
	now       func() time.Time

	// IPv4 is the partition's IPv4 address (default 127.0.0.1): services
	// listen there, and slapconfiguration gives it as ipv4-random.
	IPv4 string

	// OnChange, if set, is called (in its own goroutine) after every change
	// of the partition: parameters, state, software type, connection.
	OnChange func()
}

// New returns the master of partition name, which must be a row of the
// partitions table (server.Setup registers slappart0).
func New(ctx context.Context, db *sql.DB, name string, now func() time.Time) (*Master, error) {
	if now == nil {
		now = time.Now
	}
	m := &Master{db: db, partition: name, now: now, IPv4: "127.0.0.1"}
	if _, err := m.Get(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// PartitionID returns the name of the partition.
func (m *Master) PartitionID() string { return m.partition }

func (m *Master) changed() {
	if m.OnChange != nil {
		go m.OnChange()
	}
}

// Get returns the partition.
func (m *Master) Get(ctx context.Context) (*Instance, error) {
	var (
		in             Instance
		params, conn   string
		ts             sql.NullFloat64
		softwareTypeDB string
	)
	err := m.db.QueryRowContext(ctx,
		`SELECT state, software_type, parameters, connection, software_release, timestamp, title FROM partitions WHERE name = ?`,
		m.partition).Scan(&in.State, &softwareTypeDB, &params, &conn, &in.SoftwareRelease, &ts, &in.Title)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("partition %s: %w", m.partition, slap.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("partition %s: %w", m.partition, err)
	}
	in.Partition, in.SoftwareType, in.Timestamp = m.partition, softwareTypeDB, ts.Float64
	if in.SoftwareType == "" {
		in.SoftwareType = "default"
	}
	if err := json.Unmarshal([]byte(params), &in.Parameters); err != nil {
		return nil, fmt.Errorf("partition %s: parameters: %w", m.partition, err)
	}
	if err := json.Unmarshal([]byte(conn), &in.Connection); err != nil {
		return nil, fmt.Errorf("partition %s: connection: %w", m.partition, err)
	}
	if in.Parameters == nil {
		in.Parameters = map[string]any{}
	}
	if in.Connection == nil {
		in.Connection = map[string]any{}
	}
	if in.Title == "" {
		in.Title = m.partition
	}
	return &in, nil
}

// bump sets column to value and, when that changed it, the timestamp.
func (m *Master) bump(ctx context.Context, column string, value any) error {
	ts := float64(m.now().UnixMicro()) / 1e6
	res, err := m.db.ExecContext(ctx,
		`UPDATE partitions SET `+column+` = ?, timestamp = ? WHERE name = ? AND `+column+` IS NOT ?`,
		value, ts, m.partition, value)
	if err != nil {
		return fmt.Errorf("partition %s: set %s: %w", m.partition, column, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		m.changed()
	}
	return nil
}

// SetParameters replaces the instance parameters; the next instance build
// applies them. Values are strings, or null for an empty parameter; other
// JSON values are kept and given to the instance as JSON text.
func (m *Master) SetParameters(ctx context.Context, params map[string]any) error {
	if params == nil {
		params = map[string]any{}
	}
	b, err := json.Marshal(params) // sorted keys: equal maps give equal text
	if err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	return m.bump(ctx, "parameters", string(b))
}

// SetSoftwareType sets the software type requested for the instance.
func (m *Master) SetSoftwareType(ctx context.Context, t string) error {
	if t == "" {
		t = "default"
	}
	return m.bump(ctx, "software_type", t)
}

// SetState sets the requested state; the next instance build applies it.
func (m *Master) SetState(ctx context.Context, state string) error {
	switch state {
	case Started, Stopped, Destroyed:
	default:
		return fmt.Errorf("%q: %w", state, ErrBadState)
	}
	return m.bump(ctx, "state", state)
}

// SetRelease records the release the partition is instantiated from (a
// request of that release, in slapproxy's terms) and the instance title.
func (m *Master) SetRelease(ctx context.Context, url, title string) error {
	if err := m.bump(ctx, "title", title); err != nil {
		return err
	}
	return m.bump(ctx, "software_release", url)
}

// ClearConnection forgets the published connection parameters, as a
// destroyed partition does.
func (m *Master) ClearConnection(ctx context.Context) error {
	return m.setConnection(ctx, map[string]any{})
}

func (m *Master) setConnection(ctx context.Context, conn map[string]any) error {
	b, err := json.Marshal(conn)
	if err != nil {
		return err
	}
	res, err := m.db.ExecContext(ctx, `UPDATE partitions SET connection = ? WHERE name = ? AND connection IS NOT ?`,
		string(b), m.partition, string(b))
	if err != nil {
		return fmt.Errorf("partition %s: publish: %w", m.partition, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		m.changed()
	}
	return nil
}

func (m *Master) check(computerID, partitionID string) error {
	if partitionID != m.partition || (computerID != "" && computerID != ComputerID) {
		return fmt.Errorf("partition %s of computer %s: %w", partitionID, computerID, slap.ErrNotFound)
	}
	return nil
}

// Partition implements slap.Master: what registerComputerPartition tells
// the partition about itself (slapos.md §1.6).
func (m *Master) Partition(ctx context.Context, computerID, partitionID string) (*slap.Partition, error) {
	if err := m.check(computerID, partitionID); err != nil {
		return nil, err
	}
	in, err := m.Get(ctx)
	if err != nil {
		return nil, err
	}
	p := &slap.Partition{
		ComputerID:         ComputerID,
		PartitionID:        m.partition,
		InstanceGUID:       ComputerID + "-" + m.partition,
		RequestedState:     in.State,
		SoftwareReleaseURL: in.SoftwareRelease,
		SoftwareType:       in.SoftwareType,
		InstanceTitle:      in.Title,
		RootInstanceTitle:  in.Title,
		Addresses:          []slap.Address{{Interface: m.partition, IP: m.IPv4}, {Interface: m.partition, IP: "::1"}},
		Parameters:         params(in.Parameters),
		Connection:         params(in.Connection),
	}
	if in.Timestamp != 0 {
		p.Timestamp = strconv.FormatFloat(in.Timestamp, 'f', -1, 64)
	}
	return p, nil
}

// params turns a JSON object into parameters sorted by name.
func params(obj map[string]any) []slap.Param {
	out := make([]slap.Param, 0, len(obj))
	for k, v := range obj {
		switch v.(type) {
		case nil, string:
		default:
			b, _ := json.Marshal(v)
			v = string(b)
		}
		out = append(out, slap.Param{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Publish implements slap.Master: the connection parameters are replaced
// by params (§1.7). The single partition hosts no shared instance.
func (m *Master) Publish(ctx context.Context, computerID, partitionID, slaveReference string, ps []slap.Param) error {
	if err := m.check(computerID, partitionID); err != nil {
		return err
	}
	if slaveReference != "" {
		return fmt.Errorf("publish for shared instance %s: %w", slaveReference, slap.ErrNotFound)
	}
	conn := make(map[string]any, len(ps))
	for _, p := range ps {
		switch v := p.Value.(type) {
		case nil, string:
			conn[p.Name] = v
		default:
			conn[p.Name] = fmt.Sprint(v)
		}
	}
	return m.setConnection(ctx, conn)
}

// Request implements slap.Master. Webrunner runs a single partition: a
// request for the instance itself returns it, the two frontend requests
// slapproxy answers without a partition get its answers (slapos.md §1.5),
// any other fails with slap.ErrSinglePartition.
func (m *Master) Request(ctx context.Context, computerID, partitionID string, req slap.Request) (*slap.Instance, error) {
	if err := m.check(computerID, partitionID); err != nil {
		return nil, err
	}
	if inst, ok := frontend(req); ok {
		return inst, nil
	}
	in, err := m.Get(ctx)
	if err != nil {
		return nil, err
	}
	if req.Title != in.Title || req.Shared {
		return nil, fmt.Errorf("request of instance %q: %w", req.Title, slap.ErrSinglePartition)
	}
	return &slap.Instance{InstanceGUID: ComputerID + "-" + m.partition, State: in.State, Connection: params(in.Connection)}, nil
}

// The frontend software releases slapproxy fakes.
const (
	apacheFrontendURL = "http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD:/software/apache-frontend/software.cfg"
	kvmFrontendURL    = "http://git.erp5.org/gitweb/slapos.git/blob_plain/refs/tags/slapos-0.92:/software/kvm/software.cfg"
)

// frontend answers the shared requests slapproxy answers by itself: an
// apache-frontend with a url parameter gives {secure_access: url, domain:
// its host}; a kvm frontend with host and port gives {url, domainname,
// port, path}. Nothing is stored.
func frontend(req slap.Request) (*slap.Instance, bool) {
	if !req.Shared {
		return nil, false
	}
	get := func(name string) (string, bool) {
		v, ok := slap.Lookup(req.Parameters, name)
		s, _ := v.(string)
		return s, ok
	}
	switch {
	case req.SoftwareURL == apacheFrontendURL &&
		(req.SoftwareType == "" || req.SoftwareType == "default" || req.SoftwareType == "RootSoftwareInstance"):
		u, ok := get("url")
		if !ok {
			return nil, false
		}
		domain := ""
		if pu, err := url.Parse(u); err == nil {
			domain = pu.Host
		}
		return &slap.Instance{State: Started, Connection: []slap.Param{{Name: "domain", Value: domain}, {Name: "secure_access", Value: u}}}, true
	case req.SoftwareURL == kvmFrontendURL && req.SoftwareType == "frontend":
		host, ok1 := get("host")
		port, ok2 := get("port")
		if !ok1 || !ok2 {
			return nil, false
		}
		return &slap.Instance{State: Started, Connection: []slap.Param{
			{Name: "domainname", Value: host}, {Name: "path", Value: "/"}, {Name: "port", Value: port},
			{Name: "url", Value: "https://[" + host + "]:" + port + "/"},
		}}, true
	}
	return nil, false
}
