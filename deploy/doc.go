// Package deploy checks the files that run modelwatch with Prometheus,
// Alertmanager and Grafana: the alert and recording rules and their promtool
// unit tests, the example Prometheus and Alertmanager configurations, the
// Grafana dashboard and provisioning, the Docker Compose stack and the
// repository's Dockerfile.
//
// deploy is its own Go module, so that the main module does not depend on
// the Grafana SDK and the PromQL parser used only here. Run its tests from
// this directory:
//
//	cd deploy && go test ./...
//
// They run the real promtool and amtool (Debian packages prometheus and
// prometheus-alertmanager) and, for inhibition, a real Alertmanager. A
// missing program skips its tests, except with CI=true, where it fails them.
package deploy
