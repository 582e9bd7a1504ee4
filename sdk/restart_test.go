package sdk_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/sdk"
)

// build holds the modelwatch binary built once per test run.
var build struct {
	once sync.Once
	path string
	err  error
}

// modelwatchBinary builds cmd/modelwatch without cgo, as it is released.
func modelwatchBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "modelwatch-sdk-test-")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "modelwatch")
		cmd := exec.Command("go", "build", "-o", build.path, "../cmd/modelwatch")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ../cmd/modelwatch: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// process is a running `modelwatch serve`.
type process struct {
	cmd  *exec.Cmd
	addr string // host:port it listens on
	url  string
	done chan error
	log  *strings.Builder
	mu   *sync.Mutex
}

var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// restartToken is the admin token the server accepts.
const restartToken = "mw_sdk-restart-test-token"

// startProcess runs modelwatch serve on addr with the given data directory
// and waits until it listens.
func startProcess(t *testing.T, addr, dataDir string) *process {
	t.Helper()
	cmd := exec.Command(modelwatchBinary(t), "serve", "--addr", addr, "--data-dir", dataDir, "--token", restartToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan error, 1), log: &strings.Builder{}, mu: &sync.Mutex{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			if err := <-p.done; err != nil {
				t.Logf("modelwatch serve killed at cleanup: %v", err)
			}
		}
	})
	select {
	case p.addr = <-found:
		p.url = "http://" + p.addr
	case err := <-p.done:
		t.Fatalf("modelwatch serve exited: %v\n%s", err, p.output())
	case <-time.After(time.Minute):
		t.Fatalf("modelwatch serve did not listen within a minute\n%s", p.output())
	}
	return p
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// kill stops the server as a crash would: SIGKILL, no draining.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-p.done; err != nil {
		t.Logf("modelwatch serve killed: %v", err)
	}
}

// TestServerRestartMidStream runs the real binary, kills it while
// predictions stream in, keeps logging while it is down, starts it again on
// the same data directory and port, and checks that Close leaves every
// prediction and label stored exactly once.
func TestServerRestartMidStream(t *testing.T) {
	dataDir := t.TempDir()
	srv := startProcess(t, "127.0.0.1:0", dataDir)
	var errs errorLog
	c := newClient(t, sdk.Config{
		Endpoint: srv.url, Token: restartToken, BatchSize: 50, FlushInterval: 10 * time.Millisecond,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, RetryTimeout: -1,
		OnError: errs.add,
	})
	const n, third = 3000, 1000
	logRange := func(from, to int) {
		for i := from; i < to; i++ {
			c.Log(prediction(i, i%2 == 0)) // every other id assigned by the client
			if i%10 == 0 {
				c.LogGroundTruth(fmt.Sprintf("p-%d", i), "churn")
			}
		}
	}

	delivered := func(n int64) func() bool {
		return func() bool {
			if e := errs.all(); len(e) > 0 {
				t.Fatalf("OnError: %v", e)
			}
			return c.Stats().Predictions.Sent >= n
		}
	}
	logRange(0, third)
	eventually(t, time.Minute, "half of the first third delivered", delivered(third/2))
	srv.kill(t) // most likely in the middle of a request
	logRange(third, 2*third)
	eventually(t, time.Minute, "the client retrying while the server is down", func() bool { return c.Stats().Retries > 0 })
	if sent := c.Stats().Predictions.Sent; sent >= 2*third {
		t.Fatalf("%d predictions sent while the server was down", sent)
	}

	srv = startProcess(t, srv.addr, dataDir)
	logRange(2*third, n)
	if err := c.Close(ctxTimeout(t, 2*time.Minute)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if e := errs.all(); len(e) > 0 {
		t.Errorf("OnError was called: %v", e)
	}
	got := c.Stats()
	if got.Predictions.Sent != n || got.Predictions.Failed != 0 || got.Predictions.Dropped != 0 ||
		got.GroundTruth.Sent != n/10 || got.GroundTruth.Failed != 0 {
		t.Errorf("Stats() = %+v, want all %d predictions and %d labels sent", got, n, n/10)
	}
	t.Logf("client: %d requests, %d retries, %d predictions already stored when retried",
		got.Requests, got.Retries, got.Predictions.Duplicates)

	st := stats(t, srv.url, "churn", restartToken)
	if st.TotalPredictions != n {
		t.Errorf("server stores %d predictions, want %d: none lost, none twice", st.TotalPredictions, n)
	}
	if st.GroundTruthCoverage == nil || *st.GroundTruthCoverage != 0.1 {
		t.Errorf("ground_truth_coverage = %v, want 0.1", st.GroundTruthCoverage)
	}
}
