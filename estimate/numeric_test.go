package estimate

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

func TestSumMatchesNumPyBitForBit(t *testing.T) {
	for _, c := range readGolden(t).Numpy.Sums {
		if got := numpy.Sum(c.X); got != c.Sum {
			t.Errorf("sum(n=%d) = %v, want np.sum %v", len(c.X), got, c.Sum)
		}
		if c.Mean == nil {
			continue
		}
		if got := mean(c.X); !near(got, *c.Mean, 0) {
			t.Errorf("mean(n=%d) = %v, want np.mean %v", len(c.X), got, *c.Mean)
		}
		if got := std(c.X); !near(got, *c.Std, 1e-15) {
			t.Errorf("std(n=%d) = %v, want np.std %v", len(c.X), got, *c.Std)
		}
	}
}

func TestNanMeanStd(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	m, s := nanMeanStd(x)
	if lo, hi := m-3*s, m+3*s; lo != -4.116843969807043 || hi != 13.116843969807043 {
		t.Errorf("mean ∓ 3 std of 0..9 = %v, %v, want NannyML's -4.116843969807043, 13.116843969807043", lo, hi)
	}
	m, s = nanMeanStd([]float64{math.NaN(), 1, math.NaN(), 3})
	if m != 2 || s != 1 {
		t.Errorf("nanMeanStd(NaN, 1, NaN, 3) = %v, %v, want 2, 1", m, s)
	}
	m, s = nanMeanStd([]float64{math.NaN()})
	if !math.IsNaN(m) || !math.IsNaN(s) {
		t.Errorf("nanMeanStd(NaN) = %v, %v, want NaN, NaN", m, s)
	}
}

func TestRound5(t *testing.T) {
	// Values from np.round(x, 5) with numpy 1.24.2: x·1e5 is rounded half
	// to even, after the multiplication's own rounding (3.5e-5·1e5 is just
	// below 3.5).
	for _, c := range []struct{ in, want float64 }{
		{0.123456, 0.12346},
		{2.5e-5, 2e-5},
		{3.5e-5, 3e-5},
		{1.5e-5, 2e-5},
		{5e-6, 0},
		{-0.000004, 0}, // −0, which equals 0
		{12345.678901, 12345.6789},
	} {
		if got := round5(c.in); got != c.want {
			t.Errorf("round5(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestTrapezoid(t *testing.T) {
	if got := trapezoid([]float64{0, 0.5, 1}, []float64{0, 1, 1}); got != 0.75 {
		t.Errorf("trapezoid increasing = %v, want 0.75", got)
	}
	if got := trapezoid([]float64{1, 0.5, 0}, []float64{1, 1, 0}); got != 0.75 {
		t.Errorf("trapezoid decreasing = %v, want 0.75", got)
	}
	if got := trapezoid([]float64{0, 1, 0.5}, []float64{0, 1, 1}); !math.IsNaN(got) {
		t.Errorf("trapezoid non-monotonic = %v, want NaN (scikit-learn raises)", got)
	}
}

func TestArgsortIsStable(t *testing.T) {
	x := []float64{0.5, 0.1, 0.5, math.Copysign(0, -1), 0, 1, 0.1, -2, 0.5}
	want := []int{7, 3, 4, 1, 6, 0, 2, 8, 5}
	if got := argsort(x, nil); !slices.Equal(got, want) {
		t.Errorf("argsort = %v, want %v", got, want)
	}
	r := rand.New(rand.NewPCG(1, 1))
	y := make([]float64, 5000)
	for i := range y {
		y[i] = math.Round(r.NormFloat64()*100) / 100
	}
	got := argsort(y, nil)
	for k := 1; k < len(got); k++ {
		a, b := got[k-1], got[k]
		if y[a] > y[b] || (y[a] == y[b] && a > b) {
			t.Fatalf("argsort position %d: %d (%v) before %d (%v)", k, a, y[a], b, y[b])
		}
	}
}
