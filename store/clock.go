package store

import (
	"sync"
	"time"
)

// Clock tells the time. Stores take one at construction: the real one in
// production, a ManualClock where a test or the demo sets the moment.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now().UTC() }

// ClockFunc makes a function a Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// ManualClock reads the moment last Set, or the real time (UTC) while none
// is set: the demo replays its history with it set to each moment. Safe for
// concurrent use; the zero value is ready.
type ManualClock struct {
	mu sync.RWMutex
	t  time.Time
}

// Now returns the moment set, or the real time.
func (c *ManualClock) Now() time.Time {
	c.mu.RLock()
	t := c.t
	c.mu.RUnlock()
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}

// Set makes the clock read t (in UTC) from now on; the zero time gives it
// back the real time.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC()
	c.mu.Unlock()
}
