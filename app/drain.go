package app

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Drainer serves a fiber app and stops it without dropping requests:
//
//   - once Shutdown starts, no new connection is accepted and every
//     response carries "Connection: close", so clients stop reusing their
//     connections;
//   - a keep-alive connection that is idle keeps listening for IdleGrace, so
//     a request a client already sent on it is answered, not cut off; it is
//     closed by its own reader once nothing came (fasthttp's own Shutdown
//     closes idle connections at once, dropping a request on its way);
//   - at the deadline the connections still open are closed, and Shutdown
//     says how many there were and how many requests were still running.
type Drainer struct {
	web       *fiber.App
	srv       *fasthttp.Server
	idleGrace time.Duration

	mu       sync.Mutex
	conns    map[net.Conn]fasthttp.ConnState
	draining atomic.Bool   // set under mu
	closed   chan struct{} // a connection closed (buffered, one pending signal)

	ln     net.Listener
	lnOnce sync.Once
	lnErr  error

	busy atomic.Int64 // requests inside a handler
}

// DefaultIdleGrace is how long an idle keep-alive connection is still
// listened to after a stop begins.
const DefaultIdleGrace = 2 * time.Second

// NewDrainer prepares web to be served on ln by Serve and stopped by
// Shutdown (which may come before Serve has started).
func NewDrainer(web *fiber.App, ln net.Listener, idleGrace time.Duration) *Drainer {
	d := &Drainer{web: web, srv: web.Server(), ln: ln, idleGrace: idleGrace, conns: map[net.Conn]fasthttp.ConnState{},
		closed: make(chan struct{}, 1)}
	d.srv.CloseOnShutdown = true
	d.srv.ConnState = d.connState
	h := d.srv.Handler
	d.srv.Handler = func(ctx *fasthttp.RequestCtx) {
		d.busy.Add(1)
		defer d.busy.Add(-1)
		h(ctx)
		if d.draining.Load() {
			ctx.Response.Header.SetConnectionClose()
		}
	}
	return d
}

// Serve accepts connections until Shutdown.
func (d *Drainer) Serve() error {
	return d.web.Listener(onceCloser{d.ln, d})
}

// onceCloser lets Shutdown close the listener before fasthttp does (which
// then must not fail on the second close).
type onceCloser struct {
	net.Listener
	d *Drainer
}

func (l onceCloser) Close() error { return l.d.closeListener() }

func (d *Drainer) closeListener() error {
	d.lnOnce.Do(func() { d.lnErr = d.ln.Close() })
	return d.lnErr
}

func (d *Drainer) connState(c net.Conn, st fasthttp.ConnState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch st {
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		delete(d.conns, c)
		select {
		case d.closed <- struct{}{}:
		default:
		}
		return
	}
	d.conns[c] = st
	if d.draining.Load() && st == fasthttp.StateIdle {
		c.SetReadDeadline(time.Now().Add(d.idleGrace)) //nolint:errcheck
	}
}

// Open returns the number of open client connections.
func (d *Drainer) Open() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.conns)
}

// ShutdownReport says how a stop went.
type ShutdownReport struct {
	Forced bool // the deadline passed with connections still open
	Open   int  // connections still open at the deadline (closed then)
	Busy   int  // requests still inside a handler at the deadline
}

// Drain stops accepting connections and starts draining the open ones (see
// Drainer); it returns at once. Shutdown calls it too.
func (d *Drainer) Drain() {
	d.mu.Lock()
	if !d.draining.Load() {
		d.draining.Store(true)
		deadline := time.Now().Add(d.idleGrace)
		for c, st := range d.conns {
			if st == fasthttp.StateIdle {
				c.SetReadDeadline(deadline) //nolint:errcheck
			}
		}
	}
	d.mu.Unlock()
	d.closeListener() //nolint:errcheck
}

// Shutdown drains (see Drain) and waits for the open connections to finish
// until ctx ends, then closes what is left and says so.
func (d *Drainer) Shutdown(ctx context.Context) ShutdownReport {
	d.Drain()
	var rep ShutdownReport
	for d.Open() > 0 && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-d.closed:
		case <-time.After(50 * time.Millisecond):
		}
	}
	// fasthttp's own shutdown: with no connection left it returns at once;
	// after the deadline it only closes the idle ones.
	d.web.ShutdownWithContext(ctx) //nolint:errcheck
	if n := d.Open(); n > 0 {
		rep = ShutdownReport{Forced: true, Open: n, Busy: int(d.busy.Load())}
	}
	if rep.Forced {
		d.mu.Lock()
		for c := range d.conns {
			c.Close()
		}
		d.mu.Unlock()
	}
	return rep
}

// WaitIdle waits until no request is inside a handler, or ctx ends; it
// returns the number still running.
func (d *Drainer) WaitIdle(ctx context.Context) int {
	for d.busy.Load() > 0 && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
	return int(d.busy.Load())
}
