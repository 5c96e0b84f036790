package courses

import (
	"context"
	"strings"
	"sync"
	"time"
)

// companyTTL is how long the company profile is reused without asking the
// database; saving it on this instance clears it at once.
const companyTTL = 3 * time.Second

// companyCache holds the profile and the filled-in placeholder blocks, which
// every page (the company name) and every mission lesson needs.
type companyCache struct {
	mu       sync.Mutex
	profile  *Profile
	replacer *strings.Replacer
	filled   map[int64]string // lesson id → body with the company text in, for this profile
	until    time.Time
}

var companies sync.Map // *Store → *companyCache

func (s *Store) companyCache() *companyCache {
	cc, _ := companies.LoadOrStore(s, &companyCache{})
	return cc.(*companyCache)
}

// CachedCompany returns the company profile, at most companyTTL old.
func (s *Store) CachedCompany(ctx context.Context) (*Profile, error) {
	p, _, err := s.cachedCompany(ctx)
	return p, err
}

func (s *Store) cachedCompany(ctx context.Context) (*Profile, *strings.Replacer, error) {
	cc := s.companyCache()
	now := time.Now()
	cc.mu.Lock()
	if cc.profile != nil && now.Before(cc.until) {
		p, r := cc.profile, cc.replacer
		cc.mu.Unlock()
		return p, r, nil
	}
	cc.mu.Unlock()
	p, err := s.CompanyProfile(ctx)
	if err != nil {
		return nil, nil, err
	}
	r := placeholderReplacer(p.Company())
	cc.mu.Lock()
	if cc.replacer != r {
		cc.filled = map[int64]string{}
	}
	cc.profile, cc.replacer, cc.until = p, r, now.Add(companyTTL)
	cc.mu.Unlock()
	return p, r, nil
}

// freshCompany is the cached profile when it is fresh, else nil.
func (s *Store) freshCompany() *Profile {
	cc := s.companyCache()
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.profile != nil && time.Now().Before(cc.until) {
		return cc.profile
	}
	return nil
}

// ForgetCompany drops the cached profile (after the company settings change).
func (s *Store) ForgetCompany() {
	cc := s.companyCache()
	cc.mu.Lock()
	cc.profile = nil
	cc.mu.Unlock()
}

// FillCompany puts the company's current text into a lesson's placeholders.
// Lessons of published versions never change, so the result is kept per
// lesson until the company text does; id 0 (a preview) is never kept.
func (s *Store) FillCompany(ctx context.Context, lesson *Lesson) (string, error) {
	h := lesson.BodyHTML
	if !strings.Contains(h, "{{company.") {
		return h, nil
	}
	_, r, err := s.cachedCompany(ctx)
	if err != nil {
		return "", err
	}
	if lesson.ID == 0 {
		return r.Replace(h), nil
	}
	cc := s.companyCache()
	cc.mu.Lock()
	out, ok := cc.filled[lesson.ID]
	ok = ok && cc.replacer == r
	cc.mu.Unlock()
	if ok {
		return out, nil
	}
	out = r.Replace(h)
	cc.mu.Lock()
	if cc.replacer == r {
		cc.filled[lesson.ID] = out
	}
	cc.mu.Unlock()
	return out, nil
}
