// Command academy serves Service Academy and administers its database.
//
//	academy serve [--addr] [--db] [--base-url] [--demo] [--shutdown-timeout] [--smtp-url] [--mail-from]
//	academy migrate | admin create | import employees FILE [--dry-run] |
//	        token create --name N --role ROLE | demo | backup FILE |
//	        restore FILE | version
//
// Every flag also reads an ACADEMY_* environment variable (--base-url reads
// ACADEMY_BASE_URL); a flag on the command line wins.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	netmail "net/mail"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // time zones in the static binary, whatever the host has

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/app"
	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/notify"
	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/training"
)

// idleGrace is how long a stop still listens on idle keep-alive connections.
var idleGrace = app.DefaultIdleGrace

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Service Academy

Usage:
  academy serve [--addr :8080] [--db academy.db] [--base-url URL] [--demo] [--shutdown-timeout 25s]
                [--smtp-url smtp://user:pass@host:587 --mail-from "Academy <academy@example.com>"]
  academy migrate [--db]
  academy backup [--db] [--force] FILE     a verified copy of the running SQLite database
  academy restore [--db] [--force] FILE    the backup FILE into --db (a new file, or a stopped database with --force)
  academy admin create --email EMAIL --first-name F --last-name L [--number N] [--password-stdin] [--db]
  academy import employees FILE [--dry-run] [--deactivate-missing] [--db]
  academy import questions --course SLUG FILE [--dry-run] [--format gift|aiken] [--db]
  academy token create --name N --role staff|manager|hr|admin [--employee NUMBER] [--db]
  academy demo [--db] [--employees N [--seed S]]
  academy version

Every flag can also be set as ACADEMY_<FLAG> (e.g. ACADEMY_DB, ACADEMY_BASE_URL).
--db is a SQLite file path (default academy.db) or a postgres:// URL.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(os.Stderr, "academy: %v\n\n%s", err, usage)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "academy: %v\n", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// options are the settings shared by every command.
type options struct {
	addr, db, baseURL, logFormat, logLevel, proxyHeader, demoPassword string
	smtpURL, mailFrom                                                 string
	demo                                                              bool
	shutdownTimeout                                                   time.Duration
}

// newFlags returns a flag set whose defaults come from ACADEMY_* variables.
func newFlags(name string, o *options) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.db, "db", env("ACADEMY_DB", "academy.db"), "SQLite file or postgres:// URL")
	fs.StringVar(&o.logFormat, "log-format", env("ACADEMY_LOG_FORMAT", "text"), "text or json")
	fs.StringVar(&o.logLevel, "log-level", env("ACADEMY_LOG_LEVEL", "info"), "debug, info, warn or error")
	return fs
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envBool(key string) bool {
	switch strings.ToLower(os.Getenv(key)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func newLogger(o *options, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", o.logLevel)}
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format %q: want text or json", o.logFormat)}
}

// parse parses args (flags may come before or after positional arguments).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// mailSettings are --smtp-url and --mail-from, checked.
type mailSettings struct {
	smtp *notify.SMTP
	from *netmail.Address
}

// mailConfig checks --smtp-url and --mail-from: nil when no SMTP server is
// set (e-mails stay in the outbox); an error naming the flag when either is
// unusable. The error never repeats the password.
func mailConfig(o *options) (*mailSettings, error) {
	if strings.TrimSpace(o.smtpURL) == "" {
		if strings.TrimSpace(o.mailFrom) != "" {
			if _, err := notify.ParseFrom(o.mailFrom); err != nil {
				return nil, usageError{"--mail-from: " + err.Error()}
			}
		}
		return nil, nil
	}
	c, err := notify.ParseSMTPURL(o.smtpURL)
	if err != nil {
		return nil, usageError{"--smtp-url (ACADEMY_SMTP_URL): " + err.Error()}
	}
	if strings.TrimSpace(o.mailFrom) == "" {
		return nil, usageError{"--mail-from (ACADEMY_MAIL_FROM): required with --smtp-url: the address e-mails come from, e.g. \"Academy <academy@example.com>\""}
	}
	from, err := notify.ParseFrom(o.mailFrom)
	if err != nil {
		return nil, usageError{"--mail-from (ACADEMY_MAIL_FROM): " + err.Error()}
	}
	return &mailSettings{smtp: c, from: from}, nil
}

// redactDSN hides a password in a database URL for logs.
func redactDSN(dsn string) string {
	if !store.IsPostgres(dsn) {
		return dsn
	}
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return dsn[:scheme+3] + user + ":***" + dsn[at:]
	}
	return dsn
}

// openLogged sets up logging and opens and migrates the database: what
// every command that touches the database starts with.
func openLogged(ctx context.Context, o *options, stderr io.Writer) (*bun.DB, *slog.Logger, error) {
	log, err := newLogger(o, stderr)
	if err != nil {
		return nil, nil, err
	}
	db, err := openDB(ctx, o, log)
	return db, log, err
}

// openDB opens and migrates the database.
func openDB(ctx context.Context, o *options, log *slog.Logger) (*bun.DB, error) {
	db, err := store.Open(ctx, o.db)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", redactDSN(o.db), err)
	}
	if _, err := store.Migrate(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"no command"}
	}
	cmd, args := args[0], args[1:]
	var o options
	switch cmd {
	case "serve":
		return serve(ctx, args, &o, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, args, &o, stdout, stderr)
	case "admin":
		if len(args) == 0 || args[0] != "create" {
			return usageError{"admin: the only subcommand is create"}
		}
		return adminCreate(ctx, args[1:], &o, stdin, stdout, stderr)
	case "import":
		if len(args) == 0 {
			return usageError{"import: say what to import (employees)"}
		}
		switch args[0] {
		case "employees":
			return importEmployees(ctx, args[1:], &o, stdout, stderr)
		case "questions":
			return importQuestions(ctx, args[1:], &o, stdout, stderr)
		}
		return usageError{fmt.Sprintf("import: unknown kind %q", args[0])}
	case "token":
		if len(args) == 0 || args[0] != "create" {
			return usageError{"token: the only subcommand is create"}
		}
		return tokenCreate(ctx, args[1:], &o, stdout, stderr)
	case "demo":
		return demoCmd(ctx, args, &o, stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, &o, stdout)
	case "restore":
		return restoreCmd(ctx, args, &o, stdout)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "academy", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

func serve(ctx context.Context, args []string, o *options, stdout, stderr io.Writer) error {
	fs := newFlags("serve", o)
	fs.StringVar(&o.addr, "addr", env("ACADEMY_ADDR", ":8080"), "listen address")
	fs.StringVar(&o.baseURL, "base-url", env("ACADEMY_BASE_URL", ""), "public URL (default http://localhost<addr>)")
	fs.BoolVar(&o.demo, "demo", envBool("ACADEMY_DEMO"), "load the demo organisation into an empty database")
	fs.StringVar(&o.proxyHeader, "proxy-header", env("ACADEMY_PROXY_HEADER", ""), "trusted client-address header behind a load balancer, e.g. X-Forwarded-For")
	shutdownTimeout := fs.String("shutdown-timeout", env("ACADEMY_SHUTDOWN_TIMEOUT", "25s"), "how long a stop waits for open requests")
	fs.StringVar(&o.smtpURL, "smtp-url", env("ACADEMY_SMTP_URL", ""), "SMTP server for e-mail: smtp://user:pass@host:587 (STARTTLS), smtps://... (TLS); none: e-mails stay in the outbox")
	fs.StringVar(&o.mailFrom, "mail-from", env("ACADEMY_MAIL_FROM", ""), "the sender of e-mails, e.g. \"Academy <academy@example.com>\"")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	log, err := newLogger(o, stderr)
	if err != nil {
		return err
	}
	mailCfg, err := mailConfig(o)
	if err != nil {
		return err
	}
	if o.shutdownTimeout, err = time.ParseDuration(*shutdownTimeout); err != nil || o.shutdownTimeout <= 0 {
		return usageError{fmt.Sprintf("--shutdown-timeout %q: want a duration such as 25s", *shutdownTimeout)}
	}
	if o.baseURL == "" {
		host := o.addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		o.baseURL = "http://" + host
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	log.Info("starting", "version", version, "db", redactDSN(o.db), "addr", o.addr, "base_url", o.baseURL)
	db, err := openDB(ctx, o, log)
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			db.Close()
		}
	}()
	if !store.IsPostgresDB(db) {
		p, _ := store.CheckSQLitePragmas(ctx, db)
		log.Info("sqlite", "journal_mode", p.JournalMode, "busy_timeout_ms", p.BusyTimeout, "foreign_keys", p.ForeignKeys,
			"synchronous", p.Synchronous, "txlock", "immediate")
	}
	if o.demo {
		if err := loadDemo(ctx, db, log, stdout, o.baseURL); err != nil {
			return err
		}
	}

	svc, err := training.New(db, training.Options{BaseURL: o.baseURL, Log: log})
	if err != nil {
		return err
	}
	var sender *notify.Sender
	mail := app.MailConfig{}
	if mailCfg != nil {
		sender = svc.NewSender(o.baseURL, notify.SenderOptions{SMTP: mailCfg.smtp, From: *mailCfg.from, Log: log})
		mail = app.MailConfig{Server: mailCfg.smtp.String(), From: mailCfg.from.String(), Wake: sender.Wake}
		log.Info("mail: e-mails are sent", "smtp", mailCfg.smtp.String(), "from", mailCfg.from.String())
	} else {
		log.Info("mail: no SMTP server (--smtp-url): e-mails are kept in the outbox (/admin/outbox), not sent")
	}
	web, err := app.New(app.Config{DB: db, Log: log, BaseURL: o.baseURL, Version: version, Demo: o.demo, ProxyHeader: o.proxyHeader,
		Training: svc, Mail: mail})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	drain := app.NewDrainer(web, ln, min(idleGrace, o.shutdownTimeout))

	// The background jobs stop with ctx; the database closes only after they
	// have returned (the scheduler releases its lease on the way out).
	var jobs sync.WaitGroup
	jobs.Add(2)
	go func() { defer jobs.Done(); pruneLoop(ctx, db, log) }()
	go func() { defer jobs.Done(); svc.RunScheduler(ctx, 5*time.Minute) }()
	if sender != nil {
		jobs.Add(1)
		go func() { defer jobs.Done(); sender.Run(ctx) }()
	}

	errc := make(chan error, 1)
	go func() { errc <- drain.Serve() }()
	log.Info("listening", "url", o.baseURL)
	var serveErr error
	select {
	case err := <-errc:
		if err == nil {
			err = errors.New("the listener closed")
		}
		serveErr = fmt.Errorf("serve on %s: %w", o.addr, err)
		stop() // the jobs too
	case <-ctx.Done():
	}
	drain.Drain()
	log.Info("shutting down: finishing in-flight requests", "open_connections", drain.Open(), "deadline", o.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	rep := drain.Shutdown(sctx)
	clean := !rep.Forced
	if rep.Forced {
		log.Warn("shutdown deadline passed: closed the connections still open", "deadline", o.shutdownTimeout.String(),
			"connections", rep.Open, "requests_in_progress", rep.Busy)
		// Requests still in a handler may be writing: give them a moment
		// before the database goes.
		wctx, wcancel := context.WithTimeout(context.Background(), 3*time.Second)
		if n := drain.WaitIdle(wctx); n > 0 {
			log.Warn("closing the database under requests still running", "requests", n)
		}
		wcancel()
	}
	jobsDone := make(chan struct{})
	go func() { jobs.Wait(); close(jobsDone) }()
	select {
	case <-jobsDone:
	case <-time.After(10 * time.Second):
		clean = false
		log.Warn("background jobs did not stop within 10 s; closing the database anyway")
	}
	closed = true
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ccancel()
	if err := store.Close(cctx, db); err != nil {
		return errors.Join(serveErr, fmt.Errorf("close database: %w", err))
	}
	if serveErr != nil {
		return serveErr
	}
	if clean {
		log.Info("stopped cleanly")
	} else {
		log.Warn("stopped, not cleanly: see the warnings above")
	}
	return nil
}

// pgBackupHelp says how to back up and restore a PostgreSQL database.
func pgBackupHelp(dsn string) error {
	return fmt.Errorf(`--db is a PostgreSQL database: back it up with pg_dump and restore it with pg_restore, e.g.
  pg_dump --format=custom --file academy.dump '%[1]s'
  pg_restore --clean --if-exists --no-owner --dbname '%[1]s' academy.dump
(README, "Operating it", has the restore drill)`, redactDSN(dsn))
}

// printTables prints a backup's table counts, three to a line.
func printTables(w io.Writer, tables []store.TableCount) {
	for i, t := range tables {
		if i%3 == 0 && i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, " %-26s %9d", t.Table, t.Rows)
	}
	fmt.Fprintln(w)
}

