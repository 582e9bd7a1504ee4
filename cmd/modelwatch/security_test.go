package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func status(t *testing.T, client *http.Client, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var createdTokenRE = regexp.MustCompile(`\n    (mw_[A-Za-z0-9_-]{43})\n`)

// TestServeCreatesTokenFile checks the secure default: without any token
// option the first start creates an admin token, prints it once, and
// requires it.
func TestServeCreatesTokenFile(t *testing.T) {
	dir := t.TempDir()
	s := startServerWith(t, "--data-dir", dir)
	m := createdTokenRE.FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no token printed on first start:\n%s", s.stderr)
	}
	token := m[1]
	stats := s.url + "/api/ml/predictions/stats"
	if got := status(t, http.DefaultClient, stats, ""); got != 401 {
		t.Errorf("without a token: %d, want 401", got)
	}
	if got := status(t, http.DefaultClient, stats, token); got != 200 {
		t.Errorf("with the printed token: %d, want 200", got)
	}
	if got := status(t, http.DefaultClient, s.url+"/healthz", ""); got != 200 {
		t.Errorf("healthz without a token: %d", got)
	}
	if info, err := os.Stat(filepath.Join(dir, "tokens")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v, %v", info, err)
	}
	s.stop()
	s = startServerWith(t, "--data-dir", dir)
	if createdTokenRE.MatchString(s.stderr.String()) {
		t.Error("a second start printed a new token")
	}
	if got := status(t, http.DefaultClient, s.url+"/api/ml/predictions/stats", token); got != 200 {
		t.Errorf("after a restart the token gives %d", got)
	}
	s.stop()
}

func TestServeInsecureAndReloadOnHUP(t *testing.T) {
	s := startServer(t, "--data-dir", t.TempDir(), "--insecure-no-auth")
	if got := status(t, http.DefaultClient, s.url+"/api/ml/predictions/stats", ""); got != 200 {
		t.Errorf("--insecure-no-auth: %d without a token", got)
	}
	if !strings.Contains(s.stderr.String(), "AUTHENTICATION IS OFF") {
		t.Errorf("no warning with --insecure-no-auth:\n%s", s.stderr)
	}
	s.stop()

	dir := t.TempDir()
	file := filepath.Join(dir, "tokens")
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"token", "create", "--name", "reader", "--scopes", "read", "--file", file}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	reader := lastLine(out.String())
	s = startServer(t, "--data-dir", dir, "--auth-file", file)
	stats := s.url + "/api/ml/predictions/stats"
	if got := status(t, http.DefaultClient, stats, reader); got != 200 {
		t.Fatalf("reader token: %d", got)
	}
	out.Reset()
	if err := run(t.Context(), []string{"token", "create", "--name", "second", "--scopes", "read", "--file", file}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	second := lastLine(out.String())
	if got := status(t, http.DefaultClient, stats, second); got != 401 {
		t.Errorf("a token added to the file works before SIGHUP: %d", got)
	}
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return status(t, http.DefaultClient, stats, second) == 200 }, "the new token to work after SIGHUP")
	s.stop()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 with the given
// serial number and returns it.
func writeCert(t *testing.T, certFile, keyFile string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "modelwatch test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := writeCert(t, certFile, keyFile, 1)
	s := startServer(t, "--data-dir", dir, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("url = %s", s.url)
	}
	pool := x509.NewCertPool()
	pool.AddCert(first)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := client.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.TLS.PeerCertificates[0].SerialNumber.Int64() != 1 {
		t.Errorf("got %s with certificate serial %v, want HTTP/2 and serial 1", resp.Proto, resp.TLS.PeerCertificates[0].SerialNumber)
	}
	// A renewed certificate is picked up on SIGHUP.
	writeCert(t, certFile, keyFile, 2)
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	waitFor(t, func() bool {
		resp, err := insecure.Get(s.url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64() == 2
	}, "the renewed certificate")
	s.stop()
	if err := run(t.Context(), []string{"serve", "--tls-cert", certFile}, &strings.Builder{}, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("--tls-cert without --tls-key: %v", err)
	}
}
