package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	tok, line, err := NewToken("ci", []string{ScopeIngest, ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "mw_") || len(tok) != 46 || !strings.HasPrefix(line, "ci sha256:") || !strings.HasSuffix(line, " ingest,read") {
		t.Fatalf("NewToken = %q, %q", tok, line)
	}
	if strings.Contains(line, tok) {
		t.Fatal("the file line contains the token itself")
	}
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte("# modelwatch tokens\n\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, err := New(path, "env-token-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := ts.Check(tok); !ok || p.Name != "ci" || !p.Can(ScopeIngest) || !p.Can(ScopeRead) || p.Can(ScopeAdmin) {
		t.Errorf("Check(ci token) = %+v, %v", p, ok)
	}
	if p, ok := ts.Check("env-token-0123456789"); !ok || p.Name != "env" || !p.Can(ScopeRead) {
		t.Errorf("Check(env token) = %+v, %v; want an admin named env", p, ok)
	}
	if _, ok := ts.Check(tok + "x"); ok {
		t.Error("a changed token was accepted")
	}
	// Reload: a new file replaces the tokens; a broken one keeps them.
	tok2, line2, _ := NewToken("ops", []string{ScopeAdmin})
	if err := os.WriteFile(path, []byte(line2+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ts.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := ts.Check(tok); ok {
		t.Error("a removed token still works after Reload")
	}
	if _, ok := ts.Check(tok2); !ok {
		t.Error("a new token does not work after Reload")
	}
	_ = os.WriteFile(path, []byte("garbage\n"), 0o600)
	if err := ts.Reload(); err == nil {
		t.Error("Reload of a broken file succeeded")
	}
	if _, ok := ts.Check(tok2); !ok {
		t.Error("a failed Reload dropped the tokens in use")
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{
		"onlyname\n",
		"a sha256:xyz read\n",
		"a md5:" + strings.Repeat("0", 64) + " read\n",
		"a sha256:" + strings.Repeat("0", 64) + " write\n",
		"a sha256:" + strings.Repeat("0", 64) + " read\na sha256:" + strings.Repeat("1", 64) + " read\n",
	} {
		if _, err := parse([]byte(bad)); err == nil {
			t.Errorf("parse(%q) = nil error", bad)
		}
	}
	if _, _, err := NewToken("a b", []string{ScopeRead}); err == nil {
		t.Error("NewToken accepted a name with a space")
	}
	if _, _, err := NewToken("a", []string{"write"}); err == nil {
		t.Error("NewToken accepted an unknown scope")
	}
	if _, err := New("", "short"); err == nil {
		t.Error("New accepted a short environment token")
	}
}
