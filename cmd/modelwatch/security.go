package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/modelwatch/modelwatch/internal/auth"
)

// authFileName is the token file serve creates in the data directory when
// no token source is given.
const authFileName = "tokens"

// loadTokens returns the tokens serve accepts, or nil with
// --insecure-no-auth. Without --auth-file and --token it uses (creating on
// first start, with one admin token that it prints once) the token file in
// the data directory, so that a fresh install is not open to anyone.
func (c *serveCmd) loadTokens(e *env, log *slog.Logger) (*auth.Tokens, error) {
	if c.InsecureNoAuth {
		if c.AuthFile != "" || c.Token != "" {
			return nil, errors.New("--insecure-no-auth cannot be combined with --auth-file or --token")
		}
		log.Warn("AUTHENTICATION IS OFF (--insecure-no-auth): anyone who can reach this server can send data, read it and change settings; use it only on a trusted machine")
		return nil, nil
	}
	path := c.AuthFile
	if path == "" && c.Token == "" {
		path = filepath.Join(c.DataDir, authFileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			token, line, err := auth.NewToken("admin", []string{auth.ScopeAdmin})
			if err != nil {
				return nil, err
			}
			if err := appendLine(path, line); err != nil {
				return nil, err
			}
			fmt.Fprintf(e.stderr, "\nmodelwatch: created the token file %s with an admin token.\n"+
				"Send it as \"Authorization: Bearer <token>\"; it is shown only this once:\n\n    %s\n\n"+
				"Create more tokens (ingest, read, admin) with `modelwatch token create --file %s`.\n\n", path, token, path)
		}
	}
	ts, err := auth.New(path, c.Token)
	if err != nil {
		return nil, err
	}
	if ts.Len() == 0 {
		return nil, fmt.Errorf("the token file %s holds no token: add one with `modelwatch token create --file %s`", path, path)
	}
	log.Info("authentication on", "tokens", ts.Len(), "token_file", path, "metrics_public", c.MetricsPublic)
	return ts, nil
}

// certificate serves the TLS certificate and key from files, reloaded on
// demand (SIGHUP) without dropping connections.
type certificate struct {
	certFile, keyFile string
	mu                sync.RWMutex
	cert              *tls.Certificate
}

func newCertificate(certFile, keyFile string) (*certificate, error) {
	c := &certificate{certFile: certFile, keyFile: keyFile}
	return c, c.reload()
}

func (c *certificate) reload() error {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("load TLS certificate %s and key %s: %w", c.certFile, c.keyFile, err)
	}
	c.mu.Lock()
	c.cert = &cert
	c.mu.Unlock()
	return nil
}

func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cert, nil
}
