package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/internal/alerting"
	"github.com/modelwatch/modelwatch/internal/auth"
	"github.com/modelwatch/modelwatch/internal/config"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/report"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/postgres"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/ui"
)

type serveCmd struct {
	// linkToListener makes the listening address the default --external-url
	// (the demo, whose links are opened on the same machine).
	linkToListener bool `kong:"-"`

	Addr              string        `help:"Address to listen on." default:":8080"`
	DataDir           string        `help:"Directory for the embedded database and reports." default:"./modelwatch-data" type:"path"`
	DB                string        `name:"db" help:"Database: a SQLite file path or sqlite:PATH (default: modelwatch.db in --data-dir), or a PostgreSQL URL postgres://user:password@host:5432/dbname?sslmode=require for several replicas."`
	DBMaxConns        int32         `name:"db-max-conns" help:"PostgreSQL connection pool size per replica (at least 2; 0: the larger of 4 and the number of CPUs)." default:"0"`
	Retention         retention     `help:"How long predictions stay in the database before they are archived: days (90d) or a duration (2160h)." default:"90d"`
	ArchiveURL        string        `name:"archive-url" help:"Where predictions older than --retention go as Parquet: file:///dir or s3://bucket/prefix?region=…&endpoint=… (default: file://<data-dir>/archive)."`
	ArchiveSchedule   string        `help:"When the archive job runs (cron, UTC), once across replicas; off keeps every prediction in the database." default:"0 4 * * *"`
	LogLevel          string        `help:"Log level: debug, info, warn or error." default:"info" enum:"debug,info,warn,error"`
	LogFormat         string        `help:"Log format: text or json." default:"text" enum:"text,json"`
	MaxBodyBytes      int64         `help:"Largest accepted request body in bytes, after decompression." default:"16777216"`
	MaxBatchRows      int           `help:"Most records accepted in one request." default:"100000"`
	MaxLabelValues    int           `help:"Distinct predicted classes and error types kept as metric labels per model version; the rest are __other__." default:"100"`
	MaxModelVersions  int           `help:"Model versions with Prometheus series of their own; further versions are counted under model_version=__other__ (their data are stored as usual)." default:"1000"`
	WindowSize        int           `help:"Labelled predictions in each model version's sliding window." default:"1000"`
	WindowMinCount    int           `help:"Labelled predictions needed before the window's accuracy, precision, recall and F1 are published." default:"100"`
	SyncInterval      time.Duration `help:"How often windows pick up labels written by other replicas." default:"5s"`
	SQLiteSynchronous string        `name:"sqlite-synchronous" help:"SQLite synchronous mode: FULL (every acknowledged write is on disk) or NORMAL (faster; a power cut may lose the last writes)." default:"FULL" enum:"FULL,NORMAL"`
	ShutdownTimeout   time.Duration `help:"How long to let in-flight requests finish on SIGTERM." default:"30s"`
	AlertmanagerURL   []string      `name:"alertmanager-url" help:"Alertmanager to post drift alerts to (repeat or comma-separate for several), e.g. http://alertmanager:9093." sep:","`
	ExternalURL       string        `help:"modelwatch's URL as users reach it, for links to drift reports in alerts, e.g. https://modelwatch.example.com."`
	CheckInterval     time.Duration `help:"How often due drift checks are looked for." default:"30s"`
	MaxReferenceBytes int64         `help:"Largest accepted reference dataset upload in bytes." default:"268435456"`
	MaxFeatures       int           `help:"Most features in one prediction." default:"1000"`
	MaxFeatureSize    int           `help:"Largest feature name or value in bytes." default:"4096"`

	RollupMinuteRetention retention `name:"rollup-minute-retention" help:"How long per-minute rollups (statistics, charts) are kept; older periods are read from hourly rollups. Pruned on --archive-schedule (daily at 04:00 UTC when off)." default:"14d"`
	RollupHourRetention   retention `name:"rollup-hour-retention" help:"How long hourly rollups are kept, at least --rollup-minute-retention; older periods are read from daily rollups, kept forever." default:"400d"`

	AuthFile       string  `help:"Token file: one 'name sha256:<hex> scopes' line per token (see modelwatch token create); reloaded on SIGHUP. Default: <data-dir>/tokens, created with an admin token on first start." type:"path"`
	Token          string  `help:"An admin token to accept, from the environment (MODELWATCH_TOKEN), besides the token file."`
	InsecureNoAuth bool    `help:"Serve every endpoint without a token. Only for a trusted machine."`
	MetricsPublic  bool    `help:"Serve /metrics without a token (for Prometheus without a bearer token)."`
	RateLimit      float64 `help:"Requests per second each token may make (0: unlimited)." default:"100"`
	RateBurst      int     `help:"Requests a token may make at once above the rate limit." default:"200"`
	TLSCert        string  `name:"tls-cert" help:"TLS certificate file (PEM); serves HTTPS and HTTP/2. Reloaded on SIGHUP." type:"path"`
	TLSKey         string  `name:"tls-key" help:"TLS private key file (PEM)." type:"path"`

	Config config.Flag `help:"YAML file of flag values, keys named like the flags (data-dir: /var/lib/modelwatch); flags and MODELWATCH_* variables win over it." placeholder:"FILE"`
}

