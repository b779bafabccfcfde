package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Session lifetimes.
const (
	IdleTimeout     = 12 * time.Hour     // a session unused this long ends
	AbsoluteTimeout = 7 * 24 * time.Hour // a session this old ends, used or not
)

// touchEvery limits how often a session's last use is written.
const touchEvery = time.Minute

// ErrNoSession reports a session id that is unknown, expired or revoked.
var ErrNoSession = errors.New("no such session")

// A Session is one logged-in browser.
type Session struct {
	CSRF     string    // the token required on state-changing requests
	Created  time.Time // when the login happened
	LastSeen time.Time // the last authenticated request
	idHash   []byte
}

// Sessions stores sessions in the sessions table. Only the SHA-256 of a
// session id is stored, so a copy of the database does not log anyone in.
type Sessions struct {
	db  *sql.DB
	now func() time.Time
}

// NewSessions returns the session store of db; now is the clock (time.Now
// when nil).
func NewSessions(db *sql.DB, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{db: db, now: now}
}

func randomToken() string {
	b := make([]byte, 32) // 256 bits
	rand.Read(b)          // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// Create starts a session and returns its id (the cookie value) and the
// session.
func (s *Sessions) Create(ctx context.Context) (string, *Session, error) {
	id := randomToken()
	now := s.now()
	sess := &Session{CSRF: randomToken(), Created: now, LastSeen: now, idHash: hashID(id)}
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO sessions (id_hash, csrf, created, last_seen) VALUES (?, ?, ?, ?)",
		sess.idHash, sess.CSRF, now.Unix(), now.Unix())
	if err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return id, sess, nil
}

// Lookup returns the live session of an id and records its use; an
// unknown, idle or too old session is ErrNoSession (and deleted).
func (s *Sessions) Lookup(ctx context.Context, id string) (*Session, error) {
	if id == "" {
		return nil, ErrNoSession
	}
	sess := &Session{idHash: hashID(id)}
	var created, lastSeen int64
	err := s.db.QueryRowContext(ctx,
		"SELECT csrf, created, last_seen FROM sessions WHERE id_hash = ?", sess.idHash).
		Scan(&sess.CSRF, &created, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("look up session: %w", err)
	}
	sess.Created, sess.LastSeen = time.Unix(created, 0), time.Unix(lastSeen, 0)
	now := s.now()
	if now.Sub(sess.LastSeen) >= IdleTimeout || now.Sub(sess.Created) >= AbsoluteTimeout {
		s.db.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", sess.idHash)
		return nil, ErrNoSession
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		sess.LastSeen = now
		if _, err := s.db.ExecContext(ctx,
			"UPDATE sessions SET last_seen = ? WHERE id_hash = ?", now.Unix(), sess.idHash); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return sess, nil
}

// Expires returns when the session ends at the latest (its absolute
// expiry), for the cookie.
func (sess *Session) Expires() time.Time { return sess.Created.Add(AbsoluteTimeout) }

// Revoke ends one session.
func (s *Sessions) Revoke(ctx context.Context, sess *Session) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", sess.idHash); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeAll ends every session.
func (s *Sessions) RevokeAll(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM sessions"); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// Prune deletes the expired sessions.
func (s *Sessions) Prune(ctx context.Context) error {
	now := s.now()
	_, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE last_seen <= ? OR created <= ?",
		now.Add(-IdleTimeout).Unix(), now.Add(-AbsoluteTimeout).Unix())
	if err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	return nil
}
