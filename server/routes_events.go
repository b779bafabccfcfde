package server

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/websocket"

	"webrunner/server/events"
	"webrunner/server/workspace"
)

// mountEvents adds the /api/events websocket (api.md "Live events").
func (s *Server) mountEvents(r chi.Router) {
	r.Get("/events", s.handleEvents)
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	c, err := s.upgrade(w, r)
	if err != nil {
		return // the upgrader has answered
	}
	defer c.Close()
	ch, cancel := s.events.Subscribe()
	defer cancel()
	done := keepAlive(c)
	ping := time.NewTicker(wsPingEvery)
	defer ping.Stop()
	for {
		select {
		case <-done:
			return
		case <-r.Context().Done():
			return
		case <-ping.C:
			c.SetWriteDeadline(time.Now().Add(wsWriteWait))
			if err := c.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		case e, ok := <-ch:
			c.SetWriteDeadline(time.Now().Add(wsWriteWait))
			if !ok {
				// Dropped for falling behind: the page reconnects and reloads.
				c.WriteMessage(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "too slow"))
				return
			}
			if err := c.WriteJSON(e); err != nil {
				return
			}
		}
	}
}

// WatchProject publishes a file event on the hub for every change under
// project/, whoever makes it, until ctx is done.
func (s *Server) WatchProject(ctx context.Context) error {
	return events.Watch(ctx, s.events, s.ws.Root(), s.ws.Abs(workspace.ProjectDir), workspace.IsTempName, s.log)
}
