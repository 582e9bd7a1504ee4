// Package sdkprom exports the counters of a modelwatch sdk.Client as
// Prometheus metrics, so that a model service can alert when its monitoring
// falls behind: records queued, sent, dropped because the queue was full,
// given up, and HTTP retries.
//
// It lives apart from package sdk so that sdk depends on nothing but the
// standard library; import it only if the service already uses
// client_golang. Register the collector on the registry the service
// exposes:
//
//	client, err := sdk.New(sdk.Config{Endpoint: "http://modelwatch:8080"})
//	…
//	if _, err := sdkprom.Register(reg, client, sdkprom.Options{}); err != nil {
//		…
//	}
//
// The metrics are read from Client.Stats at scrape time; nothing is added
// to the logging path.
package sdkprom
