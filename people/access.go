package people

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Session timeouts: a session ends after IdleTimeout without a request, and
// AbsoluteTimeout after sign-in whatever happens.
var (
	IdleTimeout     = 2 * time.Hour
	AbsoluteTimeout = 12 * time.Hour
)

// Session is a signed-in browser. ID is the SHA-256 of the cookie value.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID         string    `bun:",pk"`
	EmployeeID int64     `bun:",notnull"`
	CSRFToken  string    `bun:"csrf_token,notnull"`
	CreatedAt  time.Time `bun:",notnull"`
	LastSeenAt time.Time `bun:",notnull"`
	ExpiresAt  time.Time `bun:",notnull"`
	IP         string    `bun:"ip,notnull"`
	UserAgent  string    `bun:",notnull"`
}

// SettingRow is one company setting (key and value) in the settings table.
type SettingRow struct {
	bun.BaseModel `bun:"table:settings"`
	Key           string    `bun:",pk"`
	Value         string    `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// ErrSignIn is the one answer to a failed sign-in, whatever the reason.
var ErrSignIn = store.Errorf(store.Unauthorized, "That email and password do not match an active account, or sign-in is paused after too many attempts. Try again, or ask HR for a new password link.")

// SignIn checks email and password and, on success, creates a new session
// (a new id every time) and returns it with the cookie value. The attempt is
// reserved with the throttle (see ThrottleWindow) before the password is
// checked. Every failure, including throttling and inactive accounts,
// returns ErrSignIn.
func (s *Store) SignIn(ctx context.Context, email, password, ip, userAgent string) (*Session, string, *Employee, error) {
	keys, allowed, err := s.reserveAttempt(ctx, email, ip, s.Now())
	if err != nil {
		return nil, "", nil, err
	}
	if !allowed {
		return nil, "", nil, ErrSignIn
	}
	e, err := s.FindEmployeeByEmail(ctx, email)
	if err != nil && !store.IsNotFound(err) {
		return nil, "", nil, err
	}
	hash := dummyHash
	if e != nil && e.PasswordHash != "" {
		hash = e.PasswordHash
	}
	ok := checkPassword(hash, password) && e != nil && e.Active && e.PasswordHash != ""
	if !ok {
		return nil, "", nil, ErrSignIn // the reservation stays counted
	}
	s.giveBack(ctx, keys)
	sess, token, err := s.CreateSession(ctx, e.ID, ip, userAgent)
	if err != nil {
		return nil, "", nil, err
	}
	return sess, token, e, nil
}

// CheckCurrentPassword checks a signed-in employee's current password (to
// change it), throttled like a sign-in from ip. Returns an Invalid error on
// field "current" for a wrong password and TooMany on it while paused.
func (s *Store) CheckCurrentPassword(ctx context.Context, e *Employee, password, ip string) error {
	keys, allowed, err := s.reserveAttempt(ctx, e.Email, ip, s.Now())
	if err != nil {
		return err
	}
	if !allowed {
		return &store.Error{Kind: store.TooMany, Field: "current",
			Message: "Too many wrong passwords: checking is paused for a while. Try again in a few minutes."}
	}
	if !checkPassword(e.PasswordHash, password) {
		return store.FieldError("current", "That is not your current password.")
	}
	s.giveBack(ctx, keys)
	return nil
}

// CreateSession starts a session for employeeID and returns it with the
// cookie value (only its hash is stored).
func (s *Store) CreateSession(ctx context.Context, employeeID int64, ip, userAgent string) (*Session, string, error) {
	now := s.Now()
	token := NewToken(32)
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	if len(ip) > 64 {
		ip = ip[:64]
	}
	sess := &Session{ID: HashToken(token), EmployeeID: employeeID, CSRFToken: NewToken(24), CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(AbsoluteTimeout), IP: ip, UserAgent: userAgent}
	if _, err := s.DB.NewInsert().Model(sess).Exec(ctx); err != nil {
		return nil, "", err
	}
	return sess, token, nil
}

// FindSession returns the live session for a cookie value and its employee,
// touching last_seen_at at most once a minute. An expired, idle or unknown
// session, or one whose employee is inactive, is NotFound (and deleted).
func (s *Store) FindSession(ctx context.Context, token string) (*Session, *Employee, error) {
	if token == "" {
		return nil, nil, store.Errorf(store.NotFound, "No session.")
	}
	now := s.Now()
	sess := new(Session)
	err := s.DB.NewSelect().Model(sess).Where("id = ?", HashToken(token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, store.Errorf(store.NotFound, "No session.")
	} else if err != nil {
		return nil, nil, err
	}
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > IdleTimeout {
		_, err := s.DB.NewDelete().Model(sess).WherePK().Exec(ctx)
		return nil, nil, errors.Join(store.Errorf(store.NotFound, "Your session has ended."), err)
	}
	e, err := s.FindEmployee(ctx, sess.EmployeeID)
	if err != nil {
		return nil, nil, err
	}
	if !e.Active {
		_ = endSessions(ctx, s.DB, e.ID)
		return nil, nil, store.Errorf(store.NotFound, "Your account is not active.")
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt = now
		// While the database refuses writes (disk full, read-only) the
		// session still reads: pages that only read keep working, and the
		// touch is tried again on the next request.
		if _, err := s.DB.NewUpdate().Model(sess).Column("last_seen_at").WherePK().Exec(ctx); err != nil && store.Unavailability(err) == "" {
			return nil, nil, err
		}
	}
	return sess, e, nil
}

// DeleteSession signs a session out.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.DB.NewDelete().TableExpr("sessions").Where("id = ?", HashToken(token)).Exec(ctx)
	return err
}

// PruneAccessData removes expired sessions, forgotten throttle counters, old links
// and stale import previews; returns the rows removed.
func (s *Store) PruneAccessData(ctx context.Context) (int64, error) {
	now := s.Now()
	var total int64
	for _, q := range []*bun.DeleteQuery{
		s.DB.NewDelete().TableExpr("sessions").Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-IdleTimeout)),
		s.DB.NewDelete().TableExpr("signin_throttle").Where("window_start < ? AND (locked_until IS NULL OR locked_until < ?)", now.Add(-ThrottleForget), now),
		s.DB.NewDelete().TableExpr("import_batches").Where("created_at < ?", now.Add(-24*time.Hour)),
	} {
		res, err := q.Exec(ctx)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

// SetPassword validates (ValidatePasswordFor) and stores a new password and
// ends the employee's sessions.
func (s *Store) SetPassword(ctx context.Context, employeeID int64, password string) error {
	e, err := s.FindEmployee(ctx, employeeID)
	if err != nil {
		return err
	}
	if err := ValidatePasswordFor(password, e); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().TableExpr("employees").Set("password_hash = ?", hash).
			Set("updated_at = ?", s.Now()).Where("id = ?", employeeID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.Errorf(store.NotFound, "No employee with that id.")
		}
		return endSessions(ctx, tx, employeeID)
	})
}

// PasswordLinkTTL is how long a one-time password link works.
var PasswordLinkTTL = 72 * time.Hour

// PasswordLink is a one-time link to set or reset a password.
type PasswordLink struct {
	bun.BaseModel `bun:"table:password_links"`

	ID          int64      `bun:",pk,autoincrement"`
	TokenHash   string     `bun:",notnull"`
	EmployeeID  int64      `bun:",notnull"`
	CreatedByID *int64     `bun:"created_by_id"`
	CreatedAt   time.Time  `bun:",notnull"`
	ExpiresAt   time.Time  `bun:",notnull"`
	UsedAt      *time.Time `bun:",nullzero"`
}

// CreatePasswordLink returns the token of a new one-time link for employeeID
// and revokes the employee's earlier unused links. Inactive employees get Invalid.
func (s *Store) CreatePasswordLink(ctx context.Context, employeeID int64, createdBy *int64) (string, error) {
	var token string
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		token, _, err = s.CreatePasswordLinkIn(ctx, tx, employeeID, createdBy)
		return err
	})
	return token, err
}

// CreatePasswordLinkIn is CreatePasswordLink in tx (a workflow that also
// sends the link); it returns the token and the stored link. Same errors.
func (s *Store) CreatePasswordLinkIn(ctx context.Context, tx bun.IDB, employeeID int64, createdBy *int64) (string, *PasswordLink, error) {
	e, err := s.FindEmployeeIn(ctx, tx, employeeID)
	if err != nil {
		return "", nil, err
	}
	if !e.Active {
		return "", nil, store.Errorf(store.Invalid, "%s has left (inactive); reactivate them before sending a password link.", e.Name())
	}
	token := NewToken(32)
	now := s.Now()
	if _, err := tx.NewUpdate().Model((*PasswordLink)(nil)).Set("used_at = ?", now).
		Where("employee_id = ? AND used_at IS NULL", employeeID).Exec(ctx); err != nil {
		return "", nil, err
	}
	l := &PasswordLink{TokenHash: HashToken(token), EmployeeID: employeeID, CreatedByID: createdBy, CreatedAt: now, ExpiresAt: now.Add(PasswordLinkTTL)}
	if _, err := tx.NewInsert().Model(l).Returning("id").Exec(ctx); err != nil {
		return "", nil, err
	}
	return token, l, nil
}

// FindPasswordLink returns the employee a live link is for, or NotFound for an
// unknown, used or expired link.
func (s *Store) FindPasswordLink(ctx context.Context, token string) (*Employee, error) {
	l := new(PasswordLink)
	err := s.DB.NewSelect().Model(l).Where("token_hash = ?", HashToken(token)).Scan(ctx)
	if err != nil || l.UsedAt != nil || s.Now().After(l.ExpiresAt) {
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, store.Errorf(store.NotFound, "This password link has expired or has already been used. Ask HR for a new one.")
	}
	e, err := s.FindEmployee(ctx, l.EmployeeID)
	if err != nil {
		return nil, err
	}
	if !e.Active {
		return nil, store.Errorf(store.NotFound, "This password link is for an account that is no longer active.")
	}
	return e, nil
}

// UsePasswordLink sets the password through a live link and spends the link.
func (s *Store) UsePasswordLink(ctx context.Context, token, password string) (*Employee, error) {
	e, err := s.FindPasswordLink(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := ValidatePasswordFor(password, e); err != nil {
		return nil, err
	}
	res, err := s.DB.NewUpdate().Model((*PasswordLink)(nil)).Set("used_at = ?", s.Now()).
		Where("token_hash = ? AND used_at IS NULL", HashToken(token)).Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, store.Errorf(store.NotFound, "This password link has already been used.")
	}
	return e, s.SetPassword(ctx, e.ID, password)
}

// APIToken is a bearer token for /api/v1. Only the hash is stored.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens,alias:t"`

	ID          int64      `bun:",pk,autoincrement"`
	Name        string     `bun:",notnull"`
	Role        Role       `bun:",notnull"`
	EmployeeID  *int64     `bun:"employee_id"`
	TokenHash   string     `bun:",notnull"`
	Prefix      string     `bun:",notnull"`
	CreatedByID *int64     `bun:"created_by_id"`
	CreatedAt   time.Time  `bun:",notnull"`
	LastUsedAt  *time.Time `bun:",nullzero"`
	RevokedAt   *time.Time `bun:",nullzero"`

	EmployeeNumber string `bun:",scanonly"`
}

