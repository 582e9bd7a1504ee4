package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds modelwatch once per test run, with CGO_ENABLED=0 as
// released binaries are.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "modelwatch-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "modelwatch")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is a running modelwatch serve process.
type server struct {
	t      testing.TB
	cmd    *exec.Cmd
	url    string
	token  string // sent with every request of the helpers below
	stderr *lockedBuffer
	done   chan error
}

// testToken is the admin token test servers accept (--token).
const testToken = "test-admin-token-0123456789abcdef"

// request sends a request with the server's token.
func (s *server) request(method, path, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	return http.DefaultClient.Do(req)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// listenRE finds the listening address in text or JSON logs.
var listenRE = regexp.MustCompile(`(?:msg=listening addr=|"msg":"listening","addr":")([^"\s]+)`)

// startServer starts modelwatch serve on a free loopback port. It accepts
// testToken unless args choose another way to authenticate.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	token := testToken
	for _, a := range args {
		if a == "--insecure-no-auth" || strings.HasPrefix(a, "--auth-file") || strings.HasPrefix(a, "--token") {
			token = ""
		}
	}
	if token != "" {
		args = append([]string{"--token", token}, args...)
	}
	s := startServerWith(t, args...)
	s.token = token
	return s
}

// startServerWith starts modelwatch serve on a free loopback port with
// exactly these arguments.
func startServerWith(t testing.TB, args ...string) *server {
	t.Helper()
	return startCommand(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
}

// startCommand runs the modelwatch binary with args, which must make it
// listen (serve or demo), and waits until it does.
func startCommand(t testing.TB, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderrPipe)
		for sc.Scan() {
			line := sc.Text()
			_, _ = fmt.Fprintln(s.stderr, line)
			if m := listenRE.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			if err := <-s.done; err != nil {
				t.Logf("modelwatch serve killed at cleanup: %v", err)
			}
		}
	})
	select {
	case a := <-addr:
		s.url = "http://" + a
		if slices.Contains(args, "--tls-cert") {
			s.url = "https://" + a
		}
	case err := <-s.done:
		t.Fatalf("modelwatch serve exited: %v\n%s", err, s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("modelwatch serve did not start listening\n%s", s.stderr)
	}
	return s
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatalf("modelwatch serve exited with %v after SIGTERM\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		s.t.Fatalf("modelwatch serve did not stop after SIGTERM\n%s", s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "database closed") {
		s.t.Errorf("the database was not closed cleanly:\n%s", s.stderr)
	}
}

func (s *server) post(path, contentType, body string) map[string]any {
	s.t.Helper()
	resp, err := s.request("POST", path, contentType, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		s.t.Fatal(err)
	}
	return v
}

func (s *server) getJSON(path string, v any) {
	s.t.Helper()
	resp, err := s.request("GET", path, "", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		s.t.Fatal(err)
	}
}

// metrics scrapes /metrics and returns the samples by metric name.
func (s *server) metrics() map[string][]*model.Sample {
	s.t.Helper()
	resp, err := s.request("GET", "/metrics", "", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	dec := expfmt.NewDecoder(resp.Body, expfmt.ResponseFormat(resp.Header))
	samples, err := expfmt.ExtractSamples(&expfmt.DecodeOptions{Timestamp: model.Now()}, decodeAll(s.t, dec)...)
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string][]*model.Sample{}
	for _, smp := range samples {
		name := string(smp.Metric[model.MetricNameLabel])
		out[name] = append(out[name], smp)
	}
	return out
}

func decodeAll(t testing.TB, dec expfmt.Decoder) []*dto.MetricFamily {
	t.Helper()
	var out []*dto.MetricFamily
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("decode /metrics: %v", err)
		}
		out = append(out, mf)
	}
}

func value(t testing.TB, m map[string][]*model.Sample, name string, labels ...string) float64 {
	t.Helper()
	for _, s := range m[name] {
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			if string(s.Metric[model.LabelName(labels[i])]) != labels[i+1] {
				ok = false
			}
		}
		if ok {
			return float64(s.Value)
		}
	}
	t.Fatalf("no sample %s%v in /metrics", name, labels)
	return 0
}

