package estimate

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkEstimate measures one chunk's estimate with a fitted estimator:
// the server's cost per chunk. The target is ≤ 5 ms for 10k predictions.
func BenchmarkEstimate(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, mc := range []bool{false, true} {
		ref := synthetic(r, 20000, 0, true)
		if mc {
			ref = syntheticMulticlass(r, 20000)
		}
		e, err := Fit(ref, Options{Calibration: CalibrateAlways, Chunker: SizeChunker{Size: 2000}})
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range []int{1000, 10000, 100000} {
			for _, labelled := range []bool{false, true} {
				if labelled && n != 10000 {
					continue
				}
				d := synthetic(r, n, 0.3, true)
				kind := "binary"
				if mc {
					d = syntheticMulticlass(r, n)
					kind = "multiclass"
				}
				if labelled {
					// With labels the realised metrics are computed too.
					kind += "+labels"
				} else {
					d.Label = nil
				}
				b.Run(fmt.Sprintf("%s/rows=%d", kind, n), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := e.Estimate(d); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkFit measures fitting on labelled reference data: calibration
// decision (ten isotonic fits), calibrators, sampling-error components,
// thresholds over ten chunks and the reference estimates.
func BenchmarkFit(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{10000, 100000} {
		ref := synthetic(r, n, 0, true)
		b.Run(fmt.Sprintf("binary/rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(ref, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	ref := syntheticMulticlass(r, 100000)
	b.Run("multiclass/rows=100000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Fit(ref, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIsotonic measures fitting and applying a calibrator alone.
func BenchmarkIsotonic(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	d := synthetic(r, 100000, 0, true)
	y := make([]float64, len(d.Label))
	for i, l := range d.Label {
		y[i] = float64(l)
	}
	b.Run("fit/rows=100000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := FitIsotonic(d.Scores[0], y, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	iso, _ := FitIsotonic(d.Scores[0], y, nil)
	out := make([]float64, 10000)
	b.Run("transform/rows=10000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			iso.Transform(out, d.Scores[0][:10000])
		}
	})
}
