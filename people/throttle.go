package people

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
)

// Sign-in throttling. Every password check (sign-in, and the current
// password on the change-password page) first reserves an attempt under
// three keys, each a counter row in signin_throttle updated by one atomic
// statement, so concurrent attempts on any number of instances are counted
// before any password is checked:
//
//   - the account and the address together: PairAttempts checks per
//     ThrottleWindow, then a pause of PairLockBase that doubles with each
//     pause (up to PairLockMax). Only that address is paused, so nobody can
//     lock an account for everyone from their own machine;
//   - the address, any accounts: AddressAttempts per ThrottleWindow, then
//     paused for the rest of it (against one machine guessing many accounts);
//   - the account, any addresses: AccountAttempts per AccountWindow, then
//     paused for AccountWindow (against guessing spread over many machines).
//
// A successful check gives its reservation back, so signing in often is
// never throttled; a refused attempt checks nothing and counts nothing.
var (
	ThrottleWindow  = 15 * time.Minute
	PairAttempts    = 5
	PairLockBase    = time.Minute
	PairLockMax     = time.Hour
	AddressAttempts = 100
	AccountAttempts = 100
	AccountWindow   = time.Hour
	// ThrottleForget is how long a key's pauses are remembered (for the
	// doubling) after its last window started.
	ThrottleForget = 24 * time.Hour
)

// throttleRule is one of the three limits.
type throttleRule struct {
	limit     int
	window    time.Duration
	base, max time.Duration // the pause after the limit: base, doubling each time, up to max
}

// throttleKey is one reserved counter.
type throttleKey struct {
	key  string
	rule throttleRule
}

// throttleKeys are the counters of an attempt on email from ip, most
// specific first. Keys are hashed: the table holds no addresses or emails.
func throttleKeys(email, ip string) []throttleKey {
	acct := strings.ToLower(strings.TrimSpace(email))
	return []throttleKey{
		{HashToken("pair\x1f" + acct + "\x1f" + ip), throttleRule{PairAttempts, ThrottleWindow, PairLockBase, PairLockMax}},
		{HashToken("account\x1f" + acct), throttleRule{AccountAttempts, AccountWindow, AccountWindow, AccountWindow}},
		{HashToken("address\x1f" + ip), throttleRule{AddressAttempts, ThrottleWindow, ThrottleWindow, ThrottleWindow}},
	}
}

// reserveAttempt reserves a password check for email from ip at now under
// every key. It returns the keys reserved (to give back on success) and
// false, with nothing reserved, when any key refuses.
func (s *Store) reserveAttempt(ctx context.Context, email, ip string, now time.Time) ([]throttleKey, bool, error) {
	keys := throttleKeys(email, ip)
	for i, k := range keys {
		ok, err := reserve(ctx, s.DB, k, now)
		if err != nil || !ok {
			s.giveBack(ctx, keys[:i])
			return nil, false, err
		}
	}
	return keys, true, nil
}

// reserve counts one attempt on k's row and reports whether it may be
// checked: not while the key is paused, and not beyond the rule's limit,
// where the first attempt over it pauses the key.
func reserve(ctx context.Context, db bun.IDB, k throttleKey, now time.Time) (bool, error) {
	var attempts, locked, lockouts int
	windowOver, forget := now.Add(-k.rule.window), now.Add(-ThrottleForget)
	// One statement: it serialises on the row (SQLite's write lock,
	// PostgreSQL's row lock), so concurrent attempts get distinct counts.
	// While paused the count stays; a window that has ended starts again.
	err := db.NewRaw(`INSERT INTO signin_throttle AS t (key, attempts, window_start, locked_until, lockouts)
VALUES (?, 1, ?, NULL, 0)
ON CONFLICT (key) DO UPDATE SET
  attempts = CASE WHEN t.locked_until > ? THEN t.attempts WHEN t.window_start <= ? THEN 1 ELSE t.attempts + 1 END,
  window_start = CASE WHEN t.locked_until > ? THEN t.window_start WHEN t.window_start <= ? THEN ? ELSE t.window_start END,
  lockouts = CASE WHEN t.window_start <= ? THEN 0 ELSE t.lockouts END
RETURNING attempts, CASE WHEN locked_until > ? THEN 1 ELSE 0 END, lockouts`,
		k.key, now, now, windowOver, now, windowOver, now, forget, now).Scan(ctx, &attempts, &locked, &lockouts)
	if err != nil {
		return false, err
	}
	if locked == 1 {
		return false, nil
	}
	if attempts <= k.rule.limit {
		return true, nil
	}
	// Over the limit: pause the key (once, whoever gets here first) and
	// start a new count after the pause.
	pause := k.rule.max
	if lockouts < 30 {
		pause = min(k.rule.base<<lockouts, k.rule.max)
	}
	_, err = db.NewRaw(`UPDATE signin_throttle SET locked_until = ?, lockouts = lockouts + 1, attempts = 0, window_start = ?
WHERE key = ? AND (locked_until IS NULL OR locked_until <= ?)`, now.Add(pause), now.Add(pause), k.key, now).Exec(ctx)
	return false, err
}

// giveBack returns the reservations of keys: the check succeeded (or was
// never made), so it does not count against anyone.
func (s *Store) giveBack(ctx context.Context, keys []throttleKey) {
	for _, k := range keys {
		// Best effort: a failure here only leaves one attempt counted.
		_, _ = s.DB.NewRaw("UPDATE signin_throttle SET attempts = attempts - 1 WHERE key = ? AND attempts > 0", k.key).Exec(ctx)
	}
}

// passwordChecks counts the passwords checked against a stored hash (for
// the tests that prove the throttle checks no more than it allows).
var passwordChecks atomic.Int64

// checkPassword is CheckPassword, counted.
func checkPassword(hash, password string) bool {
	passwordChecks.Add(1)
	return CheckPassword(hash, password)
}
