package drift

import (
	"math"
	"testing"
)

// TestVerdictAtThreshold pins every test's comparison with its threshold,
// as Evidently 0.7.21 writes it in each stattest file (reference §2.4):
// the verdict exactly at the threshold and one float64 step either side.
// A p-value test drifts below the threshold, a distance above it; the
// cases at the threshold tell "<=" from "<" and ">=" from ">".
func TestVerdictAtThreshold(t *testing.T) {
	want := map[string]string{
		"ks":               "<=",
		"chisquare":        "<",
		"z":                "<",
		"wasserstein":      ">=",
		"jensenshannon":    ">=",
		"psi":              ">=",
		"kl_div":           ">=",
		"hellinger":        ">=",
		"ed":               ">",
		"anderson":         "<",
		"cramer_von_mises": "<=",
		"t_test":           "<",
		"mannw":            "<",
		"es":               "<",
		"fisher_exact":     "<",
		"g_test":           "<",
		"TVD":              "<",
		"empirical_mmd":    "<",
	}
	if len(want) != len(testKeys()) {
		t.Fatalf("%d tests in the table, %d registered", len(want), len(testKeys()))
	}
	for _, key := range testKeys() {
		op, ok := want[key]
		if !ok {
			t.Errorf("%s: no expected comparison in the table", key)
			continue
		}
		st, _ := lookup(key)
		v := "p"
		if st.Kind == Distance {
			v = "d"
		}
		if rule := v + " " + op + " threshold"; st.Rule != rule {
			t.Errorf("%s: Rule = %q, want %q", key, st.Rule, rule)
		}
		// below, at, above the threshold
		var exp [3]bool
		switch op {
		case "<=":
			exp = [3]bool{true, true, false}
		case "<":
			exp = [3]bool{true, false, false}
		case ">=":
			exp = [3]bool{false, true, true}
		case ">":
			exp = [3]bool{false, false, true}
		}
		for _, thr := range []float64{st.DefaultThreshold, 0.01, 0.5, 1} {
			scores := [3]float64{math.Nextafter(thr, math.Inf(-1)), thr, math.Nextafter(thr, math.Inf(1))}
			for i, score := range scores {
				if got := st.verdict(score, thr); got != exp[i] {
					t.Errorf("%s: verdict(score %v, threshold %v) = %v, want %v (drift when %s %s threshold)", key, score, thr, got, exp[i], v, op)
				}
			}
		}
	}
}
