package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/internal/auth"
)

func TestTokenCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"token", "create", "--name", "ci", "--scopes", "ingest,read", "--file", path}, &out, &errOut); err != nil {
		t.Fatalf("token create: %v %s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]
	ts, err := auth.New(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := ts.Check(token); !ok || p.Name != "ci" || !p.Can("ingest") || p.Can("admin") {
		t.Errorf("the printed token does not match the file line: %+v, %v\n%s", p, ok, out.String())
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("token file mode = %v, %v; want 0600", info.Mode(), err)
	}
	// Without --name, as the command: a name from the scopes.
	out.Reset()
	if err := run(t.Context(), []string{"token", "create", "--scopes", "ingest", "--file", path}, &out, &errOut); err != nil {
		t.Fatalf("token create without --name: %v %s", err, errOut.String())
	}
	lines = strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := ts.Reload(); err != nil {
		t.Fatal(err)
	}
	if p, ok := ts.Check(lines[len(lines)-1]); !ok || !strings.HasPrefix(p.Name, "ingest-") || len(p.Name) != len("ingest-")+6 || !p.Can("ingest") || p.Can("read") {
		t.Errorf("token created without --name = %+v, %v; want ingest-<6 hex> with the ingest scope only", p, ok)
	}
	if err := run(t.Context(), []string{"token", "create", "--name", "x", "--scopes", "write"}, &out, &errOut); err == nil {
		t.Error("token create accepted an unknown scope")
	}
}
