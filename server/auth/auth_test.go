package auth

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"webrunner/migrations"
	"webrunner/server/store"
)

func newDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(context.Background(), db, migrations.FS); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestPasswordHash(t *testing.T) {
	cheap := Params{Time: 1, Memory: 1024, Threads: 1}
	h, err := hashWith("s3cret", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string", h)
	}
	h2, _ := hashWith("s3cret", cheap)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"s3cret": true, "s3cret ": false, "": false, "S3cret": false} {
		if ok, err := VerifyPassword(h, pw); err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "$argon2id$v=19$m=1024,t=0,p=1$AA$AA"} {
		if _, err := VerifyPassword(bad, "x"); err == nil {
			t.Errorf("VerifyPassword(%q): no error", bad)
		}
	}
}

func TestSetupPassword(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	h1, gen, err := SetupPassword(ctx, db, "")
	if err != nil || gen == "" {
		t.Fatalf("first start: gen=%q err=%v, want a generated password", gen, err)
	}
	if ok, _ := VerifyPassword(h1, gen); !ok {
		t.Fatal("stored hash does not match the generated password")
	}
	// Second start without a password: kept, nothing shown.
	h2, gen2, err := SetupPassword(ctx, db, "")
	if err != nil || gen2 != "" || h2 != h1 {
		t.Fatalf("second start: %q %q %v", h2, gen2, err)
	}
	sessions := NewSessions(db, nil)
	if _, _, err := sessions.Create(ctx); err != nil {
		t.Fatal(err)
	}
	// The same password again keeps the sessions; a new one drops them.
	if h3, _, _ := SetupPassword(ctx, db, gen); h3 != h1 || count(t, db) != 1 {
		t.Error("the unchanged password was rehashed or dropped the sessions")
	}
	h4, gen4, err := SetupPassword(ctx, db, "chosen")
	if err != nil || gen4 != "" {
		t.Fatal(err)
	}
	if ok, _ := VerifyPassword(h4, "chosen"); !ok {
		t.Error("the chosen password does not verify")
	}
	if n := count(t, db); n != 0 {
		t.Errorf("%d sessions survive a password change", n)
	}
}

func count(t *testing.T, db *sql.DB) int {
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sessions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := NewSessions(db, c.now)

	// Idle expiry: used within 12 h it lives, 12 h idle it ends.
	id, sess, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(IdleTimeout - time.Minute)
	got, err := s.Lookup(ctx, id)
	if err != nil || got.CSRF != sess.CSRF {
		t.Fatalf("Lookup before idle expiry = %v, %v", got, err)
	}
	c.t = c.t.Add(IdleTimeout - time.Minute)
	if _, err := s.Lookup(ctx, id); err != nil {
		t.Fatalf("Lookup after use then 12h-1m: %v", err)
	}
	c.t = c.t.Add(IdleTimeout)
	if _, err := s.Lookup(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Lookup after 12h idle = %v, want ErrNoSession", err)
	}

	// Absolute expiry: used every 6 h, it still ends after 7 days.
	id, _, _ = s.Create(ctx)
	start := c.t
	for c.t.Sub(start) < AbsoluteTimeout-6*time.Hour {
		c.t = c.t.Add(6 * time.Hour)
		if _, err := s.Lookup(ctx, id); err != nil {
			t.Fatalf("Lookup at +%v: %v", c.t.Sub(start), err)
		}
	}
	c.t = start.Add(AbsoluteTimeout)
	if _, err := s.Lookup(ctx, id); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Lookup after 7 days = %v, want ErrNoSession", err)
	}
	if _, err := s.Lookup(ctx, "forged"); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Lookup(unknown) = %v", err)
	}
}

func TestRevoke(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	s := NewSessions(db, nil)
	a, sa, _ := s.Create(ctx)
	b, _, _ := s.Create(ctx)
	c, _, _ := s.Create(ctx)
	if err := s.Revoke(ctx, sa); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, a); !errors.Is(err, ErrNoSession) {
		t.Error("revoked session still valid")
	}
	if _, err := s.Lookup(ctx, b); err != nil {
		t.Error("another session was revoked")
	}
	if err := s.RevokeAll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{b, c} {
		if _, err := s.Lookup(ctx, id); !errors.Is(err, ErrNoSession) {
			t.Error("session survived RevokeAll")
		}
	}
	// The stored key is a hash, never the id.
	var n int
	db.QueryRow("SELECT count(*) FROM sessions WHERE id_hash = ?", a).Scan(&n)
	if n != 0 {
		t.Error("session id stored in clear")
	}
}

func TestLimiter(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLimiter(5, time.Minute, c.now)
	for i := 0; i < 5; i++ {
		ok, _, done := l.Try("10.0.0.1")
		if !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		done(true)
		c.t = c.t.Add(time.Second)
	}
	ok, retry, _ := l.Try("10.0.0.1")
	if ok || retry != 55*time.Second {
		t.Fatalf("sixth attempt: ok=%v retry=%v, want refused for 55s", ok, retry)
	}
	if ok, _, done := l.Try("10.0.0.2"); !ok {
		t.Error("another address is limited")
	} else {
		done(false)
	}
	c.t = c.t.Add(retry)
	if ok, _, _ := l.Try("10.0.0.1"); !ok {
		t.Error("still limited once the oldest failure is a minute old")
	}
}

func TestLimiterCountsAttemptsInProgress(t *testing.T) {
	l := NewLimiter(3, time.Minute, nil)
	var dones []func(bool)
	for i := 0; i < 3; i++ {
		ok, _, done := l.Try("a")
		if !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		dones = append(dones, done)
	}
	if ok, _, _ := l.Try("a"); ok {
		t.Fatal("a fourth attempt in parallel was accepted")
	}
	dones[0](false) // a success frees its slot and counts nothing
	dones[0](true)  // done twice is a no-op
	if ok, _, done := l.Try("a"); !ok {
		t.Fatal("refused after a success")
	} else {
		done(true)
	}
	dones[1](true)
	dones[2](true)
	if ok, _, _ := l.Try("a"); ok {
		t.Fatal("accepted after three failures")
	}
}