// TestServeEndToEnd runs the real binary: ingest, labels, /metrics and the
// statistics endpoints, a clean SIGTERM, and a restart that keeps the data
// and the sliding windows.
func TestServeEndToEnd(t *testing.T) {
	dataDir := t.TempDir()
	s := startServer(t, "--data-dir", dataDir)

	var preds, labels strings.Builder
	for i := range 300 {
		class := []string{"0", "1"}[i%2]
		fmt.Fprintf(&preds, `{"id":"e2e-%d","model_name":"fraud","model_version":"v7","prediction":%s,"confidence":%.3f,`+
			`"features":{"amount":%d,"country":"NL"},"latency":{"preprocessing_ms":2,"inference_ms":%d,"postprocessing_ms":1}}`+"\n",
			i, class, 0.5+float64(i%50)/100, i*3, 10+i%40)
		if i < 250 {
			truth := class
			if i%10 == 0 {
				truth = map[string]string{"0": "1", "1": "0"}[class]
			}
			fmt.Fprintf(&labels, `{"id":"e2e-%d","ground_truth":%q}`+"\n", i, truth)
		}
	}
	if got := s.post("/api/v1/predictions", "application/x-ndjson", preds.String()); got["accepted"] != 300.0 {
		t.Fatalf("ingest: %v", got)
	}
	if got := s.post("/api/v1/ground-truth", "application/x-ndjson", labels.String()); got["joined"] != 250.0 {
		t.Fatalf("labels: %v", got)
	}
	s.post("/api/v1/errors", "application/json", `{"model_name":"fraud","model_version":"v7","error_type":"TimeoutError"}`)

	m := s.metrics()
	mv := []string{"model_name", "fraud", "model_version", "v7"}
	if got := value(t, m, "model_accuracy", mv...); got != 0.9 {
		t.Errorf("model_accuracy = %v, want 0.9", got)
	}
	for _, name := range []string{"model_precision", "model_recall", "model_f1_score"} {
		if got := value(t, m, name, mv...); got < 0.85 || got > 0.95 {
			t.Errorf("%s = %v, want about 0.9", name, got)
		}
	}
	if got := value(t, m, "model_predictions_total", append(mv, "predicted_class", "1")...); got != 150 {
		t.Errorf("model_predictions_total{predicted_class=1} = %v, want 150", got)
	}
	if got := value(t, m, "model_prediction_errors_total", append(mv, "error_type", "TimeoutError")...); got != 1 {
		t.Errorf("model_prediction_errors_total = %v, want 1", got)
	}
	for _, h := range []string{"model_inference_duration_seconds_count", "model_preprocessing_duration_seconds_count", "model_postprocessing_duration_seconds_count"} {
		if got := value(t, m, h, mv...); got != 300 {
			t.Errorf("%s = %v, want 300", h, got)
		}
	}
	if got := value(t, m, "model_preprocessing_duration_seconds_bucket", append(mv, "le", "0.001")...); got != 0 {
		t.Errorf("preprocessing bucket le=0.001 = %v, want 0 (every value is 2 ms)", got)
	}
	if got := value(t, m, "model_preprocessing_duration_seconds_bucket", append(mv, "le", "0.005")...); got != 300 {
		t.Errorf("preprocessing bucket le=0.005 = %v, want 300", got)
	}

	var st map[string]any
	s.getJSON("/api/ml/predictions/stats?days=1&model_name=fraud", &st)
	if st["total_predictions"] != 300.0 || st["ground_truth_coverage"] != 250.0/300 {
		t.Errorf("stats = %v", st)
	}
	var low []map[string]any
	s.getJSON("/api/ml/predictions/low-confidence?threshold=0.51", &low)
	if len(low) != 6 || low[0]["confidence"] != 0.5 {
		t.Errorf("low-confidence = %v, want the 6 predictions with confidence 0.5", low)
	}
	s.stop()

	// Restart on the same data directory: data, windows and gauges survive.
	s = startServer(t, "--data-dir", dataDir)
	m = s.metrics()
	if got := value(t, m, "model_accuracy", mv...); got != 0.9 {
		t.Errorf("after restart model_accuracy = %v, want 0.9", got)
	}
	if got := value(t, m, "model_window_labelled_predictions", mv...); got != 250 {
		t.Errorf("after restart the window holds %v, want 250", got)
	}
	s.getJSON("/api/ml/predictions/stats?days=1", &st)
	if st["total_predictions"] != 300.0 {
		t.Errorf("after restart stats = %v", st)
	}
	// Re-sending everything after the restart stores nothing twice.
	if got := s.post("/api/v1/predictions", "application/x-ndjson", preds.String()); got["duplicates"] != 300.0 {
		t.Errorf("re-sent batch after restart: %v, want 300 duplicates", got)
	}
	s.stop()
}

// TestServeDrainsOnSIGTERM sends SIGTERM while a request body is still
// arriving: the request completes and its rows are stored.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	dataDir := t.TempDir()
	s := startServer(t, "--data-dir", dataDir)
	pr, pw := io.Pipe()
	result := make(chan error, 1)
	go func() {
		resp, err := s.request("POST", "/api/v1/predictions", "application/x-ndjson", pr)
		if err != nil {
			result <- err
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"accepted":2`) {
			result <- fmt.Errorf("in-flight request: %d %s", resp.StatusCode, b)
			return
		}
		result <- nil
	}()
	fmt.Fprintln(pw, `{"id":"drain-1","model_name":"m","model_version":"1","prediction":"a","confidence":0.5}`)
	time.Sleep(200 * time.Millisecond) // let the request reach the handler
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	fmt.Fprintln(pw, `{"id":"drain-2","model_name":"m","model_version":"1","prediction":"b","confidence":0.5}`)
	pw.Close()
	if err := <-result; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	s = startServer(t, "--data-dir", dataDir)
	var st map[string]any
	s.getJSON("/api/ml/predictions/stats", &st)
	if st["total_predictions"] != 2.0 {
		t.Errorf("after draining, %v predictions are stored, want 2", st["total_predictions"])
	}
	s.stop()
}

// TestServeEnvironment checks that MODELWATCH_* variables set flags.
func TestServeEnvironment(t *testing.T) {
	dataDir := t.TempDir()
	t.Setenv("MODELWATCH_DATA_DIR", dataDir)
	t.Setenv("MODELWATCH_LOG_FORMAT", "json")
	s := startServer(t)
	s.stop()
	if _, err := os.Stat(filepath.Join(dataDir, "modelwatch.db")); err != nil {
		t.Errorf("MODELWATCH_DATA_DIR was not used: %v", err)
	}
}
