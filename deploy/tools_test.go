package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// tool returns the path of the first of names found on PATH. When none is
// installed it skips the test, naming the Debian package to install, or
// fails it when CI=true: CI must run every check.
func tool(t *testing.T, debianPackage string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := "%s not installed: apt-get install %s"
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatalf(msg, names[0], debianPackage)
	}
	t.Skipf(msg, names[0], debianPackage)
	return ""
}

func promtool(t *testing.T) string { return tool(t, "prometheus", "promtool") }

func amtool(t *testing.T) string { return tool(t, "prometheus-alertmanager", "amtool") }

// run runs a program in dir and returns its combined output.
func run(t *testing.T, dir, prog string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// repoRoot is the repository root, the parent of this directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}
