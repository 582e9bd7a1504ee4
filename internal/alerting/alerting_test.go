package alerting

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

type recorder struct {
	mu     sync.Mutex
	posts  [][]Alert
	status []int // statuses to answer with, in order; then 200
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.URL.Path != "/api/v2/alerts" || req.Method != http.MethodPost {
		http.Error(w, "wrong endpoint", http.StatusNotFound)
		return
	}
	if len(r.status) > 0 {
		code := r.status[0]
		r.status = r.status[1:]
		if code != http.StatusOK {
			http.Error(w, "no", code)
			return
		}
	}
	b, _ := io.ReadAll(req.Body)
	var as []Alert
	if err := json.Unmarshal(b, &as); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.posts = append(r.posts, as)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.posts)
}

func TestFireResendResolve(t *testing.T) {
	rec := &recorder{status: []int{http.StatusServiceUnavailable, http.StatusBadGateway}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	n, err := New(Options{URLs: []string{srv.URL + "/"}, Now: func() time.Time { return now }, ResendInterval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"alertname": "ConceptDriftDetected", "model_name": "m", "model_version": "1", "severity": "high"}
	n.Fire(labels, map[string]string{"summary": "drift"}, "http://mw/runs/1")
	n.Send(context.Background()) // two 5xx answers, then success
	if rec.count() != 1 {
		t.Fatalf("%d successful posts, want 1 after retrying two 5xx", rec.count())
	}
	a := rec.posts[0][0]
	if a.Labels["alertname"] != "ConceptDriftDetected" || !a.StartsAt.Equal(now) || !a.EndsAt.Equal(now.Add(4*time.Minute)) || a.GeneratorURL != "http://mw/runs/1" {
		t.Errorf("firing alert = %+v", a)
	}
	// Re-firing keeps the start time.
	now = now.Add(time.Minute)
	n.Fire(labels, map[string]string{"summary": "still drifting"}, "")
	n.Send(context.Background())
	if a := rec.posts[1][0]; !a.StartsAt.Equal(now.Add(-time.Minute)) || a.Annotations["summary"] != "still drifting" {
		t.Errorf("re-fired alert = %+v", a)
	}
	now = now.Add(time.Minute)
	n.Resolve(labels)
	n.Send(context.Background())
	if a := rec.posts[2][0]; !a.EndsAt.Equal(now) {
		t.Errorf("resolved alert endsAt = %s, want %s", a.EndsAt, now)
	}
	if len(n.Firing()) != 0 {
		t.Errorf("Firing after Resolve = %v", n.Firing())
	}
	// Resolutions are re-sent for the retention, then forgotten.
	now = now.Add(16 * time.Minute)
	n.Send(context.Background())
	if rec.count() != 3 {
		t.Errorf("a resolution older than the retention was sent again")
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	rec := &recorder{status: []int{http.StatusBadRequest}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	n, _ := New(Options{URLs: []string{srv.URL}})
	n.Fire(map[string]string{"alertname": "X"}, nil, "")
	n.Send(context.Background())
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.status) != 0 || len(rec.posts) != 0 {
		t.Errorf("a 400 was retried")
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"localhost:9093", "ftp://x", "http://"} {
		if _, err := New(Options{URLs: []string{u}}); err == nil {
			t.Errorf("New accepted %q", u)
		}
	}
}

// hanging is an Alertmanager that takes requests and never answers.
type hanging struct {
	mu      sync.Mutex
	started int
}

func (h *hanging) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.started++
	h.mu.Unlock()
	_, _ = io.Copy(io.Discard, r.Body) // so the server sees the client go away
	<-r.Context().Done()
}

func (r *recorder) snapshot() [][]Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.posts)
}

// has reports whether an alert named name was posted firing (ending after
// now) or, when resolved is true, resolved (ending at or before now).
func (r *recorder) has(name string, resolved bool, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.posts {
		for _, a := range p {
			if a.Labels["alertname"] == name && !a.EndsAt.After(now) == resolved {
				return true
			}
		}
	}
	return false
}

// TestEveryAlertmanager posts to two working Alertmanagers, one that always
// answers 503, one that does not listen and one that never answers: every
// alert and resolution reaches both working ones, while the one that never
// answers still holds the first post; Fire and Resolve do not wait.
func TestEveryAlertmanager(t *testing.T) {
	var good [2]*recorder
	var urls []string
	for i := range good {
		good[i] = &recorder{}
		srv := httptest.NewServer(good[i])
		defer srv.Close()
		urls = append(urls, srv.URL)
	}
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	hang := &hanging{}
	slow := httptest.NewServer(hang)
	defer slow.Close()
	urls = append(urls, failing.URL, closed.URL, slow.URL)

	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	// No client timeout: the post to the silent Alertmanager waits until
	// the notifier stops.
	n, err := New(Options{URLs: urls, Now: func() time.Time { return now }, HTTPClient: &http.Client{}, ResendInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	wait := func(what string, ok func(r *recorder) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok(good[0]) || !ok(good[1]) {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not reach both working Alertmanagers: %v, %v", what, good[0].snapshot(), good[1].snapshot())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	first := map[string]string{"alertname": "DataDriftDetected", "model_name": "m", "model_version": "1"}
	second := map[string]string{"alertname": "ConceptDriftDetected", "model_name": "m", "model_version": "1"}
	n.Fire(first, nil, "")
	wait("the first alert", func(r *recorder) bool { return r.has("DataDriftDetected", false, now) })
	for { // the silent one holds the first post
		hang.mu.Lock()
		started := hang.started
		hang.mu.Unlock()
		if started > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	n.Fire(second, nil, "")
	n.Resolve(first)
	wait("the second alert", func(r *recorder) bool { return r.has("ConceptDriftDetected", false, now) })
	wait("the resolution", func(r *recorder) bool { return r.has("DataDriftDetected", true, now) })
	hang.mu.Lock()
	defer hang.mu.Unlock()
	if hang.started != 1 {
		t.Errorf("the silent Alertmanager got %d posts, want the first one, still unanswered", hang.started)
	}
}
