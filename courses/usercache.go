package courses

import (
	"context"
	"sync"
	"time"
)

// learnerTTL is how long a learner's enrolment and done lessons are reused
// without asking the database. Every change made through this instance
// (starting, visiting, completing) updates or clears them at once; a change
// made through another instance shows here within this time.
const learnerTTL = 3 * time.Second

type learnerKey struct{ employee, id int64 } // id: a course id (enrolments) or version id (done lessons)

type learnerCache struct {
	mu          sync.Mutex
	enrolments  map[learnerKey]cachedEnrolment
	doneLessons map[learnerKey]cachedDone
}

type cachedEnrolment struct {
	en    *Enrolment // nil: not enrolled
	until time.Time
}

type cachedDone struct {
	done  map[int64]time.Time // never modified once cached
	until time.Time
}

var learnerCaches sync.Map // *Store → *learnerCache

func (s *Store) learners() *learnerCache {
	lc, _ := learnerCaches.LoadOrStore(s, &learnerCache{enrolments: map[learnerKey]cachedEnrolment{}, doneLessons: map[learnerKey]cachedDone{}})
	return lc.(*learnerCache)
}

// cachedEnrolmentFor is currentEnrolment through the cache; it returns a copy.
func (s *Store) cachedEnrolmentFor(ctx context.Context, employeeID, courseID int64) (*Enrolment, error) {
	lc := s.learners()
	k := learnerKey{employeeID, courseID}
	now := time.Now()
	lc.mu.Lock()
	ce, ok := lc.enrolments[k]
	lc.mu.Unlock()
	if ok && now.Before(ce.until) {
		if ce.en == nil {
			return nil, nil
		}
		en := *ce.en
		return &en, nil
	}
	en, err := currentEnrolment(ctx, s.DB, employeeID, courseID)
	if err != nil {
		return nil, err
	}
	lc.mu.Lock()
	if len(lc.enrolments) > 50_000 {
		clear(lc.enrolments)
	}
	var stored *Enrolment
	if en != nil {
		cp := *en
		stored = &cp
	}
	lc.enrolments[k] = cachedEnrolment{en: stored, until: now.Add(learnerTTL)}
	lc.mu.Unlock()
	return en, nil
}

// DoneLessonsCached is DoneLessons outside a transaction, through the cache.
// The map returned must not be modified.
func (s *Store) DoneLessonsCached(ctx context.Context, employeeID, versionID int64) (map[int64]time.Time, error) {
	lc := s.learners()
	k := learnerKey{employeeID, versionID}
	now := time.Now()
	lc.mu.Lock()
	cd, ok := lc.doneLessons[k]
	lc.mu.Unlock()
	if ok && now.Before(cd.until) {
		return cd.done, nil
	}
	done, err := s.DoneLessons(ctx, s.DB, employeeID, versionID)
	if err != nil {
		return nil, err
	}
	lc.mu.Lock()
	if len(lc.doneLessons) > 50_000 {
		clear(lc.doneLessons)
	}
	lc.doneLessons[k] = cachedDone{done: done, until: now.Add(learnerTTL)}
	lc.mu.Unlock()
	return done, nil
}

// forgetLearner drops what is cached about the employee in a course and version.
func (s *Store) forgetLearner(employeeID, courseID, versionID int64) {
	lc := s.learners()
	lc.mu.Lock()
	delete(lc.enrolments, learnerKey{employeeID, courseID})
	delete(lc.doneLessons, learnerKey{employeeID, versionID})
	lc.mu.Unlock()
}
