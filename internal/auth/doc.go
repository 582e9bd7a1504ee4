// Package auth checks the bearer tokens of API requests.
//
// Tokens are long random strings given to clients; modelwatch keeps only
// their SHA-256 hashes, in a token file (one "name sha256:<hex> scopes" line
// per token) that is reloaded on SIGHUP, or takes one token from the
// environment. Each token has scopes: ingest (send predictions, ground
// truth and errors), read (statistics, runs, reports, the UI and /metrics)
// and admin (references, settings, manual runs, the audit log); admin
// includes the other two.
package auth
