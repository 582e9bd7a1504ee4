package httpapi

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchNDJSON is an NDJSON batch of n predictions with nf features each, the
// shape of BenchmarkIngest's batches.
func benchNDJSON(n, nf int) []byte {
	rng := rand.New(rand.NewPCG(1, 1))
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"id":"%016d","model_name":"bench","model_version":"v1","timestamp":"2026-11-26T10:%02d:%02dZ","features":{`, i, i/60%60, i%60)
		for j := range nf {
			if j > 0 {
				b.WriteByte(',')
			}
			if j%5 == 4 {
				fmt.Fprintf(&b, `"f%02d":"level_%d"`, j, rng.IntN(12))
			} else {
				fmt.Fprintf(&b, `"f%02d":%.6g`, j, rng.NormFloat64()*100)
			}
		}
		fmt.Fprintf(&b, `},"prediction":%d,"confidence":%.4f,"latency":{"preprocessing_ms":%.3f,"inference_ms":%.3f,"postprocessing_ms":%.3f}}`+"\n",
			i%3, 0.4+rng.Float64()*0.6, rng.Float64()*3, 5+rng.ExpFloat64()*40, rng.Float64())
	}
	return b.Bytes()
}

// BenchmarkDecodePredictions measures decoding and validating one NDJSON
// batch of 1000 predictions with 20 features, without HTTP or a store.
func BenchmarkDecodePredictions(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		body := benchNDJSON(n, 20)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				ps, errs := decodePredictions(body, formatNDJSON)
				if len(errs) > 0 || len(ps) != n {
					b.Fatalf("decoded %d rows, errors %v", len(ps), errs)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
