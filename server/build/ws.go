package build

import (
	"context"
	"errors"
	"time"

	"github.com/gorilla/websocket"
)

// PingInterval is how often ServeWS pings its client.
const PingInterval = 30 * time.Second

// DefaultWriteTimeout is the default of Runner.WriteTimeout.
const DefaultWriteTimeout = 10 * time.Second

// ServeWS streams the events of build id to an upgraded websocket
// connection, one JSON text message per event, and closes it after the end
// event. A client that stops reading is dropped with a close message
// saying why; the build never waits for it.
func (r *Runner) ServeWS(ctx context.Context, conn *websocket.Conn, id int64) error {
	defer conn.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // read (and discard) what the client sends, to see it leave
		defer cancel()
		for {
			if _, _, err := conn.NextReader(); err != nil {
				return
			}
		}
	}()
	go func() { // keep quiet connections (a long compilation) alive
		t := time.NewTicker(PingInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(r.WriteTimeout))
			}
		}
	}()
	err := r.Follow(ctx, id, func(e Event) error {
		conn.SetWriteDeadline(time.Now().Add(r.WriteTimeout))
		return conn.WriteJSON(e)
	})
	msg := ""
	switch {
	case err == nil:
	case errors.Is(err, ErrTooSlow):
		msg = err.Error()
	case errors.Is(err, ErrNotFound):
		msg = "no such build"
	default:
		msg = "dropped: " + err.Error()
	}
	code := websocket.CloseNormalClosure
	if msg != "" {
		code = websocket.CloseTryAgainLater
		if errors.Is(err, ErrNotFound) {
			code = websocket.ClosePolicyViolation
		}
	}
	if len(msg) > 120 {
		msg = msg[:120]
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, msg), time.Now().Add(time.Second))
	return err
}
