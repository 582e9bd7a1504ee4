// Package storetest is the conformance suite every store.Store
// implementation must pass: idempotent ingest, atomic batches, ground truth
// before and after its prediction, label events for the sliding windows,
// rollup statistics and the low-confidence review list.
//
// An implementation's test calls Run with a Harness that opens fresh, empty
// stores on real databases.
package storetest
