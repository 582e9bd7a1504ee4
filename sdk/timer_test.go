package sdk_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
)

// msOf returns *v, or -1 for nil.
func msOf(v *float64) float64 {
	if v == nil {
		return -1
	}
	return *v
}

// TestTimerMarksStages measures stages in a synctest bubble, where time.Sleep
// advances a virtual clock exactly.
func TestTimerMarksStages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		tm := sdk.StartTimer()
		time.Sleep(3 * time.Millisecond)
		tm.Mark(sdk.Preprocessing)
		time.Sleep(40 * time.Millisecond)
		tm.Mark(sdk.Inference)
		time.Sleep(time.Second) // not a stage
		tm.Skip()
		time.Sleep(2 * time.Millisecond)
		tm.Mark(sdk.Postprocessing)
		time.Sleep(1500 * time.Microsecond)
		tm.Mark(sdk.Postprocessing) // adds up

		if !tm.Start().Equal(start) {
			t.Errorf("Start() = %v, want %v", tm.Start(), start)
		}
		for _, tc := range []struct {
			s    sdk.Stage
			want time.Duration
		}{
			{sdk.Preprocessing, 3 * time.Millisecond},
			{sdk.Inference, 40 * time.Millisecond},
			{sdk.Postprocessing, 3500 * time.Microsecond},
		} {
			if d, ok := tm.Duration(tc.s); !ok || d != tc.want {
				t.Errorf("Duration(%v) = %v, %v; want %v, true", tc.s, d, ok, tc.want)
			}
		}
		l := tm.Latency()
		time.Sleep(time.Millisecond)
		tm.Mark(sdk.Inference) // does not change l
		if msOf(l.PreprocessingMs) != 3 || msOf(l.InferenceMs) != 40 || msOf(l.PostprocessingMs) != 3.5 {
			t.Errorf("Latency() = %v, %v, %v ms; want 3, 40, 3.5", msOf(l.PreprocessingMs), msOf(l.InferenceMs), msOf(l.PostprocessingMs))
		}

		var p modelwatch.Prediction
		tm.Apply(&p)
		if !p.Timestamp.Equal(start) || msOf(p.Latency.InferenceMs) != 41 {
			t.Errorf("Apply: timestamp %v, inference %v ms; want %v, 41", p.Timestamp, msOf(p.Latency.InferenceMs), start)
		}
		given := start.Add(-time.Hour)
		p = modelwatch.Prediction{Timestamp: given}
		tm.Apply(&p)
		if !p.Timestamp.Equal(given) {
			t.Errorf("Apply replaced a timestamp: %v, want %v", p.Timestamp, given)
		}
	})
}

// TestTimerUnmarkedStagesAreNil checks that only marked stages are set.
func TestTimerUnmarkedStagesAreNil(t *testing.T) {
	tm := sdk.StartTimer()
	if l := tm.Latency(); l != (modelwatch.Latency{}) {
		t.Errorf("Latency() of an unmarked timer = %+v, want all nil", l)
	}
	tm.Mark(sdk.Inference)
	l := tm.Latency()
	if l.PreprocessingMs != nil || l.InferenceMs == nil || *l.InferenceMs < 0 || l.PostprocessingMs != nil {
		t.Errorf("Latency() = %+v, want inference only", l)
	}
	if _, ok := tm.Duration(sdk.Preprocessing); ok {
		t.Error("Duration(Preprocessing) reports a stage that was not marked")
	}
}

// TestNilTimer checks that a nil *Timer, what TimerFrom gives without the
// middleware, is safe to use.
func TestNilTimer(t *testing.T) {
	var tm *sdk.Timer
	tm.Mark(sdk.Inference)
	tm.Skip()
	p := modelwatch.Prediction{ModelName: "m"}
	tm.Apply(&p)
	if d, ok := tm.Duration(sdk.Inference); ok || d != 0 || !tm.Start().IsZero() || tm.Latency() != (modelwatch.Latency{}) || !p.Timestamp.IsZero() {
		t.Error("a nil Timer reported or set something")
	}
}

func TestStageString(t *testing.T) {
	for s, want := range map[sdk.Stage]string{
		sdk.Preprocessing: "preprocessing", sdk.Inference: "inference", sdk.Postprocessing: "postprocessing", 7: "Stage(7)",
	} {
		if got := s.String(); got != want {
			t.Errorf("Stage(%d).String() = %q, want %q", uint8(s), got, want)
		}
	}
}

// TestLogTimedSendsTheStages checks what LogTimed puts on the wire: the
// timer's stages replace the prediction's, and its start is the timestamp.
func TestLogTimedSendsTheStages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(nil)
		c := newClient(t, sdk.Config{Endpoint: "http://mw", HTTPClient: f.client()})
		start := time.Now()
		tm := sdk.StartTimer()
		time.Sleep(2 * time.Millisecond)
		tm.Mark(sdk.Preprocessing)
		time.Sleep(25 * time.Millisecond)
		tm.Mark(sdk.Inference)
		p := prediction(0, true)
		total := 99.0
		p.LatencyMs = &total
		c.LogTimed(p, &tm)
		c.LogTimed(prediction(1, true), nil) // Log
		if err := c.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		reqs := f.requests()
		if len(reqs) != 1 || len(reqs[0].Lines) != 2 {
			t.Fatalf("requests = %+v, want one with two records", reqs)
		}
		var got, plain modelwatch.Prediction
		decodeLine(t, reqs[0].Lines[0], &got)
		decodeLine(t, reqs[0].Lines[1], &plain)
		if !got.Timestamp.Equal(start) {
			t.Errorf("timestamp = %v, want the timer's start %v", got.Timestamp, start)
		}
		if msOf(got.Latency.PreprocessingMs) != 2 || msOf(got.Latency.InferenceMs) != 25 || got.Latency.PostprocessingMs != nil ||
			msOf(got.LatencyMs) != 99 || msOf(got.Confidence) != 0.5 {
			t.Errorf("sent %s, want preprocessing 2, inference 25, latency_ms 99, confidence 0.5", reqs[0].Lines[0])
		}
		if plain.Latency != (modelwatch.Latency{}) || !plain.Timestamp.Equal(start.Add(27*time.Millisecond)) {
			t.Errorf("LogTimed with a nil timer sent %s, want no latency and the current time", reqs[0].Lines[1])
		}
	})
}
