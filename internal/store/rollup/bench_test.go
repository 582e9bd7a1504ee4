package rollup

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

// benchPredictions returns n predictions one second apart (about 17
// minute buckets per 1000, as in the stores' ingest benchmarks) with a
// confidence, three latency stages and one of three classes.
func benchPredictions(n int) []modelwatch.Prediction {
	rng := rand.New(rand.NewPCG(1, 2))
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	ps := make([]modelwatch.Prediction, n)
	for i := range ps {
		p := &ps[i]
		p.ID = strconv.Itoa(i)
		p.Timestamp = day.Add(time.Duration(i) * time.Second)
		p.Prediction = modelwatch.Label(strconv.Itoa(i % 3))
		p.Confidence = new(0.4 + rng.Float64()*0.6)
		p.Latency.PreprocessingMs = new(rng.Float64() * 3)
		p.Latency.InferenceMs = new(5 + rng.ExpFloat64()*40)
		p.Latency.PostprocessingMs = new(rng.Float64())
	}
	return ps
}

// BenchmarkBatchAddPrediction measures summarising a batch of 1000
// predictions at every resolution (what every ingest transaction does
// before it writes the rollups); ns/op is per batch.
func BenchmarkBatchAddPrediction(b *testing.B) {
	ps := benchPredictions(1000)
	for b.Loop() {
		batch := NewBatch()
		for i := range ps {
			batch.AddPrediction(1, &ps[i])
		}
	}
}
