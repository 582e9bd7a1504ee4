package httpapi_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/auth"
	"github.com/modelwatch/modelwatch/internal/httpapi"
)

// tokens writes a token file with one token per scope and returns the
// tokens by scope.
func tokens(t *testing.T) (*auth.Tokens, map[string]string) {
	t.Helper()
	byScope := map[string]string{}
	var lines []string
	for _, scope := range auth.Scopes {
		tok, line, err := auth.NewToken("t-"+scope, []string{scope})
		if err != nil {
			t.Fatal(err)
		}
		byScope[scope] = tok
		lines = append(lines, line)
	}
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, err := auth.New(path, "")
	if err != nil {
		t.Fatal(err)
	}
	return ts, byScope
}

// TestEveryRouteScope checks every route: without a token 401, with a token
// lacking the scope 403, with the scope (or admin) not refused.
func TestEveryRouteScope(t *testing.T) {
	ts, tok := tokens(t)
	s := newStack(t, httpapi.Options{Auth: ts})
	const mv = "/api/v1/models/m/versions/1"
	routes := []struct{ method, path, scope string }{
		{"POST", "/api/v1/predictions", "ingest"},
		{"POST", "/api/v1/ground-truth", "ingest"},
		{"POST", "/api/v1/errors", "ingest"},
		{"GET", "/api/v1/models", "read"},
		{"GET", "/api/ml/predictions/stats", "read"},
		{"GET", "/api/ml/predictions/low-confidence", "read"},
		{"GET", mv, "read"},
		{"GET", mv + "/settings", "read"},
		{"PUT", mv + "/settings", "admin"},
		{"GET", mv + "/reference", "read"},
		{"PUT", mv + "/reference", "admin"},
		{"GET", mv + "/drift-runs", "read"},
		{"POST", mv + "/drift-runs", "admin"},
		{"GET", mv + "/drift-runs/1", "read"},
		{"GET", mv + "/drift-runs/1/report", "read"},
		{"GET", mv + "/concept-events", "read"},
		{"GET", mv + "/estimates", "read"},
		{"GET", "/api/v1/audit", "admin"},
		{"GET", "/metrics", "read"},
	}
	for _, rt := range routes {
		r := s.do(rt.method, rt.path, "application/json", []byte("{}"))
		if r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s without a token = %d, want 401 with WWW-Authenticate", rt.method, rt.path, r.status)
		}
		r = s.do(rt.method, rt.path, "application/json", []byte("{}"), "Authorization", "Bearer not-a-token")
		if r.status != 401 {
			t.Errorf("%s %s with an unknown token = %d, want 401", rt.method, rt.path, r.status)
		}
		for _, scope := range auth.Scopes {
			r = s.do(rt.method, rt.path, "application/json", []byte("{}"), "Authorization", "Bearer "+tok[scope])
			allowed := scope == rt.scope || scope == "admin"
			if allowed && (r.status == 401 || r.status == 403) {
				t.Errorf("%s %s with a %s token = %d %s, want it allowed", rt.method, rt.path, scope, r.status, r.body)
			}
			if !allowed && r.status != 403 {
				t.Errorf("%s %s with a %s token = %d, want 403", rt.method, rt.path, scope, r.status)
			}
		}
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := s.get(p); r.status != 200 {
			t.Errorf("GET %s without a token = %d, want 200 (public)", p, r.status)
		}
	}
}

func TestMetricsPublic(t *testing.T) {
	ts, _ := tokens(t)
	s := newStack(t, httpapi.Options{Auth: ts, MetricsPublic: true})
	if r := s.get("/metrics"); r.status != 200 {
		t.Errorf("GET /metrics with --metrics-public = %d", r.status)
	}
	if r := s.get("/api/ml/predictions/stats"); r.status != 401 {
		t.Errorf("stats without a token = %d, want 401", r.status)
	}
}