func (c *serveCmd) Run(e *env) error { return c.run(e, nil) }

// serveRuntime is what a running server offers to code started with it
// (the demo's simulated model service).
type serveRuntime struct {
	url     string // base URL of the API
	monitor *monitor.Monitor
	log     *slog.Logger
}

// run runs the server until e.ctx ends. When started is set, it is called in
// its own goroutine once the server listens, with a context that ends when
// the server begins to shut down.
func (c *serveCmd) run(e *env, started func(ctx context.Context, rt serveRuntime)) error {
	log := newLogger(e, c.LogLevel, c.LogFormat)
	ctx := e.ctx

	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	tokens, err := c.loadTokens(e, log)
	if err != nil {
		return err
	}
	var cert *certificate
	if c.TLSCert != "" {
		if cert, err = newCertificate(c.TLSCert, c.TLSKey); err != nil {
			return err
		}
	}

	st, closeStore, err := c.openStore(ctx, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := closeStore(); err != nil {
			log.Error("close database", "err", err)
		} else {
			log.Info("database closed")
		}
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := metrics.New(reg, metrics.Options{MaxLabelValues: c.MaxLabelValues, MaxModelVersions: c.MaxModelVersions, Logger: log, Version: buildVersion()})
	if err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	dm, err := metrics.NewDriftMetrics(reg)
	if err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	// Listen early: the demo's alerts link to the address it listens on.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	defer ln.Close() // on an early return; Shutdown closes it otherwise
	scheme := "http"
	if cert != nil {
		scheme = "https"
	}
	if c.ExternalURL == "" && c.linkToListener {
		c.ExternalURL = scheme + "://" + displayAddr(ln.Addr())
	}
	notifier, err := alerting.New(alerting.Options{URLs: c.AlertmanagerURL, Logger: log})
	if err != nil {
		return err
	}
	mon := monitor.New(st, dm, monitor.Options{
		Logger: log, Interval: c.CheckInterval, Alerter: notifier, Locker: jobLocker(st),
		Render: renderReport, ExternalURL: strings.TrimRight(c.ExternalURL, "/"),
	})
	windows := monitor.NewWindows(st, monitor.WindowsOptions{Size: c.WindowSize, SyncInterval: c.SyncInterval, Logger: log, OnEvent: mon.OnLabel})
	start := time.Now()
	if err := windows.Rebuild(ctx); err != nil {
		return err
	}
	if err := mon.Restore(ctx); err != nil {
		return fmt.Errorf("restore drift state: %w", err)
	}
	log.Info("sliding windows and drift state loaded", "duration", time.Since(start).Round(time.Millisecond))
	reg.MustRegister(metrics.NewWindowCollector(windows, c.WindowMinCount))
	for _, ws := range windows.WindowStats() {
		m.TrackModel(ws.Key)
	}
	if notifier.Enabled() {
		log.Info("drift alerts go to Alertmanager", "urls", c.AlertmanagerURL)
	}

	var authenticator httpapi.Authenticator
	if tokens != nil {
		authenticator = tokens
	}
	web, err := ui.New(st, windows, ui.Options{Alerts: notifier, WindowMinCount: c.WindowMinCount, Logger: log})
	if err != nil {
		return err
	}
	api := httpapi.New(st, windows, m, httpapi.Options{
		UI:                web,
		Auth:              authenticator,
		MetricsPublic:     c.MetricsPublic,
		RateLimit:         c.RateLimit,
		RateBurst:         c.RateBurst,
		MaxFeatures:       c.MaxFeatures,
		MaxFeatureSize:    c.MaxFeatureSize,
		Checks:            mon,
		MaxReferenceBytes: c.MaxReferenceBytes,
		MaxBodyBytes:      c.MaxBodyBytes,
		MaxBatchRows:      c.MaxBatchRows,
		WindowMinCount:    c.WindowMinCount,
		Logger:            log,
		Metrics:           promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}),
	})
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	runArchive, closeArchive, err := c.startArchive(ctx, st, log)
	if err != nil {
		return err
	}
	defer closeArchive()

	if cert != nil {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cert.get}
	}
	log.Info("listening", "addr", ln.Addr().String(), "url", scheme+"://"+displayAddr(ln.Addr()))

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { windows.Run(bg) })
	wg.Go(func() { mon.Run(bg) })
	wg.Go(func() { runArchive(bg) })
	wg.Go(func() { notifier.Run(bg) })

	serveErr := make(chan error, 1)
	go func() {
		if cert != nil {
			serveErr <- srv.ServeTLS(ln, "", "")
			return
		}
		serveErr <- srv.Serve(ln)
	}()
	wg.Go(func() { reloadOnHUP(bg, log, tokens, cert) })
	// Code started with the server stops first, while the server still
	// answers (the demo's model service flushes what it queued).
	sctx, stopStarted := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStarted()
	var startedWG sync.WaitGroup
	if started != nil {
		rt := serveRuntime{url: scheme + "://" + displayAddr(ln.Addr()), monitor: mon, log: log}
		startedWG.Go(func() { started(sctx, rt) })
	}

	select {
	case err := <-serveErr:
		stopStarted()
		startedWG.Wait()
		stopBG()
		wg.Wait()
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	stopStarted()
	startedWG.Wait()
	log.Info("shutting down: draining in-flight requests", "timeout", c.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ShutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(shutdownCtx)
	stopBG()
	wg.Wait()
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	if shutdownErr != nil {
		return fmt.Errorf("drain requests: %w", shutdownErr)
	}
	log.Info("stopped")
	return nil
}

// storeCloser closes a store.
type storeCloser func() error

// openStore opens the database named by --db, choosing the implementation by
// its scheme.
func (c *serveCmd) openStore(ctx context.Context, log *slog.Logger) (store.Store, storeCloser, error) {
	dsn := c.DB
	if dsn == "" {
		dsn = filepath.Join(c.DataDir, "modelwatch.db")
	}
	scheme, rest := "", dsn
	if u, err := url.Parse(dsn); err == nil && len(u.Scheme) > 1 {
		scheme = u.Scheme
		rest = strings.TrimPrefix(strings.TrimPrefix(dsn, u.Scheme+":"), "//")
	}
	switch scheme {
	case "", "sqlite", "file":
		path := rest
		if scheme == "" {
			path = dsn
		}
		db, err := sqlite.Open(ctx, path, sqlite.Options{Synchronous: c.SQLiteSynchronous})
		if err != nil {
			return nil, nil, err
		}
		log.Info("database opened", "driver", "sqlite", "path", db.Path(), "synchronous", c.SQLiteSynchronous)
		return db, db.Close, nil
	case "postgres", "postgresql":
		db, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: c.DBMaxConns, Logger: log})
		if err != nil {
			return nil, nil, err
		}
		log.Info("database opened", "driver", "postgres", "url", redact(dsn))
		return db, db.Close, nil
	}
	return nil, nil, fmt.Errorf("--db %q: unsupported database scheme %q (use a SQLite file path, sqlite:PATH or postgres://…)", redact(dsn), scheme)
}

