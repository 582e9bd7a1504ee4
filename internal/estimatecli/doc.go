// Package estimatecli is the modelwatch estimate command without the
// command line: it reads a labelled reference file and an analysis file
// (CSV or NDJSON), fits package estimate's CBPE on the reference, estimates
// the analysis chunks, and writes a table or the JSON document.
//
// The readers in read.go are a stop-gap until internal/dataset (CSV, NDJSON,
// Parquet) lands; then Read should delegate to it.
package estimatecli
