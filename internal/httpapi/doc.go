// Package httpapi serves modelwatch's HTTP API: prediction, ground-truth and
// error ingest, the statistics endpoints, health checks and /metrics.
//
// Every response is JSON; errors are {"error": {"code", "message",
// "details"}} with a status chosen in one place (statusOf) from the
// modelwatch error code. Batches may be a JSON object, a JSON array or NDJSON;
// an invalid batch is rejected as a whole with every invalid row listed.
package httpapi
