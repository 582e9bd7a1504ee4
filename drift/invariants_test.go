package drift_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

// randomDataset returns two numerical and two categorical columns.
func randomDataset(seed uint64, n int, shift float64) []drift.Column {
	r := rand.New(rand.NewPCG(seed, 7))
	a := make([]float64, n)
	b := make([]float64, n)
	cats := make([]string, n)
	bin := make([]string, n)
	for i := range n {
		a[i] = r.NormFloat64() + shift
		b[i] = math.Round(r.ExpFloat64() * 3)
		if i%17 == 0 {
			a[i] = math.NaN()
		}
		cats[i] = string(rune('a' + r.IntN(5)))
		if r.Float64() < 0.3+shift/4 {
			bin[i] = "yes"
		} else {
			bin[i] = "no"
		}
	}
	return []drift.Column{
		drift.Numeric("a", a), drift.Numeric("b", b),
		drift.Strings("c", cats, nil), drift.Strings("d", bin, nil),
	}
}

func cloneColumns(cols []drift.Column) []drift.Column {
	out := make([]drift.Column, len(cols))
	for i, c := range cols {
		c.Numbers = slices.Clone(c.Numbers)
		c.Codes = slices.Clone(c.Codes)
		c.Levels = slices.Clone(c.Levels)
		out[i] = c
	}
	return out
}

func sameColumns(a, b []drift.Column) bool {
	for i := range a {
		if !slices.EqualFunc(a[i].Numbers, b[i].Numbers, func(x, y float64) bool {
			return x == y || (math.IsNaN(x) && math.IsNaN(y))
		}) || !slices.Equal(a[i].Codes, b[i].Codes) || !slices.Equal(a[i].Levels, b[i].Levels) {
			return false
		}
	}
	return true
}

// checkReport asserts the invariants of any report.
func checkReport(t *testing.T, rep drift.Report) {
	t.Helper()
	for _, c := range rep.Columns {
		score, ok := c.Score()
		if !ok {
			if c.Reason == "" || c.DriftDetected {
				t.Errorf("%s %s: no score but reason %q, drift %v", c.ColumnName, c.StatTest, c.Reason, c.DriftDetected)
			}
			continue
		}
		if math.IsNaN(score) || math.IsInf(score, 0) {
			t.Errorf("%s %s: score %v is not finite", c.ColumnName, c.StatTest, score)
		}
		if c.ScoreKind == drift.PValue && (score < 0 || score > 1) {
			t.Errorf("%s %s: p-value %v outside [0, 1]", c.ColumnName, c.StatTest, score)
		}
		if c.ScoreKind == drift.Distance && score < 0 {
			t.Errorf("%s %s: distance %v < 0", c.ColumnName, c.StatTest, score)
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("report does not encode as JSON: %v", err)
	}
}

func TestInvariantsEveryTest(t *testing.T) {
	ref := randomDataset(1, 300, 0)
	cur := randomDataset(2, 260, 0.4)
	refCopy, curCopy := cloneColumns(ref), cloneColumns(cur)
	for _, test := range drift.Tests() {
		t.Run(test.Key, func(t *testing.T) {
			rep, err := drift.Compare(ref, cur, drift.Options{StatTest: test.Key})
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep)
			for _, c := range rep.Columns {
				if c.StatTest != test.Key || c.ScoreKind != test.Kind {
					t.Errorf("%s: stattest %s kind %s, want %s %s", c.ColumnName, c.StatTest, c.ScoreKind, test.Key, test.Kind)
				}
				applies := slices.Contains(test.Types, c.ColumnType)
				if _, ok := c.Score(); !ok && applies && test.Key != "fisher_exact" && test.Key != "g_test" {
					t.Errorf("%s: %s not computable: %s", c.ColumnName, test.Key, c.Reason)
				}
				if !applies && c.DriftScore != nil {
					t.Errorf("%s: %s computed on a %s column, which Evidently rejects", c.ColumnName, test.Key, c.ColumnType)
				}
			}
			if !sameColumns(ref, refCopy) || !sameColumns(cur, curCopy) {
				t.Fatal("Compare modified its input")
			}
		})
	}
}

func TestIdenticalSamplesNeverDrift(t *testing.T) {
	data := randomDataset(3, 400, 0)
	for _, test := range drift.Tests() {
		rep, err := drift.Compare(data, data, drift.Options{StatTest: test.Key})
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, rep)
		for _, c := range rep.Columns {
			if c.DriftDetected {
				score, _ := c.Score()
				t.Errorf("%s on identical %s: score %v drifts (threshold %v)", test.Key, c.ColumnName, score, c.StatTestThreshold)
			}
		}
	}
	rep, err := drift.Compare(data, data, drift.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.DatasetDrift || rep.NumberOfDriftedColumns != 0 {
		t.Errorf("identical datasets: %d drifted columns, dataset drift %v", rep.NumberOfDriftedColumns, rep.DatasetDrift)
	}
}

func TestPreparedReferenceMatchesOneShot(t *testing.T) {
	ref := randomDataset(4, 1500, 0)
	prepared, err := drift.Prepare(ref, drift.Options{PerColumnStatTest: map[string]string{"c": "TVD", "b": "ks"}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan drift.Report, 4)
	for w := range 4 {
		go func() {
			rep, err := prepared.Compare(randomDataset(uint64(10+w), 900, float64(w)/5))
			if err != nil {
				t.Error(err)
			}
			done <- rep
		}()
	}
	for range 4 {
		<-done
	}
	for w := range 4 {
		cur := randomDataset(uint64(10+w), 900, float64(w)/5)
		a, err := prepared.Compare(cur)
		if err != nil {
			t.Fatal(err)
		}
		b, err := drift.Compare(ref, cur, drift.Options{PerColumnStatTest: map[string]string{"c": "TVD", "b": "ks"}})
		if err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("window %d: prepared %s\none-shot %s", w, ja, jb)
		}
	}
}
