package httpapi_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// operation is one method of one path of the OpenAPI document, with the
// scope it declares ("" for public ones).
type operation struct{ method, path, scope string }

// operations reads the server's OpenAPI document, which
// TestOpenAPIMatchesRoutes keeps equal to the route table (paths, methods
// and scopes), and returns every operation with its path parameters
// filled in.
func operations(t *testing.T, s *stack) []operation {
	t.Helper()
	var spec struct {
		Paths map[string]map[string]struct {
			Scope string `json:"x-scope"`
		} `json:"paths"`
	}
	r := s.get("/api/openapi.json")
	if r.status != 200 {
		t.Fatalf("GET /api/openapi.json = %d", r.status)
	}
	r.decode(t, &spec)
	fill := strings.NewReplacer("{name}", "m", "{version}", "1", "{id}", "1")
	var ops []operation
	for path, methods := range spec.Paths {
		for method, op := range methods {
			ops = append(ops, operation{strings.ToUpper(method), fill.Replace(path), op.Scope})
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.path+" "+a.method, b.path+" "+b.method) })
	return ops
}

// TestEveryRouteScope checks every operation of the API, as the OpenAPI
// document lists them: without a token 401, with a token lacking the
// scope 403, with the scope (or admin) not refused; public ones answer
// without a token.
func TestEveryRouteScope(t *testing.T) {
	ts, tok := tokens(t)
	s := newStack(t, httpapi.Options{Auth: ts})
	ops := operations(t, s)
	perScope := map[string]int{}
	for _, op := range ops {
		perScope[op.scope]++
	}
	if len(ops) < 20 || perScope["ingest"] == 0 || perScope["read"] == 0 || perScope["admin"] == 0 || perScope[""] == 0 {
		t.Fatalf("the OpenAPI document lists %d operations (%v by scope); it should list them all", len(ops), perScope)
	}
	for _, op := range ops {
		if op.scope == "" {
			if r := s.do(op.method, op.path, "application/json", []byte("{}")); r.status == 401 || r.status == 403 || r.status >= 500 {
				t.Errorf("public %s %s without a token = %d, want it served", op.method, op.path, r.status)
			}
			continue
		}
		r := s.do(op.method, op.path, "application/json", []byte("{}"))
		if r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s without a token = %d, want 401 with WWW-Authenticate", op.method, op.path, r.status)
		}
		r = s.do(op.method, op.path, "application/json", []byte("{}"), "Authorization", "Bearer not-a-token")
		if r.status != 401 {
			t.Errorf("%s %s with an unknown token = %d, want 401", op.method, op.path, r.status)
		}
		for _, scope := range auth.Scopes {
			r = s.do(op.method, op.path, "application/json", []byte("{}"), "Authorization", "Bearer "+tok[scope])
			allowed := scope == op.scope || scope == "admin"
			if allowed && (r.status == 401 || r.status == 403) {
				t.Errorf("%s %s with a %s token = %d %s, want it allowed", op.method, op.path, scope, r.status, r.body)
			}
			if !allowed && r.status != 403 {
				t.Errorf("%s %s with a %s token = %d, want 403", op.method, op.path, scope, r.status)
			}
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

// TestFeaturesNotUTF8: a feature name or value that is not UTF-8 (JSON's
// syntax allows the bytes, PostgreSQL refuses them) is an invalid row
// naming the feature, through the fast decoder and encoding/json alike, and
// nothing of its batch is stored.
func TestFeaturesNotUTF8(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	for _, c := range []struct{ features, field string }{
		{"{\"a\":\"b\xff\"}", "features.a"},
		{"{\"x\": 1, \"a\" : \"\xc3\"}", "features.a"},     // spaced: another path
		{"{\"\\u0061\":\"\xe2\x82\"}", "features.a"},       // an escaped name
		{"{\"\xc3b\":1}", "features.\uFFFDb"},              // the name itself
		{"{\"a\":\"\xff\",\"b\":1,\"b\":2}", "features.a"}, // with a repeated key (encoding/json)
	} {
		body := `{"id":"ok-row","model_name":"m","model_version":"1","prediction":1,"features":{"a":"é"}}` + "\n" +
			`{"id":"bad-row","model_name":"m","model_version":"1","prediction":1,"features":` + c.features + "}\n"
		r := s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(body))
		var e errorResponse
		if r.status != 400 || json.Unmarshal(r.body, &e) != nil || len(e.Error.Details) != 1 ||
			e.Error.Details[0].Index != 1 || e.Error.Details[0].Field != c.field || e.Error.Details[0].Message != "must be valid UTF-8 text" {
			t.Errorf("features %q: %d %s, want 400 naming row 1 and %s", c.features, r.status, r.body, c.field)
		}
	}
	if r := s.post("/api/v1/predictions", `{"id":"ok-row","model_name":"m","model_version":"1","prediction":1,"features":{"a":"é"}}`); r.status != 200 || !strings.Contains(string(r.body), `"accepted":1`) {
		t.Errorf("the valid row after the refused batches: %d %s, want it accepted (not a duplicate)", r.status, r.body)
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
