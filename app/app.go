// Package app is the web layer: routes, handlers, templates and the JSON API.
// It is the only package that imports fiber.
package app

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/courses/certdoc"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

//go:embed views
var viewsFS embed.FS

// MaxUpload is the largest file accepted by an upload form or import endpoint.
const MaxUpload = 20 << 20

// Config is what the server needs from main.
type Config struct {
	DB      *bun.DB
	Log     *slog.Logger
	BaseURL string // e.g. https://academy.example.com; https turns on Secure cookies
	Version string
	Demo    bool
	// ProxyHeader, when set (e.g. X-Forwarded-For), is trusted for the client
	// address: set it only behind a load balancer that overwrites it.
	ProxyHeader string
	// MinFree is the free space on a SQLite database's file system below
	// which /healthz reports the disk full; 0 means store.DefaultMinFree.
	MinFree int64
	// Training runs the workflows and holds the stores (main builds it);
	// nil builds one on DB with BaseURL.
	Training *training.Service
	// Mail is the e-mail delivery the outbox page describes (zero: no SMTP,
	// e-mails are kept in the outbox).
	Mail MailConfig
}

// Server holds the dependencies of the handlers.
type Server struct {
	cfg          Config
	log          *slog.Logger
	training     *training.Service
	people       *people.Store
	courses      *courses.Store
	quizzes      *assessments.Store
	observations *assessments.ObservationStore
	sessions     *sessionCache
	bells        *bellCache // unread counts for the bell
	secretMu     sync.Mutex
	secret       []byte // the unsubscribe links' key, once read (linkSecret)
	secure       bool
	views        *html.Engine
	docs         *certdoc.Renderer // certificate and report PDFs
	verifies     *verifyLimiter
	health       *store.Health
}

// New builds the fiber application with every route. It fails if the
// templates do not parse.
func New(cfg Config) (*fiber.App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost:8080"
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: want http(s)://host[:port]", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := newServer(cfg)
	s.secure = u.Scheme == "https"

	// The built-in courses ship in the binary; a changed one becomes a new version.
	synced, err := s.training.SyncBuiltins(context.Background())
	if err != nil {
		return nil, err
	}
	if len(synced) > 0 {
		cfg.Log.Info("built-in courses loaded", "courses", synced)
	}

	sub, err := fs.Sub(viewsFS, "views")
	if err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(sub), ".html")
	engine.AddFuncMap(templateFuncs(s.companyZone))
	engine.AddFuncMap(readinessFuncs())
	if err := engine.Load(); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	s.views = engine

	fcfg := fiber.Config{
		AppName:               "Service Academy",
		Views:                 engine,
		Immutable:             true,
		BodyLimit:             MaxUpload + 1<<20, // the file plus the rest of the form
		ReadTimeout:           60 * time.Second,
		WriteTimeout:          120 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
	}
	if cfg.ProxyHeader != "" {
		fcfg.ProxyHeader = cfg.ProxyHeader
	}
	app := fiber.New(fcfg)
	s.routes(app)
	return app, nil
}

// newServer builds the handlers' dependencies: the stores of cfg.Training,
// or of a training service it builds on cfg.DB.
func newServer(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Training == nil {
		t, err := training.New(cfg.DB, training.Options{BaseURL: cfg.BaseURL, Log: cfg.Log})
		if err != nil {
			panic(err) // the embedded fonts are part of the binary: a test fails first
		}
		cfg.Training = t
	}
	t := cfg.Training
	return &Server{cfg: cfg, log: cfg.Log, training: t, people: t.People(), courses: t.Courses(),
		quizzes: t.Quizzes(), observations: t.Observations(), docs: t.Docs(),
		sessions: newSessionCache(), bells: newBellCache(), verifies: newVerifyLimiter(), health: &store.Health{DB: cfg.DB, MinFree: cfg.MinFree}}
}

// errorHandler is the one place errors become responses: a JSON body under
// /api, an error page elsewhere. Only internal errors are logged in detail.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	if strings.HasPrefix(c.Path(), "/api/") {
		return s.jsonError(c, err)
	}
	status, msg := s.errorAnswer(c, err)
	title := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		title = "Page not found"
	case http.StatusForbidden:
		title = "Not allowed"
	case http.StatusInternalServerError:
		title = "Something went wrong"
	case http.StatusServiceUnavailable:
		title = "Temporarily unavailable"
	}
	c.Status(status)
	if rerr := s.renderStatus(c, status, "errors/error", fiber.Map{"Title": title, "Code": status, "Message": msg}); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(title + ": " + msg)
	}
	return nil
}

