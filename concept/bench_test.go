package concept

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchStream is a stationary stream of prediction errors at a 20% error
// rate: the steady state of a monitored model.
func benchStream() []float64 {
	return bernoulli(rand.New(rand.NewPCG(1, 2)), 1<<16, 0.2)
}

// BenchmarkUpdate measures one Update of each detector with River's
// defaults, in steady state (after 65536 values).
func BenchmarkUpdate(b *testing.B) {
	xs := benchStream()
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			d := newDetector(b, name, nil)
			for _, x := range xs {
				d.Update(x)
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				d.Update(xs[i&(len(xs)-1)])
				i++
			}
		})
	}
}

// BenchmarkADWINWidth measures ADWIN's amortised Update as its window grows
// (a stationary stream is never cut).
func BenchmarkADWINWidth(b *testing.B) {
	xs := benchStream()
	for _, width := range []int{1 << 10, 1 << 16, 1 << 20} {
		b.Run(fmt.Sprintf("width=%d", width), func(b *testing.B) {
			a, err := NewADWIN(ADWINConfig{})
			if err != nil {
				b.Fatal(err)
			}
			for i := range width {
				a.Update(xs[i&(len(xs)-1)])
			}
			i := width
			b.ReportAllocs()
			for b.Loop() {
				a.Update(xs[i&(len(xs)-1)])
				i++
			}
		})
	}
}

// BenchmarkKSWINSize measures KSWIN's Update, one KS test each, as the
// compared samples grow.
func BenchmarkKSWINSize(b *testing.B) {
	xs := benchStream()
	for _, stat := range []int{30, 100, 500} {
		b.Run(fmt.Sprintf("stat_size=%d", stat), func(b *testing.B) {
			k, err := NewKSWIN(KSWINConfig{WindowSize: 4 * stat, StatSize: stat, Alpha: 1e-9})
			if err != nil {
				b.Fatal(err)
			}
			for _, x := range xs[:8*stat] {
				k.Update(x)
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				k.Update(xs[i&(len(xs)-1)])
				i++
			}
		})
	}
}
