package slap

import (
	"context"
	"errors"
	"testing"
)

func TestContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("FromContext found a master in an empty context")
	}
	m := NewMemory()
	got, ok := FromContext(NewContext(context.Background(), m))
	if !ok || got != Master(m) {
		t.Fatalf("FromContext = %v, %v", got, ok)
	}
}

func TestMemory(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(&Partition{ComputerID: "COMP", PartitionID: "slappart0"})
	m.Instances["frontend"] = &Instance{State: "started", Connection: []Param{{"secure_access", "http://x"}}}
	if _, err := m.Partition(ctx, "COMP", "slappart9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown partition: err = %v", err)
	}
	if err := m.Publish(ctx, "COMP", "slappart0", "", []Param{{"url", "http://[::1]:80"}}); err != nil {
		t.Fatal(err)
	}
	p, err := m.Partition(ctx, "COMP", "slappart0")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := Lookup(p.Connection, "url"); v != "http://[::1]:80" {
		t.Fatalf("connection url = %v", v)
	}
	if _, err := m.Request(ctx, "COMP", "slappart0", Request{Title: "child"}); !errors.Is(err, ErrSinglePartition) {
		t.Fatalf("child request: err = %v", err)
	}
	inst, err := m.Request(ctx, "COMP", "slappart0", Request{Title: "frontend", Shared: true})
	if err != nil || inst.Connection[0].String() != "http://x" {
		t.Fatalf("frontend request = %v, %v", inst, err)
	}
	if len(m.Requests) != 2 {
		t.Fatalf("recorded %d requests", len(m.Requests))
	}
}
