// Package estimatecli is the modelwatch estimate command without the
// command line: it reads a labelled reference file and an analysis file
// (CSV, NDJSON or Parquet), fits package estimate's CBPE on the reference,
// estimates the analysis chunks, and writes a table or the JSON document.
//
// CSV and NDJSON are read as text by read.go, keeping each value's exact
// text; Parquet goes through internal/dataset, the reader of the drift
// command, and its values are written back as text (parquet.go).
package estimatecli
