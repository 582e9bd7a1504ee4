// Package sdk is the Go client of modelwatch: a model service logs each
// prediction, its stage latencies, later its ground truth, and its failed
// calls, and the client delivers them to a modelwatch server in the
// background.
//
// The calls a request handler makes — Log, LogTimed, LogGroundTruth and
// LogError — never block and never wait for the network: they copy the
// record into a bounded in-memory queue and return. When a queue is full the
// record is dropped and counted (see Stats). One background goroutine per
// Client takes records off the queues, encodes them as NDJSON batches of up
// to Config.BatchSize records and posts them to the server's ingest API.
//
// # Delivery
//
// Every prediction carries an id. When Prediction.ID is empty the client
// assigns a UUIDv7 before the first attempt, so a retried batch is stored
// once: the server's ingest is idempotent by id. Ground truth is keyed by the
// prediction's id and is idempotent too; prediction errors are counters, so a
// retry after a lost response may count one twice.
//
// Network errors and responses 429 and 5xx are retried with exponential
// backoff and jitter, waiting at least as long as the server's Retry-After
// asks, for up to Config.RetryTimeout per batch. Other 4xx responses are
// never retried: the records are dropped and reported to Config.OnError as a
// *DeliveryError that carries the server's message and the ids of the
// dropped records. When the server names the invalid rows of a batch (a 400
// with row details), only those rows are dropped and the rest are sent again
// in a new request; a 413 splits the batch in halves.
//
// Flush waits until everything logged before it was delivered or given up;
// Close does the same, then stops the client. When their context expires
// they return an *UndeliveredError that says how many records were not
// delivered.
//
// # Latency
//
// A Timer measures the stages of a prediction — Preprocessing, Inference,
// Postprocessing — with the monotonic clock and without allocating:
//
//	t := sdk.StartTimer()
//	x := preprocess(req)
//	t.Mark(sdk.Preprocessing)
//	y := model.Predict(x)
//	t.Mark(sdk.Inference)
//	resp := postprocess(y)
//	t.Mark(sdk.Postprocessing)
//	client.LogTimed(p, &t)
//
// Middleware wraps a net/http model endpoint: it starts a Timer for each
// request (reach it with TimerFrom) and logs failed requests as prediction
// errors.
//
// The package imports only the standard library and the root package
// modelwatch. Prometheus metrics of the client itself are in the
// sub-package sdkprom.
package sdk
