package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/internal/testenv"
)

// Require starts a browser for a test and stops it when the test ends.
// Without Chromium the test is skipped, naming the Debian package to
// install, unless the environment variable CI is true (testenv.CI): in CI
// a missing browser fails the test.
func Require(t testing.TB) *Browser {
	t.Helper()
	b, err := Start(context.Background(), Options{})
	if errors.Is(err, ErrNotFound) {
		if testenv.CI() {
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

// SaveArtifact keeps data as the file name among the test run's artifacts
// and logs where: in $MODELWATCH_ARTIFACTS_DIR when that is set (a relative
// path is taken from the repository's root, not from the package directory
// that go test runs in), else, under CI=true, in .artifacts/ at the root, so
// that CI never loses a screenshot. Elsewhere nothing is written.
func SaveArtifact(t testing.TB, name string, data []byte) {
	t.Helper()
	dir, err := artifactsDir()
	if err != nil {
		t.Errorf("save artifact %s: %v", name, err)
		return
	}
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("save artifact %s: %v", name, err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Errorf("save artifact %s: %v", name, err)
		return
	}
	t.Logf("artifact saved: %s", path)
}

// artifactsDir returns the directory SaveArtifact writes to, "" for none.
func artifactsDir() (string, error) {
	dir := os.Getenv("MODELWATCH_ARTIFACTS_DIR")
	if dir == "" && !testenv.CI() {
		return "", nil
	}
	if filepath.IsAbs(dir) {
		return dir, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	if dir == "" {
		dir = ".artifacts"
	}
	return filepath.Join(root, dir), nil
}

// mainModule is the module path whose go.mod marks the repository's root;
// deploy/ is a module of its own, inside.
const mainModule = "github.com/modelwatch/modelwatch"

// repoRoot walks up from the working directory to the directory of the
// main module's go.mod.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the repository root: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modulePath(data) == mainModule {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod of module %s in %s or above it", mainModule, wd)
		}
	}
}

// modulePath returns the module path declared in a go.mod file.
func modulePath(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`+"`")
		}
	}
	return ""
}
