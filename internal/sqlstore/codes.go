package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/reporting"
)

// codePurgeEvery is the least time between two purges of expired codes by
// one store.
const codePurgeEvery = 30 * time.Second

var _ reporting.CodeStore = (*Store)(nil)

// codeHash is the stored form of a code: hex SHA-256.
func codeHash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// Issue implements [reporting.CodeStore]: it stores the hash of a new
// 256-bit random code in launch_codes, so that any process on the database
// can redeem it. Now and then it deletes expired codes.
func (s *Store) Issue(ctx context.Context, g reporting.CodeGrant, expires time.Time) (
	string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", s.d.wrap("issue code", err)
	}

	code := base64.RawURLEncoding.EncodeToString(raw[:])
	if err := s.purgeCodes(ctx); err != nil {
		return "", err
	}

	_, err := s.q.ExecContext(ctx, `
		INSERT INTO launch_codes (code_hash, session_id, partner_id, expires_at)
		VALUES ($1, $2, $3, $4)`,
		codeHash(code), g.SessionID, g.PartnerID, s.d.time(expires))
	if err != nil {
		return "", s.d.wrap("issue code", err)
	}

	return code, nil
}

// Redeem implements [reporting.CodeStore]: one DELETE ... RETURNING takes
// the code away, so of two processes redeeming it at once only one gets
// the grant. It returns reporting.ErrCodeInvalid for an unknown, redeemed
// or expired code.
func (s *Store) Redeem(ctx context.Context, code string, now time.Time) (
	reporting.CodeGrant, error) {
	var (
		g       reporting.CodeGrant
		expires time.Time
	)
	err := s.q.QueryRowContext(ctx, `
		DELETE FROM launch_codes WHERE code_hash = $1
		RETURNING session_id, partner_id, expires_at`, codeHash(code)).Scan(
		&g.SessionID, &g.PartnerID, timeCol{&expires})
	if errors.Is(err, sql.ErrNoRows) {
		return reporting.CodeGrant{}, fmt.Errorf("%s: redeem code: %w", s.d.Name,
			reporting.ErrCodeInvalid)
	}

	if err != nil {
		return reporting.CodeGrant{}, s.d.wrap("redeem code", err)
	}

	if !now.Before(expires) {
		return reporting.CodeGrant{}, fmt.Errorf("%s: redeem code: %w", s.d.Name,
			reporting.ErrCodeInvalid)
	}

	return g, nil
}

// purgeCodes deletes expired codes, at most once every codePurgeEvery.
func (s *Store) purgeCodes(ctx context.Context) error {
	now := s.now()
	last := s.codesPurged.Load()
	if now.UnixNano()-last < int64(codePurgeEvery) ||
		!s.codesPurged.CompareAndSwap(last, now.UnixNano()) {
		return nil
	}

	_, err := s.q.ExecContext(ctx, `DELETE FROM launch_codes WHERE expires_at < $1`,
		s.d.time(now))
	if err != nil {
		return s.d.wrap("purge codes", err)
	}

	return nil
}
