package app_test

import (
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkLessonPage loads a lesson page as a signed-in staff member over
// real HTTP on loopback, from 32 concurrent clients, and reports requests per
// second and the 99th-percentile latency. (For the figures in the README,
// `make load` drives the same page with wrk, which costs the server less CPU.)
func BenchmarkLessonPage(b *testing.B) {
	benchPage(b, mustServer(b, "sqlite"), staffEmail, "/learn/mission-vision-promise/from-the-top-to-the-front-line")
}

// benchPage loads path as the signed-in email over real HTTP on loopback,
// from 32 concurrent clients, reporting requests per second and the
// 99th-percentile latency.
func benchPage(b *testing.B, ts *testServer, email, path string) {
	base := ts.Listen(b)
	c := ts.client(b)
	c.signIn(email)
	var session string
	for _, ck := range c.jar.Cookies(mustURL(base)) {
		if ck.Name == "academy_session" {
			session = ck.Value
		}
	}
	for _, ck := range c.jar.Cookies(mustURL("http://localhost")) {
		if ck.Name == "academy_session" {
			session = ck.Value
		}
	}
	page := base + path
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func() (time.Duration, error) {
		req, _ := http.NewRequest("GET", page, nil)
		req.Header.Set("Cookie", "academy_session="+session)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, errStatus(resp.StatusCode)
		}
		return time.Since(start), nil
	}
	if _, err := get(); err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var lat []time.Duration
	var n atomic.Int64
	b.SetParallelism(16) // 16 x GOMAXPROCS(2) = 32 clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			d, err := get()
			if err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, d)
			n.Add(1)
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(n.Load())/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

type errStatus int

func (e errStatus) Error() string { return "status " + http.StatusText(int(e)) }

func mustURL(s string) *url.URL {
	u, _ := url.Parse(strings.TrimSuffix(s, "/"))
	return u
}