// backupCmd writes a verified copy of a running SQLite database.
func backupCmd(ctx context.Context, args []string, o *options, stdout io.Writer) error {
	fs := newFlags("backup", o)
	force := fs.Bool("force", false, "replace FILE if it exists")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"backup: give exactly one FILE to write"}
	}
	if store.IsPostgres(o.db) {
		return pgBackupHelp(o.db)
	}
	if _, err := os.Stat(o.db); err != nil {
		return fmt.Errorf("database %s: %w", o.db, err)
	}
	db, err := store.Open(ctx, o.db)
	if err != nil {
		return fmt.Errorf("database %s: %w", o.db, err)
	}
	defer db.Close()
	start := time.Now()
	rep, err := store.BackupSQLite(ctx, db, pos[0], *force)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %.1f MB, %d tables, %d rows, integrity ok, row counts match (%s)\n",
		o.db, rep.Path, float64(rep.Bytes)/(1<<20), len(rep.Tables), rep.Rows(), time.Since(start).Round(time.Millisecond))
	printTables(stdout, rep.Tables)
	return nil
}

// restoreCmd copies a verified backup into a new or stopped SQLite database.
func restoreCmd(ctx context.Context, args []string, o *options, stdout io.Writer) error {
	fs := newFlags("restore", o)
	force := fs.Bool("force", false, "replace the existing database --db (only when no server has it open)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"restore: give exactly one backup FILE to restore"}
	}
	if store.IsPostgres(o.db) {
		return pgBackupHelp(o.db)
	}
	rep, err := store.RestoreSQLite(ctx, pos[0], o.db, *force)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored %s into %s: %.1f MB, %d tables, %d rows, integrity ok, row counts match the backup\n",
		pos[0], rep.Path, float64(rep.Bytes)/(1<<20), len(rep.Tables), rep.Rows())
	printTables(stdout, rep.Tables)
	fmt.Fprintf(stdout, "start the server with --db %s; it applies any newer migrations itself\n", rep.Path)
	return nil
}