// TokenPrefix starts every API token so it is easy to spot in a leak scan.
const TokenPrefix = "sa_"

// CreateToken makes a token named name with role. Staff and manager tokens
// act as an employee (employeeNumber required); hr and admin tokens may too.
// Returns the token (shown once) and its record.
func (s *Store) CreateToken(ctx context.Context, name string, role Role, employeeNumber string, createdBy *int64) (string, *APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return "", nil, store.FieldError("name", "Give the token a name of up to 200 characters (what uses it).")
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", nil, err
	}
	t := &APIToken{Name: name, Role: role, CreatedByID: createdBy, CreatedAt: s.Now()}
	if employeeNumber != "" {
		e, err := s.FindEmployeeByNumber(ctx, employeeNumber)
		if err != nil {
			return "", nil, store.FieldError("employee", "No employee has number %q.", employeeNumber)
		}
		t.EmployeeID = &e.ID
	} else if role == RoleStaff || role == RoleManager {
		return "", nil, store.FieldError("employee", "A %s token acts as an employee: give their employee number.", role)
	}
	secret := TokenPrefix + NewToken(32)
	t.TokenHash = HashToken(secret)
	t.Prefix = secret[:len(TokenPrefix)+6]
	if _, err := s.DB.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// FindToken returns the live token for a bearer value, or NotFound. It
