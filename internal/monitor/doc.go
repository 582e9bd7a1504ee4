// Package monitor runs modelwatch's background work: it keeps every model
// version's sliding window in step with the store, runs the scheduled and
// manual data-drift and concept-drift checks, and feeds every label to the
// streaming concept-drift detectors.
//
// The store is the source of truth. Windows are rebuilt from it at start and
// follow its label events afterwards, so they survive restarts and every
// replica that shares a database reports the same values.
package monitor
