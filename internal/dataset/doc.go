// Package dataset reads tabular files (CSV, NDJSON, Parquet) into typed
// drift columns, inferring each column's type the way pandas does for
// Evidently users: a column whose values are all numbers is numerical,
// a column of True/False is boolean and so categorical, anything else is
// categorical. Empty fields (and pandas 1.5's other default NA strings, such
// as "NA", "NaN" and "null") are missing values. Options can force types,
// as the --categorical and --numerical flags of `modelwatch drift` do.
//
// The CSV reader is written for speed: it holds the file in memory, splits
// it at record boundaries and parses the pieces on all cores, writing
// numbers straight into the final columns and interning categories once per
// distinct value.
package dataset
