package sdk

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults that New fills in for zero Config fields.
const (
	DefaultBatchSize      = 500
	DefaultFlushInterval  = time.Second
	DefaultQueueSize      = 10000
	DefaultRequestTimeout = 10 * time.Second
	DefaultMinBackoff     = 100 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	DefaultRetryTimeout   = 5 * time.Minute
)

// MaxBatchSize is the largest BatchSize accepted: the server's default limit
// of records per request.
const MaxBatchSize = 100000

// Config configures a Client. Only Endpoint is required; New fills the zero
// value of every other field with its default.
type Config struct {
	// Endpoint is the base URL of the modelwatch server, such as
	// "http://localhost:8080". Records go to its /api/v1/ paths.
	Endpoint string
	// Token, when set, is sent as "Authorization: Bearer <Token>".
	Token string
	// BatchSize is the most records sent in one request (default 500). A
	// batch is sent as soon as BatchSize predictions are waiting.
	BatchSize int
	// FlushInterval is how long a record may wait for its batch to fill
	// before it is sent anyway (default 1s).
	FlushInterval time.Duration
	// QueueSize bounds each of the three queues — predictions, ground truth
	// and prediction errors — in records (default 10000). The prediction
	// queue is allocated up front, about 250 bytes a record. A record logged
	// while its queue is full is dropped and counted in Stats.
	QueueSize int
	// HTTPClient sends the requests. The default is a client with its own
	// transport, closed by Close.
	HTTPClient *http.Client
	// RequestTimeout bounds each attempt of a request (default 10s).
	RequestTimeout time.Duration
	// Gzip compresses request bodies (Content-Encoding: gzip). It saves
	// bandwidth to a remote server at some CPU cost; off by default.
	Gzip bool
	// MinBackoff is the wait before the first retry (default 100ms). Each
	// further retry waits twice as long, up to MaxBackoff (default 30s); the
	// actual wait is drawn uniformly from the upper half of that interval,
	// and is never shorter than the server's Retry-After.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// RetryTimeout is how long one batch is retried before its records are
	// given up and reported to OnError (default 5m). A negative value
	// retries until Close's context expires.
	RetryTimeout time.Duration
	// OnError receives a *DeliveryError for every group of records that
	// were given up or dropped. It is called from the client's background
	// goroutine and should return quickly. The default logs the error with
	// slog.Default() at level Warn.
	OnError func(error)
	// Now is the clock that fills a prediction's zero Timestamp. The
	// default is the system clock read at half the cost of time.Now: the
	// monotonic time elapsed since a wall-clock reading that the client
	// refreshes every second.
	Now func() time.Time
}

// withDefaults validates c and returns it with its defaults filled in, and
// whether the HTTP client is the client's own.
func (c Config) withDefaults() (Config, bool, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.Endpoint == "" {
		bad("Endpoint is required: the base URL of the modelwatch server, such as http://localhost:8080")
	} else if u, err := url.Parse(c.Endpoint); err != nil {
		bad("Endpoint %q is not a URL: %v", c.Endpoint, err)
	} else if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		bad("Endpoint %q must be an http:// or https:// URL with a host", c.Endpoint)
	} else if u.RawQuery != "" || u.Fragment != "" {
		bad("Endpoint %q must not have a query or fragment", c.Endpoint)
	}
	c.Endpoint = strings.TrimRight(c.Endpoint, "/")
	if strings.ContainsFunc(c.Token, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		bad("Token must be printable ASCII without spaces")
	}

	def := func(name string, v *int, d, hi int) {
		switch {
		case *v == 0:
			*v = d
		case *v < 0 || *v > hi:
			bad("%s is %d; it must be between 1 and %d (0 gives the default %d)", name, *v, hi, d)
		}
	}
	def("BatchSize", &c.BatchSize, DefaultBatchSize, MaxBatchSize)
	def("QueueSize", &c.QueueSize, DefaultQueueSize, 1<<26)

	defDur := func(name string, v *time.Duration, d time.Duration) {
		switch {
		case *v == 0:
			*v = d
		case *v < 0:
			bad("%s is %v; it must be positive (0 gives the default %v)", name, *v, d)
		}
	}
	defDur("FlushInterval", &c.FlushInterval, DefaultFlushInterval)
	defDur("RequestTimeout", &c.RequestTimeout, DefaultRequestTimeout)
	defDur("MinBackoff", &c.MinBackoff, DefaultMinBackoff)
	defDur("MaxBackoff", &c.MaxBackoff, DefaultMaxBackoff)
	if c.MinBackoff > c.MaxBackoff && c.MaxBackoff > 0 {
		bad("MinBackoff (%v) is longer than MaxBackoff (%v)", c.MinBackoff, c.MaxBackoff)
	}
	if c.RetryTimeout == 0 {
		c.RetryTimeout = DefaultRetryTimeout
	}

	if c.OnError == nil {
		c.OnError = func(err error) { slog.Default().Warn("modelwatch sdk: records not delivered", "err", err) }
	}
	own := false
	if c.HTTPClient == nil {
		own = true
		c.HTTPClient = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          4,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}}
	}
	if len(errs) > 0 {
		return c, false, fmt.Errorf("new modelwatch client: %w", errors.Join(errs...))
	}
	return c, own, nil
}
