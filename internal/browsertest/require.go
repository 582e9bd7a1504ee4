package browsertest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Require starts a browser for a test and stops it when the test ends.
// Without Chromium the test is skipped, naming the Debian package to
// install, unless the environment variable CI is "true": in CI a missing
// browser fails the test.
func Require(t testing.TB) *Browser {
	t.Helper()
	b, err := Start(context.Background(), Options{})
	if errors.Is(err, ErrNotFound) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skipf("skipping browser test: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close browser: %v", err)
		}
	})
	return b
}

// SaveArtifact writes data to $MODELWATCH_ARTIFACTS_DIR/name when that
// variable is set (CI keeps the directory), and reports where.
func SaveArtifact(t testing.TB, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("MODELWATCH_ARTIFACTS_DIR")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("artifacts dir: %v", err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Errorf("save artifact: %v", err)
		return
	}
	t.Logf("saved %s", path)
}
