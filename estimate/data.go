package estimate

import (
	"fmt"
	"math"
	"time"
)

// NoLabel in Data.Label marks a row whose true class is not known (yet).
const NoLabel = -1

// Data holds predictions column by column: row i is element i of every
// non-nil slice. Classes are coded as integers: 0 and 1 for a binary model,
// 0 … C−1 for a multiclass model with C classes (the order of
// Options.Classes and of the Scores columns).
type Data struct {
	// Scores holds predicted probabilities. A binary model has one column,
	// the probability of class 1; a multiclass model has one column per
	// class. Every value must be in [0, 1].
	Scores [][]float64
	// Pred is the predicted class of each row. It may be nil when only
	// roc_auc and average_precision are computed.
	Pred []int
	// Label is the true class of each row, or NoLabel. Nil means that no row
	// has a label.
	Label []int
	// Time is the timestamp of each row. When present, rows are ordered by
	// time before they are chunked; period chunking needs it.
	Time []time.Time
}

// Len returns the number of rows.
func (d Data) Len() int {
	if len(d.Scores) > 0 {
		return len(d.Scores[0])
	}
	return max(len(d.Pred), len(d.Label), len(d.Time))
}

// RowError is invalid input in one row of a Data.
type RowError struct {
	Row     int    // 0-based row index
	Field   string // "scores[k]", "pred", "label" or "time"
	Message string // what is wrong
}

// Error implements the error interface.
func (e *RowError) Error() string {
	return fmt.Sprintf("row %d: %s: %s", e.Row, e.Field, e.Message)
}

// check validates d for a model with the given number of score columns
// (1 for binary) and classes.
func (d Data) check(columns, classes int, needPred, needLabel bool) error {
	if len(d.Scores) != columns {
		return fmt.Errorf("%d score columns, want %d", len(d.Scores), columns)
	}
	n := d.Len()
	for k, col := range d.Scores {
		if len(col) != n {
			return fmt.Errorf("score column %d has %d rows, want %d", k, len(col), n)
		}
		for i, v := range col {
			if math.IsNaN(v) || v < 0 || v > 1 {
				return &RowError{Row: i, Field: fmt.Sprintf("scores[%d]", k), Message: fmt.Sprintf("%v is not a probability in [0, 1]", v)}
			}
		}
	}
	if err := checkClasses(d.Pred, n, classes, "pred", needPred, false); err != nil {
		return err
	}
	if err := checkClasses(d.Label, n, classes, "label", needLabel, !needLabel); err != nil {
		return err
	}
	if d.Time != nil && len(d.Time) != n {
		return fmt.Errorf("time has %d rows, want %d", len(d.Time), n)
	}
	for i, t := range d.Time {
		if t.IsZero() {
			return &RowError{Row: i, Field: "time", Message: "missing timestamp"}
		}
	}
	return nil
}

// checkClasses checks a column of class codes: present when required, of
// length n, each in [0, classes) or NoLabel when missingOK.
func checkClasses(v []int, n, classes int, field string, required, missingOK bool) error {
	if v == nil {
		if required {
			return fmt.Errorf("no %s column", field)
		}
		return nil
	}
	if len(v) != n {
		return fmt.Errorf("%s has %d rows, want %d", field, len(v), n)
	}
	for i, c := range v {
		if c == NoLabel && missingOK {
			continue
		}
		if c == NoLabel {
			return &RowError{Row: i, Field: field, Message: "missing"}
		}
		if c < 0 || c >= classes {
			return &RowError{Row: i, Field: field, Message: fmt.Sprintf("class %d out of range [0, %d)", c, classes)}
		}
	}
	return nil
}

// rows returns the rows idx of d, in that order.
func (d Data) rows(idx []int) Data {
	out := Data{Scores: make([][]float64, len(d.Scores))}
	for k, col := range d.Scores {
		c := make([]float64, len(idx))
		for j, i := range idx {
			c[j] = col[i]
		}
		out.Scores[k] = c
	}
	out.Pred = pickInts(d.Pred, idx)
	out.Label = pickInts(d.Label, idx)
	if d.Time != nil {
		out.Time = make([]time.Time, len(idx))
		for j, i := range idx {
			out.Time[j] = d.Time[i]
		}
	}
	return out
}

// slice returns rows [start, end) of d without copying.
func (d Data) slice(start, end int) Data {
	out := Data{Scores: make([][]float64, len(d.Scores))}
	for k, col := range d.Scores {
		out.Scores[k] = col[start:end]
	}
	if d.Pred != nil {
		out.Pred = d.Pred[start:end]
	}
	if d.Label != nil {
		out.Label = d.Label[start:end]
	}
	if d.Time != nil {
		out.Time = d.Time[start:end]
	}
	return out
}

func pickInts(v, idx []int) []int {
	if v == nil {
		return nil
	}
	out := make([]int, len(idx))
	for j, i := range idx {
		out[j] = v[i]
	}
	return out
}
