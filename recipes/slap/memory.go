package slap

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Memory is an in-memory Master for tests. Its exported fields may be set
// before use; afterwards use its methods, which are safe for concurrent use.
type Memory struct {
	mu sync.Mutex
	// Partitions are the known partitions, keyed by PartitionID.
	Partitions map[string]*Partition
	// Instances are the answers to requests, keyed by title. A request for
	// a title that is not there fails with ErrSinglePartition.
	Instances map[string]*Instance
	// Published records the last Publish of each partition or shared
	// instance, keyed by partition id, or "<partition id>/<slave reference>".
	Published map[string][]Param
	// Requests records every request, in order.
	Requests []Request
}

// NewMemory returns a Memory master that knows the given partitions.
func NewMemory(parts ...*Partition) *Memory {
	m := &Memory{
		Partitions: map[string]*Partition{},
		Instances:  map[string]*Instance{},
		Published:  map[string][]Param{},
	}
	for _, p := range parts {
		m.Partitions[p.PartitionID] = p
	}
	return m
}

func (m *Memory) partition(computerID, partitionID string) (*Partition, error) {
	p, ok := m.Partitions[partitionID]
	if !ok || (p.ComputerID != "" && p.ComputerID != computerID) {
		return nil, fmt.Errorf("partition %s of computer %s: %w", partitionID, computerID, ErrNotFound)
	}
	return p, nil
}

// Partition implements Master.
func (m *Memory) Partition(ctx context.Context, computerID, partitionID string) (*Partition, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, err := m.partition(computerID, partitionID)
	if err != nil {
		return nil, err
	}
	c := *p
	c.Connection = slices.Clone(m.Published[partitionID])
	if c.Connection == nil {
		c.Connection = slices.Clone(p.Connection)
	}
	return &c, nil
}

// Publish implements Master.
func (m *Memory) Publish(ctx context.Context, computerID, partitionID, slaveReference string, params []Param) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.partition(computerID, partitionID); err != nil {
		return err
	}
	key := partitionID
	if slaveReference != "" {
		key += "/" + slaveReference
	}
	if m.Published == nil {
		m.Published = map[string][]Param{}
	}
	m.Published[key] = slices.Clone(params)
	return nil
}

// Request implements Master.
func (m *Memory) Request(ctx context.Context, computerID, partitionID string, req Request) (*Instance, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.partition(computerID, partitionID); err != nil {
		return nil, err
	}
	m.Requests = append(m.Requests, req)
	inst, ok := m.Instances[req.Title]
	if !ok {
		return nil, fmt.Errorf("request of instance %q: %w", req.Title, ErrSinglePartition)
	}
	c := *inst
	c.Connection = slices.Clone(inst.Connection)
	return &c, nil
}
