package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configures Start.
type Options struct {
	// Path is the browser binary. Empty means $MODELWATCH_CHROMIUM, then
	// chromium (Debian's /usr/bin/chromium), chromium-browser or
	// google-chrome on $PATH.
	Path string
	// StartTimeout bounds the browser's start-up; zero means 30s.
	StartTimeout time.Duration
}

// Browser is a running headless Chromium with a DevTools connection.
type Browser struct {
	cmd    *exec.Cmd
	dir    string
	stderr *lockedBuffer
	conn   *cdpConn
}

// ErrNotFound is returned by Find and Start when no Chromium is installed.
var ErrNotFound = errors.New("no Chromium found (install the Debian package \"chromium\", or set MODELWATCH_CHROMIUM)")

// Find returns the path of the Chromium to use.
func Find(path string) (string, error) {
	candidates := []string{path, os.Getenv("MODELWATCH_CHROMIUM")}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	candidates = append(candidates, "/usr/bin/chromium")
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", ErrNotFound
}

// Start launches a headless Chromium with a temporary profile and connects
// to it. Close stops it and removes the profile.
func Start(ctx context.Context, opts Options) (*Browser, error) {
	path, err := Find(opts.Path)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "modelwatch-chromium-")
	if err != nil {
		return nil, fmt.Errorf("create browser profile: %w", err)
	}
	b := &Browser{dir: dir, stderr: &lockedBuffer{}}
	b.cmd = exec.Command(path,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--user-data-dir="+dir, "--remote-debugging-port=0", "about:blank")
	b.cmd.Stderr = b.stderr
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	startCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	wsURL, err := b.devToolsURL(startCtx)
	if err == nil {
		b.conn, err = dialCDP(startCtx, wsURL)
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("connect to %s: %w (stderr: %s)", path, err, b.stderr.tail(600))
	}
	return b, nil
}

// devToolsURL waits for Chromium to write its DevTools port.
func (b *Browser) devToolsURL(ctx context.Context) (string, error) {
	file := filepath.Join(b.dir, "DevToolsActivePort")
	for {
		data, err := os.ReadFile(file)
		if err == nil {
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			if len(lines) == 2 {
				return "ws://127.0.0.1:" + strings.TrimSpace(lines[0]) + strings.TrimSpace(lines[1]), nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for DevToolsActivePort: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close shuts the browser down and removes its profile.
func (b *Browser) Close() error {
	if b.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = b.conn.call(ctx, "", "Browser.close", nil, nil)
		cancel()
		b.conn.close()
	}
	done := make(chan struct{})
	go func() {
		_ = b.cmd.Wait() // the exit status of a closed or killed browser says nothing
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-done
	}
	return os.RemoveAll(b.dir)
}

// Stderr returns the browser's recent standard error, for diagnostics.
func (b *Browser) Stderr() string { return b.stderr.tail(4000) }

// lockedBuffer collects the browser's standard error.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 1<<20 {
		l.buf.Reset()
	}
	return l.buf.Write(p)
}

func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
