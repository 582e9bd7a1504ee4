package ui

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch/internal/auth"
	"github.com/modelwatch/modelwatch/internal/httpapi"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
)

// tokens is a fixed token table.
type tokens map[string]auth.Principal

func (tk tokens) Check(token string) (auth.Principal, bool) {
	p, ok := tk[token]
	return p, ok
}

// TestMountedBehindAuth serves the UI through the API server, as modelwatch
// serve does: the pages need a token with the read scope, as a bearer token
// or as the password a browser prompts for (HTTP Basic), the stylesheet
// does not, and the UI does not shadow the API's routes or its JSON 404.
func TestMountedBehindAuth(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "mw.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.IngestPredictions(t.Context(), traffic(fraud, 50, time.Hour, 1, 2, 5, 1)); err != nil {
		t.Fatal(err)
	}
	windows := monitor.NewWindows(db, monitor.WindowsOptions{})
	if err := windows.Rebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	u, err := New(db, windows, Options{Now: func() time.Time { return fakeNow }})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := metrics.New(prometheus.NewRegistry(), metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(db, windows, rec, httpapi.Options{UI: u, Auth: tokens{
		"r": {Name: "viewer", Scopes: []string{auth.ScopeRead}},
		"i": {Name: "service", Scopes: []string{auth.ScopeIngest}},
	}})
	for _, c := range []struct {
		method, path, token string
		status              int
		contains            string
	}{
		{"GET", "/", "", http.StatusUnauthorized, `"code":"unauthorized"`},
		{"GET", "/", "i", http.StatusForbidden, "read scope"},
		{"GET", "/", "r", http.StatusOK, `href="/ui/models/fraud/versions/v3"`},
		{"HEAD", "/", "r", http.StatusOK, ""},
		{"GET", "/ui/models/fraud/versions/v3?range=1h", "", http.StatusUnauthorized, ""},
		{"GET", "/ui/models/fraud/versions/v3?range=1h", "r", http.StatusOK, "<h1>fraud"},
		{"GET", "/ui/assets/ui.css", "", http.StatusOK, "svg.chart"},
		{"GET", "/", "basic:r", http.StatusOK, `href="/ui/models/fraud/versions/v3"`},
		{"GET", "/ui/models/fraud/versions/v3?range=1h", "basic:r", http.StatusOK, "<h1>fraud"},
		{"GET", "/", "basic:i", http.StatusForbidden, "read scope"},
		{"GET", "/", "basic:wrong", http.StatusUnauthorized, "not valid"},
		{"GET", "/", "basic:", http.StatusUnauthorized, "needs a token"},
		{"GET", "/api/v1/models", "r", http.StatusOK, `"model_versions"`},
		{"GET", "/nothing", "r", http.StatusNotFound, `"code":"not_found"`},
		{"POST", "/", "r", http.StatusNotFound, `"code":"not_found"`},
	} {
		req := httptest.NewRequest(c.method, c.path, nil)
		if pw, ok := strings.CutPrefix(c.token, "basic:"); ok {
			req.SetBasicAuth("anyone", pw)
		} else if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.contains) {
			t.Errorf("%s %s (token %q) = %d, want %d with %q: %.200s", c.method, c.path, c.token, w.Code, c.status, c.contains, w.Body.String())
		}
		// A browser prompts for the token only when offered Basic.
		if got := w.Header().Values("WWW-Authenticate"); c.status == http.StatusUnauthorized &&
			(len(got) != 2 || !strings.HasPrefix(got[0], "Bearer ") || !strings.HasPrefix(got[1], `Basic realm="modelwatch"`)) {
			t.Errorf("%s %s (token %q): WWW-Authenticate %q, want a Bearer and a Basic challenge", c.method, c.path, c.token, got)
		}
	}
}
