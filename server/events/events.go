// Package events is the publish/subscribe hub behind the /api/events
// websocket: the file watcher, the build runner and the instance supervisor
// publish events, and every connected page receives them.
package events

import (
	"sync"
)

// Event types, the "type" field of an Event.
const (
	TypeFile     = "file"
	TypeBuild    = "build"
	TypeInstance = "instance"
)

// File operations, the "op" field of a file Event.
const (
	OpWrite  = "write"
	OpCreate = "create"
	OpRemove = "remove"
	OpRename = "rename"
)

// An Event is one message of /api/events, encoded as a JSON object with
// only the fields of its type (api.md "Live events").
type Event struct {
	Type  string `json:"type"`
	Path  string `json:"path,omitempty"`  // file: workspace-relative path
	Op    string `json:"op,omitempty"`    // file: OpWrite, OpCreate, OpRemove or OpRename
	ID    int64  `json:"id,omitempty"`    // build: the build id
	State string `json:"state,omitempty"` // build: running, succeeded, failed or cancelled
}

// File returns the event of a change to a file under project/.
func File(path, op string) Event { return Event{Type: TypeFile, Path: path, Op: op} }

// Build returns the event of a build that started or ended.
func Build(id int64, state string) Event { return Event{Type: TypeBuild, ID: id, State: state} }

// Instance returns the event of a change to the instance: its state,
// parameters, connection, processes or promises.
func Instance() Event { return Event{Type: TypeInstance} }

// BufferSize is how many events a subscriber may lag behind before it is
// dropped.
const BufferSize = 256

// Hub fans events out to subscribers. The zero value is ready to use and
// its methods are safe for concurrent use. Publish never blocks: a
// subscriber that falls BufferSize events behind is dropped (its channel is
// closed) so that a stuck page cannot hold up a build; the page reconnects
// and reloads.
type Hub struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

// Publish sends e to every subscriber.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// Subscribe returns a channel receiving every event published from now on,
// and a function that ends the subscription. The channel is closed when
// the subscription ends, by cancel or because the subscriber fell behind.
func (h *Hub) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, BufferSize)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan Event]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// Subscribers returns the number of current subscribers.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
