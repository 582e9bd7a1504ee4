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

// BenchmarkMergeStored measures what an ingest does for each latency
// sketch of a rollup bucket it adds to: decode the stored sketch into the
// batch's, and encode the sum. The stored sketch holds a day of latencies,
// the batch's a minute's (copied for each round, which is counted too).
func BenchmarkMergeStored(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	day, minute := NewSketch(), NewSketch()
	for range 50000 {
		_ = day.Add(5 + rng.ExpFloat64()*40)
	}
	for range 60 {
		_ = minute.Add(5 + rng.ExpFloat64()*40)
	}
	var enc []byte
	day.Encode(&enc, false)
	for b.Loop() {
		var stored Sketch
		stored.SetEncoded(enc, 50000, 5, 400)
		batch := &Sketch{N: 60, Min: 5, Max: 300, sk: minute.Copy()}
		if err := batch.Merge(&stored); err != nil {
			b.Fatal(err)
		}
		if _, err := batch.Encoded(); err != nil {
			b.Fatal(err)
		}
	}
}
