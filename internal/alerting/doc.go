// Package alerting posts modelwatch's own alerts to Alertmanager's API v2.
//
// A Notifier keeps the alerts that are firing, re-sends them while they fire
// (with endsAt a few resend intervals ahead, as Prometheus does, so that
// Alertmanager resolves them by itself if modelwatch disappears), sends the
// resolution when a later check is clean and keeps re-sending it for a
// while. Sending happens in the background with retries and backoff; callers
// never wait for Alertmanager.
package alerting
