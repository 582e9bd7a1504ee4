package drift

import (
	"slices"
	"strings"
)

// ScoreKind says what a drift score is.
type ScoreKind string

// The two kinds of score. A p-value drifts when it is small, a distance
// when it is large.
const (
	PValue   ScoreKind = "p_value"
	Distance ScoreKind = "distance"
)

// Test describes one statistical test under its Evidently key.
type Test struct {
	// Key is Evidently's stattest name, used in options and reports.
	Key string
	// Name is Evidently's display name, e.g. "K-S p_value".
	Name string
	// Kind says whether the score is a p-value or a distance.
	Kind ScoreKind
	// DefaultThreshold is Evidently's default threshold for the test.
	DefaultThreshold float64
	// Types are the column types Evidently accepts for the test when it
	// is chosen explicitly. (Its default choice also applies z and
	// chisquare to numerical columns.)
	Types []ColumnType
	// Rule is the drift rule, e.g. "p <= threshold".
	Rule string
}

// comparison is how a test compares its score with the threshold.
type comparison int

const (
	lessEqual comparison = iota
	less
	greaterEqual
	greater
)

// drifted applies the comparison.
func (c comparison) drifted(score, threshold float64) bool {
	switch c {
	case lessEqual:
		return score <= threshold
	case less:
		return score < threshold
	case greaterEqual:
		return score >= threshold
	default:
		return score > threshold
	}
}

// rule describes the comparison for people.
func (c comparison) rule(kind ScoreKind) string {
	v := "p"
	if kind == Distance {
		v = "d"
	}
	op := [...]string{"<=", "<", ">=", ">"}[c]
	return v + " " + op + " threshold"
}

// stattest is a test with its implementation.
type stattest struct {
	Test
	cmp comparison
	run func(*pair) (float64, error)
	// ordered tests (permutation tests) need the values in input order.
	ordered bool
}

// testKeys lists every test key in a stable order.
func testKeys() []string {
	return []string{
		"ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi", "kl_div",
		"hellinger", "ed", "anderson", "cramer_von_mises", "t_test", "mannw", "es",
		"fisher_exact", "g_test", "TVD", "empirical_mmd",
	}
}

// lookup returns the test with the given key.
func lookup(key string) (*stattest, bool) {
	num := []ColumnType{Numerical}
	cat := []ColumnType{Categorical}
	both := []ColumnType{Categorical, Numerical}
	mk := func(name string, kind ScoreKind, thr float64, types []ColumnType, cmp comparison, run func(*pair) (float64, error)) *stattest {
		return &stattest{
			Test: Test{Key: key, Name: name, Kind: kind, DefaultThreshold: thr, Types: types, Rule: cmp.rule(kind)},
			cmp:  cmp,
			run:  run,
		}
	}
	var t *stattest
	switch key {
	case "ks":
		t = mk("K-S p_value", PValue, 0.05, num, lessEqual, runKS)
	case "chisquare":
		t = mk("chi-square p_value", PValue, 0.05, cat, less, runChiSquare)
	case "z":
		t = mk("Z-test p_value", PValue, 0.05, cat, less, runZ)
	case "wasserstein":
		t = mk("Wasserstein distance (normed)", Distance, 0.1, num, greaterEqual, runWasserstein)
	case "jensenshannon":
		t = mk("Jensen-Shannon distance", Distance, 0.1, both, greaterEqual, runJensenShannon)
	case "psi":
		t = mk("PSI", Distance, 0.1, both, greaterEqual, runPSI)
	case "kl_div":
		t = mk("Kullback-Leibler divergence", Distance, 0.1, both, greaterEqual, runKLDiv)
	case "hellinger":
		t = mk("Hellinger distance", Distance, 0.1, both, greaterEqual, runHellinger)
	case "ed":
		t = mk("Energy-distance", Distance, 0.1, num, greater, runEnergy)
	case "anderson":
		t = mk("Anderson-Darling", PValue, 0.1, num, less, runAnderson)
	case "cramer_von_mises":
		t = mk("Cramer-von Mises", PValue, 0.1, num, lessEqual, runCramerVonMises)
	case "t_test":
		t = mk("t_test", PValue, 0.05, num, less, runTTest)
	case "mannw":
		t = mk("Mann-Whitney U-rank test", PValue, 0.05, num, less, runMannWhitney)
	case "es":
		t = mk("Epps-Singleton", PValue, 0.05, num, less, runEppsSingleton)
	case "fisher_exact":
		t = mk("Fisher's Exact test", PValue, 0.1, cat, less, runFisherExact)
	case "g_test":
		t = mk("g_test", PValue, 0.1, cat, less, runGTest)
	case "TVD":
		t = mk("Total-Variation-Distance", PValue, 0.1, cat, less, runTVD)
		t.ordered = true
	case "empirical_mmd":
		t = mk("empirical_mmd", PValue, 0.1, num, less, runMMD)
		t.ordered = true
	default:
		return nil, false
	}
	return t, true
}

// Tests returns every supported test, in Evidently's documentation order.
func Tests() []Test {
	keys := testKeys()
	out := make([]Test, 0, len(keys))
	for _, k := range keys {
		t, _ := lookup(k)
		out = append(out, t.Test)
	}
	return out
}

// LookupTest returns the test with the given Evidently key.
func LookupTest(key string) (Test, bool) {
	t, ok := lookup(key)
	if !ok {
		return Test{}, false
	}
	return t.Test, true
}

// verdict reports whether score means drift at threshold, with the test's
// own comparison (p <= threshold for ks, d > threshold for ed, ...).
func (t *stattest) verdict(score, threshold float64) bool {
	return t.cmp.drifted(score, threshold)
}

// applies reports whether Evidently accepts the test for a column type.
func (t *stattest) applies(typ ColumnType) bool {
	return slices.Contains(t.Types, typ)
}

// knownKeys lists the keys for error messages.
func knownKeys() string { return strings.Join(testKeys(), ", ") }
