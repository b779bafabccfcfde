// Package slap defines what the instance recipes of slapos.cookbook
// (slapconfiguration, publish, request, switch-softwaretype) see of the
// SlapOS master, and how the install engine hands that master to them.
//
// The Webrunner mini master (package server) implements Master; the install
// engine stores it in the context it passes to recipe factories and to
// Install/Update with NewContext, and the recipes find it with FromContext.
// Memory is an in-memory Master for tests.
package slap

import (
	"context"
	"errors"
)

// Master is the part of the SlapOS master API that instance recipes use.
// Every method is called on behalf of one partition, named by the
// computer-id and partition-id options of the [slap-connection] section.
// Implementations must be safe for concurrent use.
type Master interface {
	// Partition returns what the master tells a partition about itself, as
	// registerComputerPartition does (spec slapos.md §1.6). It returns an
	// error wrapping ErrNotFound for an unknown partition.
	Partition(ctx context.Context, computerID, partitionID string) (*Partition, error)

	// Publish replaces the connection parameters of the partition, or those
	// of the shared instance it hosts when slaveReference is not empty
	// (setConnectionDict, §1.7). Keys not in params disappear. Publishing
	// does not change the partition's timestamp.
	Publish(ctx context.Context, computerID, partitionID, slaveReference string, params []Param) error

	// Request requests an instance on behalf of the partition
	// (requestComputerPartition, §1.5) and returns what the master knows of
	// it. A master that cannot allocate the instance returns an error
	// wrapping ErrSinglePartition (the Webrunner has one partition) or
	// ErrNotFound.
	Request(ctx context.Context, computerID, partitionID string, req Request) (*Instance, error)
}

// A Param is one named parameter of a partition or an instance. Value is a
// string, or nil for a parameter sent as an empty XML element (Python None).
type Param struct {
	Name  string
	Value any
}

// String returns p's value, or "" when it is nil.
func (p Param) String() string {
	if s, ok := p.Value.(string); ok {
		return s
	}
	return ""
}

// An Address is one entry of a partition's ip_list.
type Address struct {
	Interface string // network interface or tap name, e.g. "slappart0"
	IP        string // an IPv4 or IPv6 address, without brackets
}

// Partition is what a partition learns about itself from the master.
type Partition struct {
	ComputerID         string // slap_computer_id
	PartitionID        string // slap_computer_partition_id, e.g. "slappart0"
	InstanceGUID       string // "<computer>-<partition>"
	RequestedState     string // "started", "stopped" or "destroyed"
	SoftwareReleaseURL string // slap_software_release_url
	SoftwareType       string // slap_software_type; "" means "default"
	InstanceTitle      string // instance_title
	RootInstanceTitle  string // root_instance_title
	Timestamp          string // str(float) of the last change, "" when never set
	Addresses          []Address
	// Parameters are the instance parameters the user requested (the
	// partition's xml), sorted by name, without the keys the master adds
	// (ip_list, slap_*, instance_title…).
	Parameters []Param
	// Connection holds the connection parameters last published.
	Connection []Param
	// Slaves are the shared instances the partition hosts
	// (slave_instance_list), each a parameter list sorted by name that
	// includes slave_title, slave_reference and slap_software_type.
	Slaves [][]Param
}

// Request describes an instance request.
type Request struct {
	SoftwareURL  string
	SoftwareType string // "" is sent as "default"
	Title        string // partition_reference, required
	Shared       bool
	State        string // "started", "stopped", "destroyed", or "" for the default
	Parameters   []Param
	Filter       []Param // sla-* options: computer_guid, instance_guid…
}

// Instance is the master's answer to a Request.
type Instance struct {
	InstanceGUID string // "" for a shared instance
	State        string // requested state
	Connection   []Param
}

// ErrNotFound reports an unknown computer, partition or instance.
var ErrNotFound = errors.New("not found")

// ErrSinglePartition reports a request for an instance that the
// single-partition Webrunner master cannot allocate.
var ErrSinglePartition = errors.New("the Webrunner runs a single partition: other instances cannot be requested")

type contextKey struct{}

// NewContext returns a copy of ctx that carries m.
func NewContext(ctx context.Context, m Master) context.Context {
	return context.WithValue(ctx, contextKey{}, m)
}

// FromContext returns the Master stored in ctx by NewContext.
func FromContext(ctx context.Context) (Master, bool) {
	m, ok := ctx.Value(contextKey{}).(Master)
	return m, ok && m != nil
}

// Lookup returns the value of the named parameter in params and whether it exists.
func Lookup(params []Param, name string) (any, bool) {
	for _, p := range params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}
