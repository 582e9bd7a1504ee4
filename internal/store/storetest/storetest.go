package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// Harness opens the stores under test.
type Harness struct {
	// Open returns a new, empty store whose clock is now. The harness
	// closes it at the end of the test.
	Open func(t *testing.T, now func() time.Time) store.Store
	// Reopen closes s and opens the same database again with the clock now.
	Reopen func(t *testing.T, s store.Store, now func() time.Time) store.Store
}

// Run runs the conformance suite.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"IngestRoundTrip", testIngestRoundTrip},
		{"IngestIdempotent", testIngestIdempotent},
		{"IngestAtomic", testIngestAtomic},
		{"GroundTruthAfterPrediction", testGroundTruthAfter},
		{"GroundTruthBeforePrediction", testGroundTruthBefore},
		{"Relabel", testRelabel},
		{"LabelledAtIngest", testLabelledAtIngest},
		{"LatestLabelled", testLatestLabelled},
		{"LabelEventsPaging", testLabelEventsPaging},
		{"Stats", testStats},
		{"StatsFilters", testStatsFilters},
		{"StatsCoverageAndLabelsLater", testStatsCoverage},
		{"LowConfidence", testLowConfidence},
		{"ModelVersions", testModelVersions},
		{"Durable", testDurable},
		{"ConcurrentWriters", testConcurrentWriters},
		{"LabelEventsTail", testLabelEventsTail},
		{"Settings", testSettings},
		{"Reference", testReference},
		{"ScanFeatures", testScanFeatures},
		{"Accuracy", testAccuracy},
		{"DriftRuns", testDriftRuns},
		{"ConceptEvents", testConceptEvents},
		{"Series", testSeries},
		{"Audit", testAudit},
		{"LatestAndFirstLabelled", testLatestAndFirstLabelled},
		{"Estimates", testEstimates},
		{"Archive", testArchive},
		{"JobRuns", testJobRuns},
		{"PruneRollups", testPruneRollups},
		{"PruneWhileIngesting", testPruneWhileIngesting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, h)
		})
	}
}

// Clock is a settable clock for stores under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is the suite's epoch: a Monday, 10:30 UTC.
var t0 = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

func ctx(t *testing.T) context.Context { return t.Context() }

// pred returns a minimal valid prediction.
func pred(id, model, version string, ts time.Time, class string, conf float64) modelwatch.Prediction {
	return modelwatch.Prediction{
		ID: id, ModelName: model, ModelVersion: version, Timestamp: ts,
		Prediction: modelwatch.Label(class), Confidence: new(conf),
	}
}

func mustIngest(t *testing.T, s store.Store, ps ...modelwatch.Prediction) store.IngestResult {
	t.Helper()
	res, err := s.IngestPredictions(ctx(t), ps)
	if err != nil {
		t.Fatalf("IngestPredictions(%d predictions): %v", len(ps), err)
	}
	return res
}

func mustLabel(t *testing.T, s store.Store, labels ...modelwatch.GroundTruth) store.LabelResult {
	t.Helper()
	res, err := s.AddGroundTruth(ctx(t), labels)
	if err != nil {
		t.Fatalf("AddGroundTruth(%d labels): %v", len(labels), err)
	}
	return res
}

func gt(id, label string) modelwatch.GroundTruth {
	return modelwatch.GroundTruth{ID: id, GroundTruth: modelwatch.Label(label)}
}

func events(t *testing.T, s store.Store, after int64) []store.LabelEvent {
	t.Helper()
	evs, err := s.LabelEvents(ctx(t), after, 100000)
	if err != nil {
		t.Fatalf("LabelEvents(%d): %v", after, err)
	}
	return evs
}

// all returns every stored prediction of the suite's time range with a
// confidence, through LowConfidence.
func all(t *testing.T, s store.Store) []modelwatch.Prediction {
	t.Helper()
	ps, err := s.LowConfidence(ctx(t), store.LowConfidenceQuery{
		Since: t0.Add(-1000 * 24 * time.Hour), Threshold: 2, Limit: 1 << 30,
	})
	if err != nil {
		t.Fatalf("LowConfidence: %v", err)
	}
	return ps
}
