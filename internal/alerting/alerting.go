package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Alert is one alert as Alertmanager's API v2 takes it.
type Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Options configure a Notifier. Zero values give the defaults.
type Options struct {
	// URLs are the Alertmanagers' base URLs (http://host:9093); every alert
	// goes to each of them.
	URLs []string
	// ResendInterval is how often firing alerts are sent again (default
	// 1m). EndsAt is set to 4 intervals ahead.
	ResendInterval time.Duration
	// ResolvedRetention is how long a resolution keeps being re-sent
	// (default 15m).
	ResolvedRetention time.Duration
	HTTPClient        *http.Client
	Now               func() time.Time
	Logger            *slog.Logger
	// MaxRetries is how often a failed post is retried before the next
	// resend tick takes over (default 3).
	MaxRetries int
}

// Notifier keeps modelwatch's alerts and delivers them to Alertmanager.
type Notifier struct {
	opts    Options
	targets []*target

	mu     sync.Mutex
	active map[string]*entry // by label fingerprint
}

// target is one Alertmanager. Each has its own delivery loop, so one that
// is down or slow delays only itself.
type target struct {
	url  string        // of the alerts endpoint
	kick chan struct{} // capacity 1: deliver now
}

type entry struct {
	alert      Alert
	resolvedAt time.Time // zero while firing
}

// New returns a Notifier. With no URLs it keeps alerts but sends nothing.
func New(opts Options) (*Notifier, error) {
	if opts.ResendInterval <= 0 {
		opts.ResendInterval = time.Minute
	}
	if opts.ResolvedRetention <= 0 {
		opts.ResolvedRetention = 15 * time.Minute
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 3
	}
	n := &Notifier{opts: opts, active: map[string]*entry{}}
	for _, raw := range opts.URLs {
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("alertmanager URL %q: want http(s)://host:port", raw)
		}
		n.targets = append(n.targets, &target{url: u.String() + "/api/v2/alerts", kick: make(chan struct{}, 1)})
	}
	return n, nil
}

// Enabled reports whether alerts are sent anywhere.
func (n *Notifier) Enabled() bool { return len(n.targets) > 0 }

func fingerprint(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(labels[k])
		b.WriteByte(0)
	}
	return b.String()
}

// Fire records that an alert with these labels is firing, with fresh
// annotations, and sends it soon. The first Fire sets its start time.
func (n *Notifier) Fire(labels, annotations map[string]string, generatorURL string) {
	now := n.opts.Now()
	fp := fingerprint(labels)
	n.mu.Lock()
	e := n.active[fp]
	if e == nil || !e.resolvedAt.IsZero() {
		e = &entry{alert: Alert{Labels: labels, StartsAt: now}}
		n.active[fp] = e
	}
	e.alert.Annotations = annotations
	e.alert.GeneratorURL = generatorURL
	n.mu.Unlock()
	n.wake()
}

// Resolve records that the alert with these labels stopped firing. It does
// nothing when the alert is not firing.
func (n *Notifier) Resolve(labels map[string]string) {
	fp := fingerprint(labels)
	n.mu.Lock()
	e := n.active[fp]
	if e == nil || !e.resolvedAt.IsZero() {
		n.mu.Unlock()
		return
	}
	e.resolvedAt = n.opts.Now()
	n.mu.Unlock()
	n.wake()
}

// Firing returns the alerts currently firing.
func (n *Notifier) Firing() []Alert {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Alert
	for _, e := range n.active {
		if e.resolvedAt.IsZero() {
			out = append(out, e.alert)
		}
	}
	return out
}

// wake asks every delivery loop to deliver now, without waiting.
func (n *Notifier) wake() {
	for _, t := range n.targets {
		select {
		case t.kick <- struct{}{}:
		default:
		}
	}
}

// pending returns the alerts to send now, with their endsAt set, and drops
// resolutions older than the retention.
func (n *Notifier) pending() []Alert {
	now := n.opts.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Alert, 0, len(n.active))
	for fp, e := range n.active {
		a := e.alert
		if e.resolvedAt.IsZero() {
			a.EndsAt = now.Add(4 * n.opts.ResendInterval)
		} else {
			if now.Sub(e.resolvedAt) > n.opts.ResolvedRetention {
				delete(n.active, fp)
				continue
			}
			a.EndsAt = e.resolvedAt
		}
		out = append(out, a)
	}
	return out
}

// Run delivers alerts until ctx ends: to each Alertmanager at once after
// Fire or Resolve, and every ResendInterval. Each Alertmanager has its own
// delivery loop, so one that is unreachable, slow or failing (and retried)
// holds up neither the others nor the callers of Fire and Resolve.
func (n *Notifier) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, t := range n.targets {
		wg.Go(func() { n.deliver(ctx, t) })
	}
	wg.Wait()
}

// deliver is the delivery loop of one Alertmanager.
func (n *Notifier) deliver(ctx context.Context, t *target) {
	tick := time.NewTicker(n.opts.ResendInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// A last delivery so resolutions made while stopping get out.
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			n.sendTo(sctx, t)
			cancel()
			return
		case <-tick.C:
		case <-t.kick:
		}
		n.sendTo(ctx, t)
	}
}

// Send posts the current alerts to every Alertmanager once (with retries),
// in parallel, and returns when all are done.
func (n *Notifier) Send(ctx context.Context) {
	var wg sync.WaitGroup
	for _, t := range n.targets {
		wg.Go(func() { n.sendTo(ctx, t) })
	}
	wg.Wait()
}

// sendTo posts the current alerts to one Alertmanager (with retries).
func (n *Notifier) sendTo(ctx context.Context, t *target) {
	alerts := n.pending()
	if len(alerts) == 0 {
		return
	}
	body, err := json.Marshal(alerts)
	if err != nil {
		n.opts.Logger.Error("encode alerts", "err", err)
		return
	}
	if err := n.post(ctx, t.url, body); err != nil {
		n.opts.Logger.Warn("send alerts to Alertmanager", "url", t.url, "alerts", len(alerts), "err", err)
	}
}

var errClient = errors.New("rejected by Alertmanager")

// post sends body to one Alertmanager, retrying network errors and 5xx with
// exponential backoff and jitter.
func (n *Notifier) post(ctx context.Context, u string, body []byte) error {
	backoff := 200 * time.Millisecond
	var err error
	for attempt := 0; attempt <= n.opts.MaxRetries; attempt++ {
		if attempt > 0 {
			d := backoff + time.Duration(rand.Int64N(int64(backoff)))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
			}
			backoff *= 2
		}
		err = n.postOnce(ctx, u, body)
		if err == nil || errors.Is(err, errClient) {
			return err
		}
	}
	return err
}

func (n *Notifier) postOnce(ctx context.Context, u string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	switch {
	case resp.StatusCode/100 == 2:
		return nil
	case resp.StatusCode/100 == 4:
		return fmt.Errorf("%w: %s: %s", errClient, resp.Status, bytes.TrimSpace(msg))
	}
	return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
}
