package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/modelwatch/modelwatch/internal/auth"
)

type tokenCmd struct {
	Create tokenCreateCmd `cmd:"" help:"Create an API token: print it once, and the line to add to the token file (--auth-file)."`
}

type tokenCreateCmd struct {
	Name   string   `help:"A name for the token, shown in the audit log (default: its scopes and a random suffix, like ingest-3f9a1c)."`
	Scopes []string `help:"Scopes: ingest, read, admin (admin includes the others)." default:"read" sep:","`
	File   string   `help:"Append the token's line to this token file (created with mode 0600 if missing)." type:"path"`
}

func (c *tokenCreateCmd) Run(e *env) error {
	if c.Name == "" {
		var b [3]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		c.Name = strings.Join(c.Scopes, "+") + "-" + hex.EncodeToString(b[:])
	}
	token, line, err := auth.NewToken(c.Name, c.Scopes)
	if err != nil {
		return err
	}
	if c.File != "" {
		if err := appendLine(c.File, line); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added token %q to %s (send SIGHUP to modelwatch serve to reload it)\n", c.Name, c.File)
	} else {
		fmt.Fprintf(e.stdout, "token file line (add it to the file given with --auth-file):\n%s\n", line)
	}
	fmt.Fprintf(e.stdout, "token %q (shown once, keep it secret):\n%s\n", c.Name, token)
	return nil
}

// appendLine adds a line to a token file, creating it with mode 0600.
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open token file: %w", err)
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		_ = f.Close()
		return fmt.Errorf("write token file: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("write token file: %w", err)
	}
	return f.Close()
}
