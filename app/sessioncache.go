package app

import (
	"sync"
	"time"
)

// sessionTTL is how long a validated session is trusted without asking the
// database again. Sign-out, password changes, role changes and deactivation
// on this instance take effect at once; on other instances within this time.
const sessionTTL = 3 * time.Second

// sessionCache remembers recently validated sessions by cookie value, so
// the hot pages (lessons) do not ask the database who you are every time.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]cachedSession
}

type cachedSession struct {
	p     *Principal // shared read-only between requests
	until time.Time
}

func newSessionCache() *sessionCache { return &sessionCache{m: map[string]cachedSession{}} }

func (sc *sessionCache) get(token string, now time.Time) *Principal {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	e, ok := sc.m[token]
	if !ok || now.After(e.until) {
		return nil
	}
	return e.p
}

func (sc *sessionCache) put(token string, p *Principal, now time.Time) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.m) > 20000 {
		for k, e := range sc.m {
			if now.After(e.until) {
				delete(sc.m, k)
			}
		}
	}
	sc.m[token] = cachedSession{p: p, until: now.Add(sessionTTL)}
}

func (sc *sessionCache) forgetToken(token string) {
	sc.mu.Lock()
	delete(sc.m, token)
	sc.mu.Unlock()
}

// forget drops every cached session of an employee (0: everyone's).
func (sc *sessionCache) forget(employeeID int64) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for k, e := range sc.m {
		if employeeID == 0 || (e.p.Employee != nil && e.p.Employee.ID == employeeID) {
			delete(sc.m, k)
		}
	}
}

// bellTTL is how long a person's unread count (the bell) is reused without
// counting again. Reading on this instance clears it at once; a new
// notification shows within this time, and at once on /notifications.
const bellTTL = 3 * time.Second

// bellCache remembers recent unread counts by employee, so the bell costs
// the hot pages (lessons) no query on most requests.
type bellCache struct {
	mu sync.Mutex
	m  map[int64]cachedCount
}

type cachedCount struct {
	n     int
	until time.Time
}

func newBellCache() *bellCache { return &bellCache{m: map[int64]cachedCount{}} }

func (bc *bellCache) get(employeeID int64, now time.Time) (int, bool) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	e, ok := bc.m[employeeID]
	if !ok || now.After(e.until) {
		return 0, false
	}
	return e.n, true
}

func (bc *bellCache) put(employeeID int64, n int, now time.Time) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if len(bc.m) > 20000 {
		for k, e := range bc.m {
			if now.After(e.until) {
				delete(bc.m, k)
			}
		}
	}
	bc.m[employeeID] = cachedCount{n: n, until: now.Add(bellTTL)}
}

func (bc *bellCache) forget(employeeID int64) {
	bc.mu.Lock()
	delete(bc.m, employeeID)
	bc.mu.Unlock()
}
