package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// An Event is one websocket message of a build: a log line, or the end.
type Event struct {
	Type  string // "line", "progress" or "end"
	Phase string // of a line or progress: "software", "instance" or "promise"
	Text  string // of a line
	State string // of the end: the final state
	Error string // of the end: the build's error, or ""
	// Of a progress event: Part, the Step-th of Steps, has started.
	Part        string
	Step, Steps int
}

// MarshalJSON writes the shapes of api.md: {"type":"line","phase","text"}
// and {"type":"end","state","error"}, and, beyond api.md,
// {"type":"progress","phase","part","step","steps"}.
func (e Event) MarshalJSON() ([]byte, error) {
	switch e.Type {
	case "end":
		return json.Marshal(struct {
			Type  string `json:"type"`
			State string `json:"state"`
			Error string `json:"error"`
		}{e.Type, e.State, e.Error})
	case "progress":
		return json.Marshal(struct {
			Type  string `json:"type"`
			Phase string `json:"phase"`
			Part  string `json:"part"`
			Step  int    `json:"step"`
			Steps int    `json:"steps"`
		}{e.Type, e.Phase, e.Part, e.Step, e.Steps})
	}
	return json.Marshal(struct {
		Type  string `json:"type"`
		Phase string `json:"phase"`
		Text  string `json:"text"`
	}{e.Type, e.Phase, e.Text})
}

// ErrTooSlow is returned by Follow when a follower falls too far behind.
var ErrTooSlow = errors.New("client too slow: it fell too far behind the build and was dropped")

// hub keeps every event of one build and lets any number of followers read
// them at their own pace. Appending never waits for a follower: each
// follower keeps its own position in the shared, append-only backlog.
type hub struct {
	mu     sync.Mutex
	events []Event
	ended  bool
	wake   chan struct{} // closed and replaced at every append
}

func newHub() *hub { return &hub{wake: make(chan struct{})} }

func (h *hub) add(e Event) {
	h.mu.Lock()
	if h.ended {
		h.mu.Unlock()
		return
	}
	h.events = append(h.events, e)
	if e.Type == "end" {
		h.ended = true
	}
	close(h.wake)
	h.wake = make(chan struct{})
	h.mu.Unlock()
}

// follow calls fn with every event, the backlog first, until the end event
// has been passed to fn, fn fails or ctx is done. A follower that has more
// than maxLag events to catch up on, counting only those appended since it
// started following, gets ErrTooSlow.
func (h *hub) follow(ctx context.Context, maxLag int, fn func(Event) error) error {
	h.mu.Lock()
	joined := len(h.events)
	h.mu.Unlock()
	next := 0
	for {
		h.mu.Lock()
		evs := h.events[next:len(h.events):len(h.events)]
		total, wake, ended := len(h.events), h.wake, h.ended
		h.mu.Unlock()
		if behind := total - max(next, joined); maxLag > 0 && behind > maxLag {
			return fmt.Errorf("%w (%d lines behind)", ErrTooSlow, behind)
		}
		if len(evs) == 0 {
			if ended {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-wake:
			}
			continue
		}
		// Hand over a bounded batch, so the lag check runs often.
		if len(evs) > 256 {
			evs = evs[:256]
		}
		for _, e := range evs {
			if err := fn(e); err != nil {
				return err
			}
		}
		next += len(evs)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
