package sdk

import (
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch"
)

// Stage is a stage of serving a prediction, as modelwatch's latency metrics
// know them.
type Stage uint8

// The stages of a prediction. Their times become the prediction's
// latency.preprocessing_ms, latency.inference_ms and
// latency.postprocessing_ms, and the server's
// model_preprocessing_duration_seconds, model_inference_duration_seconds and
// model_postprocessing_duration_seconds histograms.
const (
	Preprocessing Stage = iota
	Inference
	Postprocessing
	numStages
)

// String returns the stage's name as in the API: "preprocessing",
// "inference" or "postprocessing".
func (s Stage) String() string {
	switch s {
	case Preprocessing:
		return "preprocessing"
	case Inference:
		return "inference"
	case Postprocessing:
		return "postprocessing"
	}
	return "Stage(" + strconv.Itoa(int(s)) + ")"
}

// Timer measures the stages of one prediction with the monotonic clock. Use
// it as a local variable: StartTimer, then Mark at the end of each stage.
// A Timer does not allocate, and neither does LogTimed with one.
//
// The methods of a nil *Timer do nothing, so code that gets its Timer from
// TimerFrom works without the middleware too.
type Timer struct {
	start time.Time
	last  time.Time
	d     [numStages]time.Duration
	set   [numStages]bool
}

// StartTimer returns a Timer started now.
func StartTimer() Timer {
	now := time.Now()
	return Timer{start: now, last: now}
}

// Mark ends stage s: the time since the previous Mark (or since the start)
// is added to s. Marking a stage twice adds up both intervals. Time between
// stages that should count for none can be skipped with Skip.
func (t *Timer) Mark(s Stage) {
	if t == nil || s >= numStages {
		return
	}
	now := time.Now()
	t.d[s] += now.Sub(t.last)
	t.set[s] = true
	t.last = now
}

// Skip restarts the clock of the next stage without counting the time since
// the previous Mark.
func (t *Timer) Skip() {
	if t != nil {
		t.last = time.Now()
	}
}

// Start returns when the Timer was started; LogTimed uses it as the
// prediction's timestamp when it has none.
func (t *Timer) Start() time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.start
}

// Duration returns the time marked for stage s, and whether s was marked.
func (t *Timer) Duration(s Stage) (time.Duration, bool) {
	if t == nil || s >= numStages {
		return 0, false
	}
	return t.d[s], t.set[s]
}

// Latency returns the marked stages in milliseconds, as a prediction holds
// them; unmarked stages are nil. The result does not change with later
// Marks. Because the fields are pointers it allocates their values once
// (one allocation); LogTimed avoids even that.
func (t *Timer) Latency() modelwatch.Latency {
	if t == nil || !(t.set[0] || t.set[1] || t.set[2]) {
		return modelwatch.Latency{}
	}
	v := new([numStages]float64)
	var l modelwatch.Latency
	for s := range numStages {
		if t.set[s] {
			v[s] = ms(t.d[s])
		}
	}
	if t.set[Preprocessing] {
		l.PreprocessingMs = &v[Preprocessing]
	}
	if t.set[Inference] {
		l.InferenceMs = &v[Inference]
	}
	if t.set[Postprocessing] {
		l.PostprocessingMs = &v[Postprocessing]
	}
	return l
}

// Apply sets p's stage latencies from the Timer, and p's Timestamp to the
// Timer's start when it is zero. Like Latency it allocates once.
func (t *Timer) Apply(p *modelwatch.Prediction) {
	if t == nil {
		return
	}
	p.Latency = t.Latency()
	if p.Timestamp.IsZero() {
		p.Timestamp = t.start
	}
}

// ms converts d to milliseconds.
func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
