// Package testenv finds the real programs that integration tests run
// (Alertmanager, Prometheus, PostgreSQL, Chromium) and decides what happens
// when one is missing: under CI=true the test fails, elsewhere it is skipped
// with a message naming the Debian package to install.
package testenv
