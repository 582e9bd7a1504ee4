package auth

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/modelwatch/modelwatch"
)

// Scopes a token may have.
const (
	ScopeIngest = "ingest"
	ScopeRead   = "read"
	ScopeAdmin  = "admin"
)

// Scopes lists every scope.
var Scopes = []string{ScopeIngest, ScopeRead, ScopeAdmin}

// Principal is who sent a request: the token's name and scopes.
type Principal struct {
	Name   string
	Scopes []string
}

// Can reports whether the principal has scope (admin has every scope).
func (p Principal) Can(scope string) bool {
	return slices.Contains(p.Scopes, scope) || slices.Contains(p.Scopes, ScopeAdmin)
}

type entry struct {
	hash      [sha256.Size]byte
	principal Principal
}

// Tokens is a set of accepted tokens, safe for concurrent use and reloadable.
type Tokens struct {
	path string // token file, "" when none

	mu      sync.RWMutex
	entries []entry
	env     *entry // the token from the environment, if any
}

// Hash returns the stored form of a token.
func Hash(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// New returns the tokens of the token file at path (none when path is "")
// plus, when envToken is set, that token with every scope under the name
// "env".
func New(path, envToken string) (*Tokens, error) {
	t := &Tokens{path: path}
	if envToken != "" {
		if len(envToken) < 16 {
			return nil, modelwatch.Errorf(modelwatch.EInvalid, "the token from the environment is shorter than 16 characters; use `modelwatch token create` to make one")
		}
		t.env = &entry{hash: Hash(envToken), principal: Principal{Name: "env", Scopes: []string{ScopeAdmin}}}
	}
	if err := t.Reload(); err != nil {
		return nil, err
	}
	return t, nil
}

// Len returns the number of accepted tokens.
func (t *Tokens) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := len(t.entries)
	if t.env != nil {
		n++
	}
	return n
}

// Reload reads the token file again. On error the tokens in use are kept.
func (t *Tokens) Reload() error {
	if t.path == "" {
		return nil
	}
	data, err := os.ReadFile(t.path)
	if err != nil {
		return fmt.Errorf("read token file: %w", err)
	}
	entries, err := parse(data)
	if err != nil {
		return fmt.Errorf("token file %s: %w", t.path, err)
	}
	t.mu.Lock()
	t.entries = entries
	t.mu.Unlock()
	return nil
}

// parse reads a token file: one token per line, "name sha256:<64 hex> scope,scope",
// blank lines and lines starting with # ignored.
func parse(data []byte) ([]entry, error) {
	var out []entry
	names := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want three fields: name sha256:<hex> scopes", line)
		}
		hexHash, ok := strings.CutPrefix(f[1], "sha256:")
		raw, err := hex.DecodeString(hexHash)
		if !ok || err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("line %d: the hash must be sha256: followed by 64 hex digits", line)
		}
		if names[f[0]] {
			return nil, fmt.Errorf("line %d: the name %q is used twice", line, f[0])
		}
		names[f[0]] = true
		scopes := strings.Split(f[2], ",")
		for _, s := range scopes {
			if !slices.Contains(Scopes, s) {
				return nil, fmt.Errorf("line %d: unknown scope %q (want %s)", line, s, strings.Join(Scopes, ", "))
			}
		}
		e := entry{principal: Principal{Name: f[0], Scopes: scopes}}
		copy(e.hash[:], raw)
		out = append(out, e)
	}
	return out, sc.Err()
}

// Check returns the principal of a presented token; ok is false when no
// token matches. Every stored hash is compared in constant time.
func (t *Tokens) Check(token string) (p Principal, ok bool) {
	h := Hash(token)
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(h[:], e.hash[:]) == 1 {
			p, ok = e.principal, true
		}
	}
	if t.env != nil && subtle.ConstantTimeCompare(h[:], t.env.hash[:]) == 1 {
		p, ok = t.env.principal, true
	}
	return p, ok
}

// NewToken returns a new random token ("mw_" and 43 base64url characters,
// 256 bits) and its token-file line for the given name and scopes.
func NewToken(name string, scopes []string) (token, line string, err error) {
	if name == "" || strings.ContainsAny(name, " \t\n#") {
		return "", "", modelwatch.Errorf(modelwatch.EInvalid, "the token name must be non-empty without spaces or #")
	}
	for _, s := range scopes {
		if !slices.Contains(Scopes, s) {
			return "", "", modelwatch.Errorf(modelwatch.EInvalid, "unknown scope %q (want %s)", s, strings.Join(Scopes, ", "))
		}
	}
	if len(scopes) == 0 {
		return "", "", modelwatch.Errorf(modelwatch.EInvalid, "give the token at least one scope")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = "mw_" + base64.RawURLEncoding.EncodeToString(b[:])
	h := Hash(token)
	line = fmt.Sprintf("%s sha256:%s %s", name, hex.EncodeToString(h[:]), strings.Join(scopes, ","))
	return token, line, nil
}
