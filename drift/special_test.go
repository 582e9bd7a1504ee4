package drift

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// The special-function vectors come from SciPy 1.10.1 via
// testdata/scipy/generate.py.

func loadSpecials(t *testing.T) map[string][][]float64 {
	t.Helper()
	b, err := os.ReadFile("testdata/scipy/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Specials map[string][][]float64 `json:"specials"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Specials
}

func within(got, want, rel, abs float64) bool {
	d := math.Abs(got - want)
	return d <= abs || d <= rel*math.Abs(want)
}

func TestSpecialFunctionsMatchSciPy(t *testing.T) {
	sp := loadSpecials(t)
	heavy := func(n int) bool { return raceDetector && n >= 100000 } // pure arithmetic, slow under -race
	for _, v := range sp["kstwo_sf"] {
		n, d, want := int(v[0]), v[1], v[2]
		if heavy(n) {
			continue
		}
		if got := kolmogornSF(n, d); !within(got, want, 1e-9, 1e-12) {
			t.Errorf("kstwo.sf(%v, %d) = %v, want %v (±1e-9)", d, n, got, want)
		}
	}
	for _, v := range sp["smirnov"] {
		n, x, want := int(v[0]), v[1], v[2]
		if heavy(n) {
			continue
		}
		if got := smirnovSF(n, x); !within(got, want, 1e-9, 1e-12) {
			t.Errorf("smirnov(%d, %v) = %v, want %v (±1e-9)", n, x, got, want)
		}
	}
	for _, v := range sp["chi2_sf"] {
		if got := chi2SF(v[0], v[1]); !within(got, v[2], 1e-12, 1e-300) {
			t.Errorf("chi2.sf(%v, %v) = %v, want %v (±1e-12)", v[0], v[1], got, v[2])
		}
	}
	for _, v := range sp["t_two_sided"] {
		// The continued fraction loses about eps*df/4 relative accuracy
		// when df is in the millions (7e-11 at df = 2e6).
		tol := 1e-12
		if v[1] > 1e5 {
			tol = 1e-9
		}
		if got := studentTwoSidedP(v[0], v[1]); !within(got, v[2], tol, 1e-300) {
			t.Errorf("2*stdtr(%v, -|%v|) = %v, want %v (±%g)", v[1], v[0], got, v[2], tol)
		}
	}
	for _, v := range sp["ndtr"] {
		if got := ndtr(v[0]); !within(got, v[1], 1e-14, 1e-300) {
			t.Errorf("ndtr(%v) = %v, want %v (±1e-14)", v[0], got, v[1])
		}
	}
	for _, v := range sp["kv_quarter"] {
		// SciPy's AMOS kv is itself off by up to ~1e-13 (checked against
		// mpmath), so compare at that level.
		if got := besselK(0.25, v[0]); !within(got, v[1], 1e-12, 1e-300) {
			t.Errorf("kv(0.25, %v) = %v, want %v (±1e-12)", v[0], got, v[1])
		}
	}
}

func TestAndersonInterpolationIsNumPysFit(t *testing.T) {
	// Recompute np.polyfit(critical, log(sig), 2) by least squares and check
	// the hard-coded coefficients in andersonPValue.
	crit := []float64{0.32500000000000007, 1.226, 1.9609999999999999, 2.718, 3.752, 4.592, 6.546}
	sig := []float64{0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001}
	var s [5]float64
	var r [3]float64
	for i, x := range crit {
		y := math.Log(sig[i])
		p := 1.0
		for k := range 5 {
			s[k] += p
			if k < 3 {
				r[k] += p * y
			}
			p *= x
		}
	}
	// Normal equations for c0 + c1 x + c2 x^2, solved by Cramer's rule.
	m := [3][3]float64{{s[0], s[1], s[2]}, {s[1], s[2], s[3]}, {s[2], s[3], s[4]}}
	det := func(a [3][3]float64) float64 {
		return a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) - a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) + a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	}
	d := det(m)
	var c [3]float64
	for k := range 3 {
		mk := m
		for i := range 3 {
			mk[i][k] = r[i]
		}
		c[k] = det(mk) / d
	}
	want := [3]float64{0.01819809457411147, -1.0082265644652515, -1.077770279820484} // x^2, x, 1
	got := [3]float64{c[2], c[1], c[0]}
	for i := range want {
		if !within(got[i], want[i], 1e-9, 0) {
			t.Errorf("polyfit coefficient %d = %v, hard-coded %v", i, got[i], want[i])
		}
	}
}
