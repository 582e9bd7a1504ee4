package browsertest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what SaveArtifact logs and reports.
type recorder struct {
	testing.TB
	logs, errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestSaveArtifact(t *testing.T) {
	// A repository as in CI: the main module at the root, the deploy
	// module inside it; go test runs in a package's directory.
	root := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		path = filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "// modelwatch\nmodule github.com/modelwatch/modelwatch\n\ngo 1.26\n")
	write("internal/ui/ui.go", "package ui\n")
	write("deploy/go.mod", "module github.com/modelwatch/modelwatch/deploy\n")
	abs := filepath.Join(t.TempDir(), "kept")
	outside := t.TempDir() // no go.mod above it

	for _, tc := range []struct {
		name         string
		ci, dirVar   string
		wd           string // relative to root, or absolute
		want         string // the file written, relative to root or absolute; "" for none
		wantErr      string
		wantNoWrites bool
	}{
		{name: "CI=true, no directory set: .artifacts at the root", ci: "true", wd: "internal/ui", want: ".artifacts/shot.png"},
		{name: "CI=1 counts as true", ci: "1", wd: "internal/ui", want: ".artifacts/shot.png"},
		{name: "the root is the main module's, not deploy's", ci: "true", wd: "deploy", want: ".artifacts/shot.png"},
		{name: "not in CI and no directory set: nothing", ci: "", wd: "internal/ui", wantNoWrites: true},
		{name: "CI=false: nothing", ci: "false", wd: "internal/ui", wantNoWrites: true},
		{name: "an absolute directory", ci: "", dirVar: abs, wd: "internal/ui", want: filepath.Join(abs, "shot.png")},
		{name: "a relative directory is taken from the root", ci: "true", dirVar: "out/shots", wd: "internal/ui", want: "out/shots/shot.png"},
		{name: "CI=true outside the repository", ci: "true", wd: outside, wantErr: "no go.mod of module github.com/modelwatch/modelwatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, d := range []string{".artifacts", "out", "internal/ui/.artifacts", abs} {
				if !filepath.IsAbs(d) {
					d = filepath.Join(root, d)
				}
				if err := os.RemoveAll(d); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("CI", tc.ci)
			t.Setenv("MODELWATCH_ARTIFACTS_DIR", tc.dirVar)
			wd := tc.wd
			if !filepath.IsAbs(wd) {
				wd = filepath.Join(root, wd)
			}
			t.Chdir(wd)
			png := []byte("\x89PNG test")
			r := &recorder{TB: t}
			SaveArtifact(r, "shot.png", png)

			if tc.wantErr != "" {
				if len(r.errs) != 1 || !strings.Contains(r.errs[0], tc.wantErr) {
					t.Errorf("errors = %q, want one saying %q", r.errs, tc.wantErr)
				}
				return
			}
			if len(r.errs) != 0 {
				t.Fatalf("errors = %q", r.errs)
			}
			if tc.wantNoWrites {
				if len(r.logs) != 0 {
					t.Errorf("logged %q, want nothing", r.logs)
				}
				for _, d := range []string{filepath.Join(root, ".artifacts"), filepath.Join(wd, ".artifacts")} {
					if _, err := os.Stat(d); !os.IsNotExist(err) {
						t.Errorf("%s exists (%v), want nothing written", d, err)
					}
				}
				return
			}
			want := tc.want
			if !filepath.IsAbs(want) {
				want = filepath.Join(root, want)
			}
			got, err := os.ReadFile(want)
			if err != nil || !bytes.Equal(got, png) {
				t.Errorf("%s: %q, %v; want the artifact", want, got, err)
			}
			if len(r.logs) != 1 || !strings.Contains(r.logs[0], want) {
				t.Errorf("logged %q, want the path %s", r.logs, want)
			}
		})
	}
}
