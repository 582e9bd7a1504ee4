package dataset

import "github.com/modelwatch/modelwatch/drift"

// The text rules (NA strings, number syntax, boolean literals) are pandas'
// and live in package drift; these names keep the readers short.

func isNA(b []byte) bool { return drift.IsNA(b) }

func parseNumber(b []byte) (float64, bool) { return drift.ParseNumber(b) }

func boolLabel(s string) (string, bool) { return drift.BoolLabel(s) }
