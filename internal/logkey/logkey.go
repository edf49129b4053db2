package logkey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
)

// HashLen is the length in hex characters of a [Key.Hash].
const HashLen = 16

// Key hashes identifiers with HMAC-SHA256 under a secret key. Without the
// key the hash cannot be reversed by trying candidate ids. The zero value
// is not usable; call [New].
type Key struct {
	secret []byte
}

// New returns a Key for secret. An empty secret gets a random per-process
// key: hashes then correlate within one process only.
func New(secret []byte) *Key {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret) // crypto/rand.Read never fails
	}

	return &Key{secret: append([]byte(nil), secret...)}
}

// Hash returns the first HashLen hex characters of
// HMAC-SHA256(key, scope || 0x00 || id). The scope (a partner id) keeps
// equal ids of two partners apart.
func (k *Key) Hash(scope, id string) string {
	mac := hmac.New(sha256.New, k.secret)
	mac.Write([]byte(scope))
	mac.Write([]byte{0})
	mac.Write([]byte(id))

	return hex.EncodeToString(mac.Sum(nil))[:HashLen]
}

// Attr returns the slog attribute name=Hash(scope, id).
func (k *Key) Attr(name, scope, id string) slog.Attr {
	return slog.String(name, k.Hash(scope, id))
}

var (
	processOnce sync.Once
	processKey  *Key
)

// Process returns a random key shared by the whole process, for callers
// configured without one.
func Process() *Key {
	processOnce.Do(func() { processKey = New(nil) })
	return processKey
}

// Discard returns logger, or a logger that drops everything when it is
// nil.
func Discard(logger *slog.Logger) *slog.Logger {
	if logger != nil {
		return logger
	}

	return slog.New(slog.DiscardHandler)
}