// redact hides a password in a database URL.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}

// displayAddr turns a listener address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func newLogger(e *env, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// renderReport renders a data-drift run's HTML report.
func renderReport(info monitor.ReportInfo, rep drift.Report) ([]byte, error) {
	var buf bytes.Buffer
	run := info.Run
	err := report.WriteHTML(&buf, rep, report.Meta{
		Title:         fmt.Sprintf("Data drift: %s %s", run.Model.Name, run.Model.Version),
		Reference:     info.ReferenceName,
		Current:       fmt.Sprintf("predictions of %s – %s", run.Window.From.Format(time.RFC3339), run.Window.To.Format(time.RFC3339)),
		ReferenceRows: info.ReferenceRows,
		CurrentRows:   run.Rows,
		Generated:     run.FinishedAt,
	})
	return buf.Bytes(), err
}

// reloadOnHUP reloads the token file and the TLS certificate on SIGHUP until
// ctx ends. A reload that fails keeps what was loaded.
func reloadOnHUP(ctx context.Context, log *slog.Logger, tokens *auth.Tokens, cert *certificate) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		if tokens != nil {
			if err := tokens.Reload(); err != nil {
				log.Error("reload token file: keeping the tokens in use", "err", err)
			} else {
				log.Info("token file reloaded", "tokens", tokens.Len())
			}
		}
		if cert != nil {
			if err := cert.reload(); err != nil {
				log.Error("reload TLS certificate: keeping the one in use", "err", err)
			} else {
				log.Info("TLS certificate reloaded")
			}
		}
	}
}
