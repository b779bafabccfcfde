// Package auth provides Webrunner's authentication: the argon2id password
// hash, sessions stored hashed in SQLite with idle and absolute expiry and a
// CSRF token each, and the per-client login rate limiter.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"webrunner/server/store"
)

// PasswordSetting is the settings key holding the password hash.
const PasswordSetting = "password_hash"

// Params are the argon2id cost parameters.
type Params struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultParams are the parameters of new hashes: the second recommendation
// of RFC 9106 (64 MiB, 3 passes) lowered to 1 pass as x/crypto suggests for
// interactive logins.
var DefaultParams = Params{Time: 1, Memory: 64 * 1024, Threads: 4}

// HashPassword returns the argon2id hash of password with a random salt, in
// PHC string format: $argon2id$v=19$m=65536,t=1,p=4$SALT$HASH.
func HashPassword(password string) (string, error) {
	return hashWith(password, DefaultParams)
}

func hashWith(password string, p Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches a hash made by
// HashPassword (or any argon2id PHC string), comparing in constant time.
func VerifyPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errors.New("password hash: not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("password hash: bad parameters %q", parts[3])
	}
	if p.Time == 0 || p.Threads == 0 || p.Memory > 4<<20 {
		return false, fmt.Errorf("password hash: bad parameters %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("password hash: bad salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errors.New("password hash: bad key")
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// GeneratePassword returns a random password of 128 bits in URL-safe
// base64 (22 characters).
func GeneratePassword() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SetupPassword makes the stored password hash match the configuration and
// returns the hash. When password is not empty (from --password-file or
// WEBRUNNER_PASSWORD) it becomes the password; if it differs from the
// stored one, every session is revoked. When password is empty, the stored
// hash is kept, or on the first start a password is generated: it is
// returned as generated, for the caller to show once.
func SetupPassword(ctx context.Context, db *sql.DB, password string) (hash, generated string, err error) {
	stored, ok, err := store.Setting(ctx, db, PasswordSetting)
	if err != nil {
		return "", "", err
	}
	if password == "" {
		if ok {
			return stored, "", nil
		}
		generated = GeneratePassword()
		password = generated
	} else if ok {
		if match, err := VerifyPassword(stored, password); err == nil && match {
			return stored, "", nil
		}
	}
	hash, err = HashPassword(password)
	if err != nil {
		return "", "", err
	}
	if err := store.SetSetting(ctx, db, PasswordSetting, hash); err != nil {
		return "", "", err
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM sessions"); err != nil {
		return "", "", fmt.Errorf("revoke sessions after a password change: %w", err)
	}
	return hash, generated, nil
}