func TestRateLimit(t *testing.T) {
	ts, tok := tokens(t)
	s := newStack(t, httpapi.Options{Auth: ts, RateLimit: 2, RateBurst: 3})
	codes := []int{}
	for range 5 {
		r := s.do("GET", "/api/ml/predictions/stats", "", nil, "Authorization", "Bearer "+tok["read"])
		codes = append(codes, r.status)
		if r.status == 429 && r.header.Get("Retry-After") != "1" {
			t.Errorf("429 without Retry-After: 1 (%q)", r.header.Get("Retry-After"))
		}
	}
	if fmt.Sprint(codes) != "[200 200 200 429 429]" {
		t.Errorf("statuses over a burst of 3 = %v", codes)
	}
	// Another token has its own budget; time refills it.
	if r := s.do("GET", "/api/ml/predictions/stats", "", nil, "Authorization", "Bearer "+tok["admin"]); r.status != 200 {
		t.Errorf("another token was limited: %d", r.status)
	}
	s.clock.Advance(time.Second)
	if r := s.do("GET", "/api/ml/predictions/stats", "", nil, "Authorization", "Bearer "+tok["read"]); r.status != 200 {
		t.Errorf("after a second the token is still limited: %d", r.status)
	}
}

func TestAuditLog(t *testing.T) {
	ts, tok := tokens(t)
	s := newStack(t, httpapi.Options{Auth: ts})
	admin := []string{"Authorization", "Bearer " + tok["admin"]}
	if r := s.do("PUT", "/api/v1/models/m/versions/1/settings", "application/json", []byte(`{"baseline_accuracy":0.8}`), admin...); r.status != 200 {
		t.Fatalf("settings: %d %s", r.status, r.body)
	}
	if r := s.do("PUT", "/api/v1/models/m/versions/1/reference?filename=r.csv", "text/csv", []byte("a\n1\n2\n"), admin...); r.status != 200 {
		t.Fatalf("reference: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/api/v1/models/m/versions/1/drift-runs", "application/json", []byte(`{"kind":"concept"}`), admin...); r.status != 201 {
		t.Fatalf("run: %d %s", r.status, r.body)
	}
	var log struct {
		Audit []struct {
			Actor, Action string
			Details       map[string]any
		} `json:"audit"`
	}
	s.do("GET", "/api/v1/audit", "", nil, admin...).decode(t, &log)
	var got []string
	for _, e := range log.Audit {
		got = append(got, e.Actor+":"+e.Action)
	}
	if fmt.Sprint(got) != "[t-admin:drift_run.create t-admin:reference.upload t-admin:settings.update]" {
		t.Errorf("audit log = %v", got)
	}
	if log.Audit[1].Details["filename"] != "r.csv" || log.Audit[2].Details["baseline_accuracy"] != 0.8 {
		t.Errorf("audit details = %+v", log.Audit)
	}
}

func TestFeatureLimits(t *testing.T) {
	s := newStack(t, httpapi.Options{MaxFeatures: 3, MaxFeatureSize: 10})
	cases := []struct{ features, want string }{
		{`{"a":1,"b":2,"c":3,"d":4}`, "has 4 features, more than the limit of 3"},
		{`{"a":"0123456789abc"}`, `longer than 10 bytes`},
		{`{"a_very_long_name":1}`, `longer than 10 bytes`},
	}
	for _, c := range cases {
		r := s.post("/api/v1/predictions", `{"model_name":"m","model_version":"1","prediction":1,"features":`+c.features+`}`)
		if r.status != 400 || !strings.Contains(string(r.body), c.want) {
			t.Errorf("features %s: %d %s, want 400 mentioning %q", c.features, r.status, r.body, c.want)
		}
	}
	if r := s.post("/api/v1/predictions", `{"model_name":"m","model_version":"1","prediction":1,"features":{"a":1,"b":"short"}}`); r.status != 200 {
		t.Errorf("features within the limits: %d %s", r.status, r.body)
	}
}
