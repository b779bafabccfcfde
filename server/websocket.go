package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Websocket limits shared by every socket of the API.
const (
	wsWriteWait   = 10 * time.Second
	wsPingEvery   = 30 * time.Second
	wsPongWait    = 75 * time.Second
	wsMaxReadSize = 4096 // clients send little: pings, closes
)

// upgrade turns a request into a websocket after checking its Origin: a
// browser's Origin must be this server (the Host the page was served from)
// or one of Config.Origins; a request without Origin (not a browser) is
// let through, the session check having already passed. A refused upgrade
// gets 403.
func (s *Server) upgrade(w http.ResponseWriter, r *http.Request) (*websocket.Conn, error) {
	u := websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 4096,
		CheckOrigin:     s.checkOrigin,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			writeError(w, status, reason, nil)
		},
	}
	c, err := u.Upgrade(w, r, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(wsMaxReadSize)
	return c, nil
}

// checkOrigin reports whether a websocket request comes from an allowed
// origin.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, o := range s.cfg.Origins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// keepAlive reads (and drops) what the client sends, so that control
// frames are handled, and closes done when the connection ends or no pong
// came within wsPongWait. The caller sends a ping every wsPingEvery.
func keepAlive(c *websocket.Conn) (done <-chan struct{}) {
	ch := make(chan struct{})
	c.SetReadDeadline(time.Now().Add(wsPongWait))
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(wsPongWait)) })
	go func() {
		defer close(ch)
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}()
	return ch
}
