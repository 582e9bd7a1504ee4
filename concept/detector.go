package concept

import (
	"errors"
	"strconv"
	"strings"

	"github.com/modelwatch/modelwatch"
)

// MaxInput is the largest magnitude a detector accepts. Update ignores larger
// values, as it ignores NaN and ±Inf: their squares and sums would overflow
// float64 and poison the detector's state for good.
const MaxInput = 1e100

// Detector is a streaming change detector: it consumes one value at a time and
// says whether the stream has drifted. The binary detectors (DDM, EDDM, HDDMA,
// HDDMW) take 1 for an error and 0 for a correct prediction; like River's,
// DDM and the HDDMs average any other value as given and EDDM counts only 1
// as an error. The others take any real value.
type Detector interface {
	// Update consumes the next value of the stream. It never fails: values the
	// detector cannot use (NaN, ±Inf, magnitude above MaxInput) are ignored.
	Update(x float64)
	// DriftDetected reports whether the last Update found drift. The next
	// Update resets the detector before consuming its value.
	DriftDetected() bool
}

// WarningDetector is a Detector with a warning zone (DDM, EDDM, HDDMA, HDDMW):
// a level of change that is not yet drift.
type WarningDetector interface {
	Detector
	// WarningDetected reports whether the detector is in its warning zone
	// after the last Update.
	WarningDetected() bool
}

// ValidInput reports whether detectors use x; Update ignores any other value.
func ValidInput(x float64) bool {
	return x >= -MaxInput && x <= MaxInput // false for NaN and ±Inf
}

// ParseInput parses one value of a stream written as text, as
// "modelwatch detect" reads its input lines: a number in Go or Python
// syntax, and for a binary detector also true/false (any case). Surrounding
// space is ignored. Values detectors would ignore (NaN, ±Inf, magnitude above
// MaxInput) are errors, and so is anything but 0 or 1 when binary is set.
// Errors have code modelwatch.EInvalid.
func ParseInput(s string, binary bool) (float64, error) {
	s = strings.TrimSpace(s)
	if binary {
		switch strings.ToLower(s) {
		case "true":
			return 1, nil
		case "false":
			return 0, nil
		}
	}
	x, err := strconv.ParseFloat(s, 64)
	switch {
	case s == "":
		return 0, modelwatch.Errorf(modelwatch.EInvalid, "empty value")
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, modelwatch.Errorf(modelwatch.EInvalid, "%q is not a number", s)
	case !ValidInput(x):
		return 0, modelwatch.Errorf(modelwatch.EInvalid, "%q is not a finite number of magnitude at most %g", s, MaxInput)
	case binary && x != 0 && x != 1:
		return 0, modelwatch.Errorf(modelwatch.EInvalid, "%q is not 0 (correct) or 1 (error)", s)
	}
	return x, nil
}

// Trace is what replaying a stream through a detector found: the number of
// values and the 0-based indices of the values after whose update the
// detector flagged drift or warning (every such index, not only the first of
// a run). Its JSON form is the one "modelwatch detect" prints.
type Trace struct {
	N              int   `json:"n"`
	DriftIndices   []int `json:"drift_indices"`
	WarningIndices []int `json:"warning_indices"`
}

// Observe feeds x to d as value number t.N of the stream and records the
// flags d reports after it. A value d ignores (see ValidInput) takes an index
// but records nothing.
func (t *Trace) Observe(d Detector, x float64) {
	i := t.N
	t.N++
	if !ValidInput(x) {
		return
	}
	d.Update(x)
	if d.DriftDetected() {
		t.DriftIndices = append(t.DriftIndices, i)
	}
	if w, ok := d.(WarningDetector); ok && w.WarningDetected() {
		t.WarningIndices = append(t.WarningIndices, i)
	}
}

// Replay feeds every value of xs to d in order and returns the trace. It is
// how a server rebuilds a detector after a restart: replaying the same stream
// into a new detector with the same config gives the same state and flags.
// The slices of the result are never nil.
func Replay(d Detector, xs []float64) Trace {
	t := Trace{DriftIndices: []int{}, WarningIndices: []int{}}
	for _, x := range xs {
		t.Observe(d, x)
	}
	return t
}

// NoDrift is a detector that never detects anything, River's
// drift.NoDrift: a placeholder where a detector is required but none is
// wanted.
type NoDrift struct{}

// Update does nothing.
func (NoDrift) Update(float64) {}

// DriftDetected is always false.
func (NoDrift) DriftDetected() bool { return false }
