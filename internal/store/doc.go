// Package store declares the contract between modelwatch and the database
// that keeps predictions, ground truth and their rollups.
//
// Store is implemented by store/sqlite (the embedded default) and, for
// production, store/postgres. Both pass the same conformance suite,
// storetest.Run. Consumers should declare the narrow interface they use
// rather than depend on Store as a whole.
package store
