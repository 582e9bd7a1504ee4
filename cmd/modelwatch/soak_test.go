package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var soakDuration = flag.Duration("soak.duration", 8*time.Minute, "how long BenchmarkSoak loads the server")

// rss returns the resident set size of a process in bytes, from /proc.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// soakBatch is an NDJSON batch with 20 features per prediction, every
// prediction labelled at ingest.
func soakBatch(rng *rand.Rand, prefix string, n int, shift float64) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id":"%s-%d","model_name":"soak","model_version":"1","prediction":%d,"confidence":%.3f,"ground_truth":%d,"features":{`,
			prefix, i, i%2, 0.5+rng.Float64()/2, rng.IntN(2))
		for j := range 20 {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"f%d":%.4f`, j, rng.NormFloat64()+shift)
		}
		fmt.Fprintf(&b, `},"latency":{"preprocessing_ms":%.2f,"inference_ms":%.2f}}`+"\n", rng.Float64()*2, 5+rng.ExpFloat64()*20)
	}
	return b.String()
}

// BenchmarkSoak is `make soak`: it measures the server's maximum ingest rate,
// then loads it at half that rate for -soak.duration while drift checks run
// every minute and statistics are queried every second, and reports the
// ingest latency percentiles, the errors (which must be none) and the
// resident memory over time (which must stay flat). It is a benchmark so
// that plain `go test` does not run it.
func BenchmarkSoak(b *testing.B) {
	for b.Loop() {
		soak(b)
	}
}

func soak(b *testing.B) {
	s := startServer(b, "--data-dir", b.TempDir(), "--rate-limit", "0", "--check-interval", "5s")
	rng := rand.New(rand.NewPCG(1, 1))
	client := &http.Client{Timeout: 30 * time.Second}
	post := func(path, ct, body string) (int, time.Duration) {
		req, _ := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+testToken)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, time.Since(start)
		}
		resp.Body.Close()
		return resp.StatusCode, time.Since(start)
	}
	get := func(path string) int {
		req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A reference and checks every minute.
	var ref strings.Builder
	for j := range 20 {
		if j > 0 {
			ref.WriteByte(',')
		}
		fmt.Fprintf(&ref, "f%d", j)
	}
	ref.WriteByte('\n')
	for range 5000 {
		for j := range 20 {
			if j > 0 {
				ref.WriteByte(',')
			}
			fmt.Fprintf(&ref, "%.4f", rng.NormFloat64())
		}
		ref.WriteByte('\n')
	}
	req, _ := http.NewRequest(http.MethodPut, s.url+"/api/v1/models/soak/versions/1/reference", strings.NewReader(ref.String()))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatalf("upload reference: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("upload reference: %s", resp.Status)
	}
	req, _ = http.NewRequest(http.MethodPut, s.url+"/api/v1/models/soak/versions/1/settings",
		strings.NewReader(`{"baseline_accuracy":0.5,"data_drift":{"schedule":"* * * * *","window":"10m"},"concept_drift":{"schedule":"* * * * *","window":"10m"}}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err = client.Do(req); err != nil {
		b.Fatalf("settings: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("settings: %s", resp.Status)
	}

	const batch = 500
	bodies := make([]string, 64)
	var seq atomic.Int64
	body := func() string {
		n := seq.Add(1)
		// Fresh ids for each request on a few prebuilt bodies.
		return strings.ReplaceAll(bodies[n%int64(len(bodies))], `"id":"X-`, `"id":"`+strconv.FormatInt(n, 36)+`-`)
	}
	for i := range bodies {
		bodies[i] = soakBatch(rng, "X", batch, 0)
	}

	// 1. Maximum rate: 4 clients as fast as they go for 20 s.
	var rows atomic.Int64
	deadline := time.Now().Add(20 * time.Second)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if code, _ := post("/api/v1/predictions", "application/x-ndjson", body()); code == 200 {
					rows.Add(batch)
				}
			}
		})
	}
	wg.Wait()
	maxRate := float64(rows.Load()) / 20
	target := maxRate / 2
	b.Logf("maximum ingest rate %.0f rows/s; soaking at %.0f rows/s for %s", maxRate, target, *soakDuration)

	// 2. Half that rate, paced, with statistics queries and checks running.
	var mu sync.Mutex
	var lat []time.Duration
	var errs atomic.Int64
	stop := make(chan struct{})
	interval := time.Duration(float64(time.Second) * batch / target * 4) // 4 paced clients
	for range 4 {
		wg.Go(func() {
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				code, d := post("/api/v1/predictions", "application/x-ndjson", body())
				if code != 200 {
					errs.Add(1)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	queries := atomic.Int64{}
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			paths := []string{"/api/ml/predictions/stats?days=1", "/metrics"}
			if i%5 == 0 {
				paths = append(paths, "/api/ml/predictions/low-confidence?threshold=0.6", "/api/v1/models/soak/versions/1/drift-runs")
			}
			for _, p := range paths {
				if get(p) != 200 {
					errs.Add(1)
				}
				queries.Add(1)
			}
		}
	})
	var samples []int64
	end := time.Now().Add(*soakDuration)
	for time.Now().Before(end) {
		samples = append(samples, rss(s.cmd.Process.Pid))
		time.Sleep(10 * time.Second)
	}
	close(stop)
	wg.Wait()
	var runs struct {
		Runs []struct{ Status string } `json:"drift_runs"`
	}
	s.getJSON("/api/v1/models/soak/versions/1/drift-runs?limit=1000", &runs)
	s.stop()

	slices.Sort(lat)
	pct := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	// Flat means neither the resting level (the median) nor the peaks (the
	// drift checks, a few seconds a minute, which a sample every 10 s
	// catches or misses) rise from the first half to the second. Averages
	// would mostly count how many peaks the samples happened to catch.
	half := len(samples) / 2
	median := func(xs []int64) float64 {
		s := slices.Clone(xs)
		slices.Sort(s)
		return float64(s[len(s)/2])
	}
	peak := func(xs []int64) float64 { return float64(slices.Max(xs)) }
	first, second := samples[1:half], samples[half:]
	var mb []string
	for _, x := range samples {
		mb = append(mb, strconv.FormatInt(x>>20, 10))
	}
	b.Logf("%d ingest requests of %d rows: p50 %s, p99 %s, max %s; %d statistics queries; %d drift runs; errors %d",
		len(lat), batch, pct(0.5), pct(0.99), lat[len(lat)-1], queries.Load(), len(runs.Runs), errs.Load())
	b.Logf("RSS every 10 s (MiB): %s", strings.Join(mb, " "))
	b.ReportMetric(maxRate, "max-rows/s")
	b.ReportMetric(float64(pct(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(errs.Load()), "errors")
	b.ReportMetric(median(second)/median(first), "rss-median-growth")
	b.ReportMetric(peak(second)/peak(first), "rss-peak-growth")
	if errs.Load() != 0 {
		b.Errorf("%d errors during the soak", errs.Load())
	}
	if median(second) > median(first)*1.25 {
		b.Errorf("resident memory at rest grew from %.0f MiB to %.0f MiB (medians) between the halves of the soak", median(first)/(1<<20), median(second)/(1<<20))
	}
	if peak(second) > peak(first)*1.25 {
		b.Errorf("peak resident memory grew from %.0f MiB to %.0f MiB between the halves of the soak", peak(first)/(1<<20), peak(second)/(1<<20))
	}
	if len(runs.Runs) < 2 {
		b.Errorf("only %d drift checks ran during the soak", len(runs.Runs))
	}
}