// pruneLoop removes expired sessions and old throttle records every few minutes.
func pruneLoop(ctx context.Context, db *bun.DB, log *slog.Logger) {
	s := people.NewStore(db)
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		if n, err := s.PruneAccessData(ctx); err != nil && ctx.Err() == nil {
			log.Warn("prune access data", "err", err)
		} else if n > 0 {
			log.Info("pruned expired sessions and records", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func migrateCmd(ctx context.Context, args []string, o *options, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", o)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	log, err := newLogger(o, stderr)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, o.db)
	if err != nil {
		return fmt.Errorf("database %s: %w", redactDSN(o.db), err)
	}
	defer db.Close()
	applied, err := store.Migrate(ctx, db, log)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	return nil
}

func adminCreate(ctx context.Context, args []string, o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("admin create", o)
	var email, first, last, number, baseURL string
	var pwStdin bool
	fs.StringVar(&email, "email", env("ACADEMY_ADMIN_EMAIL", ""), "the admin's work email")
	fs.StringVar(&first, "first-name", env("ACADEMY_ADMIN_FIRST_NAME", "Admin"), "first name")
	fs.StringVar(&last, "last-name", env("ACADEMY_ADMIN_LAST_NAME", ""), "last name")
	fs.StringVar(&number, "number", env("ACADEMY_ADMIN_NUMBER", ""), "employee number (default ADMIN-<email>)")
	fs.StringVar(&baseURL, "base-url", env("ACADEMY_BASE_URL", "http://localhost:8080"), "public URL, for the password link")
	fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input instead of printing a one-time link")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if email == "" {
		return usageError{"admin create: --email is required"}
	}
	if number == "" {
		number = "ADMIN-" + strings.ToLower(strings.SplitN(email, "@", 2)[0])
	}
	db, _, err := openLogged(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	s := people.NewStore(db)
	res, err := s.SaveEmployee(ctx, people.EmployeeInput{Number: number, FirstName: first, LastName: last, Email: email,
		Active: true, Roles: "admin"})
	if err != nil {
		return fmt.Errorf("%s: %s", store.FieldOf(err), store.MessageOf(err))
	}
	e := res.Employee
	if err := people.Audit(ctx, db, s.Now(), nil, "command line", "admin.create", e.Number, e.Email); err != nil {
		return err
	}
	if pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if err := s.SetPassword(ctx, e.ID, strings.TrimRight(line, "\r\n")); err != nil {
			return errors.New(store.MessageOf(err))
		}
		fmt.Fprintf(stdout, "admin %s (%s) created; sign in with the password given\n", e.Email, e.Number)
		return nil
	}
	token, err := s.CreatePasswordLink(ctx, e.ID, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "admin %s (%s) created\nset the password within 72 hours at:\n  %s/password/%s\n",
		e.Email, e.Number, strings.TrimRight(baseURL, "/"), token)
	return nil
}

func importEmployees(ctx context.Context, args []string, o *options, stdout, stderr io.Writer) error {
	fs := newFlags("import employees", o)
	var dryRun, deactivate bool
	fs.BoolVar(&dryRun, "dry-run", false, "show what would change; write nothing")
	fs.BoolVar(&deactivate, "deactivate-missing", false, "deactivate active employees not in the file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"import employees: give exactly one FILE"}
	}
	fi, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	if fi.Size() > people.MaxImportBytes {
		return fmt.Errorf("%s is %d MB; the limit is %d MB", pos[0], fi.Size()>>20, people.MaxImportBytes>>20)
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	db, log, err := openLogged(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	s := people.NewStore(db)
	opt := people.ImportOptions{DeactivateMissing: deactivate, Admin: true} // the operator may change roles
	var plan *people.ImportPlan
	if dryRun {
		plan, err = s.PlanImport(ctx, data, opt)
	} else {
		plan, err = s.ApplyImport(ctx, data, opt, nil, "command line")
	}
	if err != nil {
		return err
	}
	for _, e := range plan.Errors {
		fmt.Fprintf(stdout, "%s:%d: %s: %s\n", pos[0], e.Line, e.Field, e.Message)
	}
	verb := "applied"
	if dryRun {
		verb = "dry run, nothing written"
	}
	if !plan.OK() {
		fmt.Fprintf(stdout, "%d errors; nothing written\n", len(plan.Errors))
		return fmt.Errorf("%s: %d errors", pos[0], len(plan.Errors))
	}
	fmt.Fprintf(stdout, "%d created, %d updated, %d unchanged, %d deactivated (%s)\n",
		len(plan.Creates), len(plan.Updates), len(plan.Unchanged), len(plan.Deactivates), verb)
	if dryRun {
		return nil
	}
	svc, err := training.New(db, training.Options{Log: log})
	if err != nil {
		return err
	}
	ev, err := svc.EvaluateRules(ctx)
	if err != nil {
		return fmt.Errorf("audience rules: %w", err)
	}
	if ev.Assigned+ev.Closed+ev.Leavers > 0 {
		fmt.Fprintf(stdout, "audience rules: %d assigned, %d closed, %d leavers' assignments closed\n", ev.Assigned, ev.Closed, ev.Leavers)
	}
	return nil
}

// importQuestions imports a GIFT (or Aiken) file into a course's question
// bank. Every error is printed as FILE:LINE:COLUMN: message and then nothing
// is written.
func importQuestions(ctx context.Context, args []string, o *options, stdout, stderr io.Writer) error {
	fs := newFlags("import questions", o)
	var course, format string
	var dryRun bool
	fs.StringVar(&course, "course", "", "slug of the course whose bank gets the questions")
	fs.StringVar(&format, "format", "gift", "gift or aiken")
	fs.BoolVar(&dryRun, "dry-run", false, "show what would change; write nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || course == "" {
		return usageError{"import questions: give --course SLUG and exactly one FILE"}
	}
	if format != "gift" && format != "aiken" {
		return usageError{fmt.Sprintf("import questions: --format is gift or aiken, not %q", format)}
	}
	name := pos[0]
	fi, err := os.Stat(name)
	if err != nil {
		return err
	}
	if fi.Size() > assessments.MaxQuestionFile {
		return fmt.Errorf("%s is %.1f MB; the limit is %d MB", name, float64(fi.Size())/(1<<20), assessments.MaxQuestionFile>>20)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	db, log, err := openLogged(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := training.New(db, training.Options{Log: log})
	if err != nil {
		return err
	}
	if _, err := svc.Courses().AuthoringCourse(ctx, course); err != nil {
		return errors.New(store.MessageOf(err))
	}
	src := string(data)
	var res assessments.ImportResult
	if format == "aiken" {
		qs, perrs := assessments.ParseAiken(src)
		res.Errors = perrs
		src = assessments.ExportGIFT(qs)
	}
	if len(res.Errors) == 0 {
		res, err = svc.Quizzes().ImportGIFT(ctx, course, src, dryRun, nil)
		if err != nil {
			return errors.New(store.MessageOf(err))
		}
	}
	for _, e := range res.Errors {
		if e.Line > 0 {
			fmt.Fprintf(stdout, "%s:%d:%d: %s\n", name, e.Line, e.Column, e.Message)
		} else {
			fmt.Fprintf(stdout, "%s: %s\n", name, e.Message)
		}
	}
	if len(res.Errors) > 0 {
		fmt.Fprintf(stdout, "%d errors; nothing written\n", len(res.Errors))
		return fmt.Errorf("%s: %d errors", name, len(res.Errors))
	}
	verb := "imported into " + course
	if dryRun {
		verb = "dry run, nothing written"
	}
	fmt.Fprintf(stdout, "%d created, %d updated, %d unchanged (%s)\n", res.Created, res.Updated, res.Unchanged, verb)
	for _, t := range assessments.Types {
		fmt.Fprintf(stdout, "  %-18s %d\n", t, res.ByType[string(t)])
	}
	// The cue check: advice, printed after the result; it never fails the import.
	if qs, perrs := assessments.ParseGIFT(src); len(perrs) == 0 {
		for _, w := range assessments.CheckBank(qs) {
			where := "the file"
			if w.QuestionID != "" {
				where = w.QuestionID
			}
			fmt.Fprintf(stdout, "cue warning: %s (%s): %s\n", where, w.Field, w.Message)
		}
	}
	return nil
}

func tokenCreate(ctx context.Context, args []string, o *options, stdout, stderr io.Writer) error {
	fs := newFlags("token create", o)
	var name, roleName, employee string
	fs.StringVar(&name, "name", env("ACADEMY_TOKEN_NAME", ""), "what the token is for")
	fs.StringVar(&roleName, "role", env("ACADEMY_TOKEN_ROLE", ""), "staff, manager, hr or admin")
	fs.StringVar(&employee, "employee", env("ACADEMY_TOKEN_EMPLOYEE", ""), "employee number the token acts as (staff and manager tokens)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if name == "" || roleName == "" {
		return usageError{"token create: --name and --role are required"}
	}
	role, err := people.ParseRole(roleName)
	if err != nil {
		return usageError{store.MessageOf(err)}
	}
	db, _, err := openLogged(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	s := people.NewStore(db)
	secret, t, err := s.CreateToken(ctx, name, role, employee, nil)
	if err != nil {
		return errors.New(store.MessageOf(err))
	}
	if err := people.Audit(ctx, db, s.Now(), nil, "command line", "token.create", t.Name, "role "+string(t.Role)); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "token created; it is shown once, store it now:")
	fmt.Fprintln(stdout, secret)
	return nil
}

func demoCmd(ctx context.Context, args []string, o *options, stdout, stderr io.Writer) error {
	fs := newFlags("demo", o)
	var baseURL, employees, seed string
	fs.StringVar(&baseURL, "base-url", env("ACADEMY_BASE_URL", "http://localhost:8080"), "public URL")
	fs.StringVar(&employees, "employees", env("ACADEMY_DEMO_EMPLOYEES", "0"), "build a large organisation of this many people instead (0: the small demo)")
	fs.StringVar(&seed, "seed", env("ACADEMY_DEMO_SEED", "1"), "the large organisation's random seed")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	n, err := strconv.Atoi(employees)
	if err != nil || n < 0 || (n > 0 && n < demo.MinScaleEmployees) {
		return usageError{fmt.Sprintf("demo: --employees %q: want 0 or at least %d", employees, demo.MinScaleEmployees)}
	}
	sd, err := strconv.ParseInt(seed, 10, 64)
	if err != nil {
		return usageError{fmt.Sprintf("demo: --seed %q: want a whole number", seed)}
	}
	db, log, err := openLogged(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if n > 0 {
		return loadScale(ctx, db, stdout, stderr, baseURL, n, sd)
	}
	return loadDemo(ctx, db, log, stdout, baseURL)
}

// loadScale builds the large organisation into an empty database, with
// progress on stderr, and prints the logins and the lines worth a look.
func loadScale(ctx context.Context, db *bun.DB, stdout, stderr io.Writer, baseURL string, n int, seed int64) error {
	password := env("ACADEMY_DEMO_PASSWORD", "academy-demo")
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	info, err := demo.LoadScale(ctx, db, demo.ScaleConfig{Employees: n, Seed: seed, Password: password, BaseURL: baseURL, Progress: stderr})
	if err != nil {
		return fmt.Errorf("scale demo: %s", store.MessageOf(err))
	}
	fmt.Fprintf(stdout, "\n==============================================================\n")
	fmt.Fprintf(stdout, " DEMO MODE — a large sample organisation and a shared password. Not for real use.\n")
	fmt.Fprintf(stdout, " %d employees (%d active), seed %d, built in %s.\n", info.Employees, info.Active, seed, info.Elapsed.Round(100*time.Millisecond))
	fmt.Fprintf(stdout, " Open %s and sign in as:\n", baseURL)
	for _, l := range info.Logins {
		fmt.Fprintf(stdout, "   %-8s %-40s %s\n", l.Role, l.Email, l.Name)
	}
	src := "ACADEMY_DEMO_PASSWORD"
	if os.Getenv("ACADEMY_DEMO_PASSWORD") == "" {
		src = "default; set ACADEMY_DEMO_PASSWORD to change"
	}
	fmt.Fprintf(stdout, " Password for all of them: %s (%s)\n", password, src)
	fmt.Fprintf(stdout, " Largest lines: %s %s (%d people), %s %s (%d people)\n", info.CEO.Number, info.CEO.Name, info.CEO.Line,
		info.Largest.Number, info.Largest.Name, info.Largest.Line)
	for _, m := range info.AroundFiveHundred {
		fmt.Fprintf(stdout, " About 500 in the line: %s %s (%d people)\n", m.Number, m.Name, m.Line)
	}
	fmt.Fprintf(stdout, " Rows:")
	for i, t := range info.Rows {
		if i%4 == 0 {
			fmt.Fprintf(stdout, "\n  ")
		}
		fmt.Fprintf(stdout, " %-24s %9d", t.Table, t.Rows)
	}
	fmt.Fprintf(stdout, "\n==============================================================\n\n")
	return nil
}

// loadDemo fills an empty database with the demo organisation and prints the
// logins; on a database that has people already it only prints them.
func loadDemo(ctx context.Context, db *bun.DB, log *slog.Logger, stdout io.Writer, baseURL string) error {
	password := env("ACADEMY_DEMO_PASSWORD", "academy-demo")
	logins, loaded, err := demo.Load(ctx, db, password, baseURL)
	if err != nil {
		return fmt.Errorf("demo organisation: %w", err)
	}
	if loaded {
		log.Warn("DEMO MODE: loaded the demo organisation", "employees", logins.Employees)
	} else {
		log.Warn("DEMO MODE: the database already has people; demo data not reloaded")
	}
	fmt.Fprintf(stdout, "\n==============================================================\n")
	fmt.Fprintf(stdout, " DEMO MODE — sample data and a shared password. Not for real use.\n")
	fmt.Fprintf(stdout, " Open %s and sign in as:\n", baseURL)
	for _, l := range logins.Logins {
		fmt.Fprintf(stdout, "   %-8s %s\n", l.Role, l.Email)
	}
	src := "ACADEMY_DEMO_PASSWORD"
	if os.Getenv("ACADEMY_DEMO_PASSWORD") == "" {
		src = "default; set ACADEMY_DEMO_PASSWORD to change"
	}
	fmt.Fprintf(stdout, " Password for all of them: %s (%s)\n", password, src)
	fmt.Fprintf(stdout, "==============================================================\n\n")
	return nil
}
