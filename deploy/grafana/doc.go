// Package grafana builds modelwatch's Grafana dashboard, "ML Model
// Monitoring", with the Grafana Foundation SDK.
//
// The committed dashboard, dashboards/ml_model_monitoring.json, is this
// package's output: after changing a panel here, regenerate it with
//
//	cd deploy && go test ./... -update
//
// and the tests in package deploy check that the two agree, that the JSON
// passes the SDK's strict schema validation and that every query parses.
package grafana