// records the last use at most once a minute.
func (s *Store) FindToken(ctx context.Context, secret string) (*APIToken, error) {
	t := new(APIToken)
	err := s.DB.NewSelect().Model(t).Where("token_hash = ? AND revoked_at IS NULL", HashToken(secret)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "Unknown or revoked token.")
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		t.LastUsedAt = &now
		if _, err := s.DB.NewUpdate().Model(t).Column("last_used_at").WherePK().Exec(ctx); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// ListTokens returns every token, newest first.
func (s *Store) ListTokens(ctx context.Context) ([]APIToken, error) {
	var list []APIToken
	err := s.DB.NewSelect().Model(&list).ColumnExpr("t.*").ColumnExpr("COALESCE(e.number, '') AS employee_number").
		Join("LEFT JOIN employees AS e ON e.id = t.employee_id").OrderExpr("t.id DESC").Scan(ctx)
	return list, err
}

// RevokeToken revokes a token; NotFound if there is no live token with id.
func (s *Store) RevokeToken(ctx context.Context, id int64) (*APIToken, error) {
	t := new(APIToken)
	if err := s.DB.NewSelect().Model(t).Where("id = ? AND revoked_at IS NULL", id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, store.Errorf(store.NotFound, "No live token with that id.")
		}
		return nil, err
	}
	now := s.Now()
	t.RevokedAt = &now
	_, err := s.DB.NewUpdate().Model(t).Column("revoked_at").WherePK().Exec(ctx)
	return t, err
}

// Setting returns a company setting, or def when unset.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.DB.NewSelect().TableExpr("settings").Column("value").Where("key = ?", key).Scan(ctx, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	return v, err
}

// PutSetting stores a company setting inside db (a transaction or the DB).
func PutSetting(ctx context.Context, db bun.IDB, key, value string, now time.Time) error {
	_, err := db.NewInsert().Model(&SettingRow{Key: key, Value: value, UpdatedAt: now}).
		On("CONFLICT (key) DO UPDATE").Set("value = EXCLUDED.value, updated_at = EXCLUDED.updated_at").Exec(ctx)
	return err
}
