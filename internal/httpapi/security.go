package httpapi

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/auth"
)

// Authenticator checks a bearer token.
type Authenticator interface {
	Check(token string) (auth.Principal, bool)
}

type principalKey struct{}

// principal returns who sent the request ("anonymous" without auth).
func principal(r *http.Request) auth.Principal {
	if p, ok := r.Context().Value(principalKey{}).(auth.Principal); ok {
		return p
	}
	return auth.Principal{Name: "anonymous"}
}

// authorize wraps h so that it runs only for a token with scope: 401 without
// a known token, 403 with one that lacks the scope, 429 over the rate limit.
func (s *Server) authorize(scope string, h http.HandlerFunc) http.HandlerFunc {
	if scope == "" {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Auth == nil {
			h(w, r)
			return
		}
		token, ok := credentials(r)
		if !ok {
			challenge(w, "")
			s.writeError(w, r, modelwatch.Errorf(modelwatch.EUnauthorized, "this endpoint needs a token: send Authorization: Bearer <token> (or, from a browser, the token as the password)"))
			return
		}
		p, ok := s.opts.Auth.Check(token)
		if !ok {
			challenge(w, `, error="invalid_token"`)
			s.writeError(w, r, modelwatch.Errorf(modelwatch.EUnauthorized, "the token is not valid"))
			return
		}
		if !p.Can(scope) {
			s.writeError(w, r, modelwatch.Errorf(modelwatch.EForbidden, "token %q lacks the %s scope this endpoint needs", p.Name, scope))
			return
		}
		if s.rate != nil {
			if wait := s.rate.take(p.Name); wait > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				s.writeError(w, r, modelwatch.Errorf(modelwatch.ERateLimited, "token %q is over its rate limit of %g requests per second; retry later", p.Name, s.opts.RateLimit))
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// challenge asks for a token: as a bearer token from programs, and with
// HTTP Basic authentication, which makes a browser prompt for it (any user
// name, the token as the password).
func challenge(w http.ResponseWriter, bearerParams string) {
	w.Header().Add("WWW-Authenticate", `Bearer realm="modelwatch"`+bearerParams)
	w.Header().Add("WWW-Authenticate", `Basic realm="modelwatch", charset="UTF-8"`)
}

// credentials returns the token of an Authorization header: a bearer token,
// or the password of HTTP Basic authentication (the user name is ignored).
func credentials(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok {
		return "", false
	}
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		token = strings.TrimSpace(token)
	case strings.EqualFold(scheme, "Basic"):
		if _, token, ok = r.BasicAuth(); !ok {
			return "", false
		}
	default:
		return "", false
	}
	return token, token != ""
}

// limiter is a token bucket per principal.
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time
	mu    sync.Mutex
	b     map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	if burst < 1 {
		burst = max(1, int(2*rate))
	}
	return &limiter{rate: rate, burst: float64(burst), now: now, b: map[string]*bucket{}}
}

// take spends one request of name's bucket; it returns how long to wait
// when the bucket is empty, else 0.
func (l *limiter) take(name string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b[name]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.b[name] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return 0
}

// audit records an administrative change by the request's principal. A
// failure to record is logged; the change itself is already made.
func (s *Server) audit(r *http.Request, action string, k modelwatch.ModelKey, details any) {
	var raw json.RawMessage
	if details != nil {
		b, err := json.Marshal(details)
		if err == nil {
			raw = b
		}
	}
	e := modelwatch.AuditEntry{At: s.opts.Now().UTC(), Actor: principal(r).Name, Action: action, Model: k, Details: raw}
	if err := s.store.AddAudit(r.Context(), e); err != nil {
		s.log.Error("record audit entry", "action", action, "err", err)
	}
}

// handleAudit serves GET /api/v1/audit.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	limit, err := queryFloat(r.URL.Query(), "limit", 100, 1, 10000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, err := s.store.AuditLog(r.Context(), int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if entries == nil {
		entries = []modelwatch.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"audit": entries})
}