// jsonError answers err as the one JSON error body, {"error": its safe
// message, "field": the form or JSON field it names, or ""}, with its
// status: the API's errors (through errorHandler) and the pages' JSON
// answers (autosaves, the verify addresses). Under /api it is neither
// stored nor sniffed, whatever refused it; a 503 carries Retry-After.
func (s *Server) jsonError(c *fiber.Ctx, err error) error {
	status, msg := s.errorAnswer(c, err)
	if strings.HasPrefix(c.Path(), "/api/") {
		c.Set("Cache-Control", "no-store")
		c.Set("X-Content-Type-Options", "nosniff")
	}
	return c.Status(status).JSON(fiber.Map{"error": msg, "field": store.FieldOf(err)})
}

// errorAnswer is the status of err's answer and the message users see (a
// safe one, never an internal error's text); a 503 gets Retry-After and a
// warning in the log, other 5xx are logged in detail.
func (s *Server) errorAnswer(c *fiber.Ctx, err error) (int, string) {
	status := http.StatusInternalServerError
	msg := store.MessageOf(err)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status = fe.Code
		switch status {
		case http.StatusNotFound:
			msg = "There is no page at this address."
		case http.StatusRequestEntityTooLarge:
			msg = "That upload is larger than the 20 MB limit."
		case http.StatusMethodNotAllowed:
			msg = "That action is not available here."
		default:
			if status < 500 {
				msg = fe.Message
			}
		}
	} else {
		status = statusOf(store.KindOf(err))
	}
	switch {
	case status == http.StatusServiceUnavailable:
		s.unavailable(c, err)
	case status >= 500:
		s.log.Error("request failed", "method", c.Method(), "route", routeOf(c), "err", err)
	}
	return status, msg
}

func statusOf(k store.Kind) int {
	switch k {
	case store.NotFound:
		return http.StatusNotFound
	case store.Invalid:
		return http.StatusUnprocessableEntity
	case store.Forbidden:
		return http.StatusForbidden
	case store.Conflict:
		return http.StatusConflict
	case store.Unauthorized:
		return http.StatusUnauthorized
	case store.TooMany:
		return http.StatusTooManyRequests
	case store.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// routeOf is the matched route pattern (never the raw path, which can carry
// one-time tokens), for logs.
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" && r.Path != "/" || c.Path() == "/" {
		return c.Route().Path
	}
	return "(unmatched)"
}

// requestLog writes one line per request: no query strings, cookies or tokens.
func (s *Server) requestLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		// The error handler has not run yet; report the status it will choose.
		var fe *fiber.Error
		if errors.As(err, &fe) {
			status = fe.Code
		} else {
			status = statusOf(store.KindOf(err))
		}
	}
	if c.Path() == "/healthz" && status == 200 {
		return err
	}
	s.log.Info("request", "method", c.Method(), "route", routeOf(c), "status", status,
		"ms", float64(time.Since(start).Microseconds())/1000, "ip", c.IP())
	return err
}

// retryAfter is the Retry-After of a 503: seconds to wait before trying again.
const retryAfter = "30"

// unavailable sets Retry-After and logs a request refused because the
// database cannot answer or write for now (nothing was saved); the handlers
// that answer errors as JSON themselves call it, as errorHandler does.
func (s *Server) unavailable(c *fiber.Ctx, err error) {
	c.Set("Retry-After", retryAfter)
	s.log.Warn("request refused: database unavailable", "method", c.Method(), "route", routeOf(c), "err", err)
}

// healthz answers 200 when the database takes writes, 503 with the reason
// when it does not (disk full, read-only, its file missing, unreachable);
// see store.Health. The answer is reused for 2 s.
func (s *Server) healthz(c *fiber.Ctx) error {
	r, fresh := s.health.Check(c.UserContext())
	out := fiber.Map{"status": "ok", "database": "up", "version": s.cfg.Version}
	if r.Free >= 0 {
		out["disk_free_bytes"] = r.Free
	}
	c.Set("Cache-Control", "no-store")
	if r.OK {
		return c.JSON(out)
	}
	if fresh {
		s.log.Warn("health check: database unavailable", "problem", r.Problem, "err", r.Err)
	}
	out["status"], out["database"], out["problem"] = "unavailable", "down", r.Problem
	c.Set("Retry-After", retryAfter)
	return c.Status(http.StatusServiceUnavailable).JSON(out)
}
