package drift_test

import (
	"math"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

func result(t *testing.T, rep drift.Report, name string) drift.ColumnResult {
	t.Helper()
	for _, c := range rep.Columns {
		if c.ColumnName == name {
			return c
		}
	}
	t.Fatalf("no column %s in the report", name)
	return drift.ColumnResult{}
}

func TestTestAndThresholdPrecedence(t *testing.T) {
	ref := randomDataset(5, 200, 0)
	cur := randomDataset(6, 200, 0.2)
	tests := []struct {
		name    string
		opts    drift.Options
		column  string
		test    string
		thr     float64
		comment string
	}{
		{"defaults", drift.Options{}, "a", "ks", 0.05, "n_ref <= 1000, many values"},
		{"all", drift.Options{StatTest: "psi"}, "a", "psi", 0.1, "StatTest applies to every column"},
		{"num beats all", drift.Options{StatTest: "psi", NumStatTest: "wasserstein"}, "a", "wasserstein", 0.1, ""},
		{"num leaves cat", drift.Options{StatTest: "psi", NumStatTest: "wasserstein"}, "c", "psi", 0.1, ""},
		{"cat beats all", drift.Options{StatTest: "psi", CatStatTest: "TVD"}, "c", "TVD", 0.1, ""},
		{"column beats type", drift.Options{NumStatTest: "wasserstein", PerColumnStatTest: map[string]string{"a": "ed"}}, "a", "ed", 0.1, ""},
		{"threshold all", drift.Options{StatTestThreshold: new(0.2)}, "a", "ks", 0.2, ""},
		{"threshold type", drift.Options{StatTestThreshold: new(0.2), NumStatTestThreshold: new(0.3)}, "a", "ks", 0.3, ""},
		{"threshold cat type", drift.Options{StatTestThreshold: new(0.2), NumStatTestThreshold: new(0.3)}, "c", "chisquare", 0.2, ""},
		{"threshold column", drift.Options{NumStatTestThreshold: new(0.3), PerColumnStatTestThreshold: map[string]float64{"a": 0.01}}, "a", "ks", 0.01, ""},
		{"threshold independent of test", drift.Options{PerColumnStatTest: map[string]string{"a": "psi"}, NumStatTestThreshold: new(0.25)}, "a", "psi", 0.25, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := drift.Compare(ref, cur, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			c := result(t, rep, tt.column)
			if c.StatTest != tt.test || c.StatTestThreshold != tt.thr {
				t.Errorf("%s: test %s threshold %v, want %s %v", tt.column, c.StatTest, c.StatTestThreshold, tt.test, tt.thr)
			}
		})
	}
}

func TestDriftShareIsInclusive(t *testing.T) {
	ref := []drift.Column{drift.Strings("x", []string{"a", "a", "b"}, nil), drift.Strings("y", []string{"a", "a", "b"}, nil)}
	cur := []drift.Column{drift.Strings("x", []string{"b", "b", "b"}, nil), drift.Strings("y", []string{"a", "a", "b"}, nil)}
	rep, err := drift.Compare(ref, cur, drift.Options{StatTest: "psi"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.NumberOfDriftedColumns != 1 || rep.ShareOfDriftedColumns != 0.5 || !rep.DatasetDrift {
		t.Errorf("1 of 2 drifted: share %v dataset drift %v, want 0.5 true", rep.ShareOfDriftedColumns, rep.DatasetDrift)
	}
	rep, _ = drift.Compare(ref, cur, drift.Options{StatTest: "psi", DriftShare: 0.51})
	if rep.DatasetDrift {
		t.Error("share 0.5 with drift share 0.51: dataset drift, want none")
	}
}

func TestNotComputableColumnsDoNotStopTheReport(t *testing.T) {
	nan := math.NaN()
	ref := []drift.Column{
		drift.Numeric("ok", []float64{1, 2, 3, 4, 5, 6, 7}),
		drift.Numeric("empty_ref", []float64{nan, math.Inf(1), nan}),
		drift.Numeric("empty_cur", []float64{1, 2, 3}),
		drift.Numeric("missing", []float64{1, 2, 3}),
		drift.Numeric("wrong_type", []float64{1, 2, 3}),
		drift.Strings("ks_on_cat", []string{"a", "b"}, nil),
		drift.Invalid("unreadable", drift.Numerical, `row 3: "x" is not a number`),
	}
	cur := []drift.Column{
		drift.Numeric("ok", []float64{1, 2, 3, 4, 5, 6, 9}),
		drift.Numeric("empty_ref", []float64{1, 2}),
		drift.Numeric("empty_cur", []float64{nan, nan}),
		drift.Strings("wrong_type", []string{"a"}, nil),
		drift.Strings("ks_on_cat", []string{"a", "b"}, nil),
		drift.Numeric("unreadable", []float64{1}),
	}
	rep, err := drift.Compare(ref, cur, drift.Options{PerColumnStatTest: map[string]string{"ks_on_cat": "ks"}})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep)
	if rep.NumberOfColumns != len(ref) {
		t.Errorf("%d columns, want %d", rep.NumberOfColumns, len(ref))
	}
	want := map[string]string{
		"empty_ref":  "reference column has no values",
		"empty_cur":  "current column has no values",
		"missing":    "missing from the current dataset",
		"wrong_type": "categorical but the reference column is numerical",
		"ks_on_cat":  `stattest "ks" does not apply to categorical`,
		"unreadable": "is not a number",
	}
	for name, reason := range want {
		c := result(t, rep, name)
		if c.DriftScore != nil || c.DriftDetected || !strings.Contains(c.Reason, reason) {
			t.Errorf("%s: score %v drift %v reason %q, want no score and a reason containing %q", name, c.DriftScore, c.DriftDetected, c.Reason, reason)
		}
		if c.StatTest == "" || c.ScoreKind == "" {
			t.Errorf("%s: stattest %q score kind %q, want both set", name, c.StatTest, c.ScoreKind)
		}
	}
	if c := result(t, rep, "ok"); c.DriftScore == nil {
		t.Errorf("ok: not computed: %s", c.Reason)
	}
}

func TestOptionErrors(t *testing.T) {
	ref := randomDataset(7, 50, 0)
	tests := []struct {
		name string
		opts drift.Options
		want string
	}{
		{"unknown test", drift.Options{StatTest: "kolmogorov"}, `unknown stattest "kolmogorov"`},
		{"unknown column test", drift.Options{PerColumnStatTest: map[string]string{"zz": "ks"}}, `"zz": no such column`},
		{"unknown column threshold", drift.Options{PerColumnStatTestThreshold: map[string]float64{"zz": 0.1}}, `"zz": no such column`},
		{"NaN threshold", drift.Options{StatTestThreshold: new(math.NaN())}, "not a finite number"},
		{"drift share", drift.Options{DriftShare: 1.5}, "drift share 1.5"},
		{"unknown column", drift.Options{Columns: []string{"zz"}}, `column "zz" is not in the reference`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := drift.Compare(ref, ref, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	bad := []drift.Column{drift.Encoded("e", []int32{0, 3}, []string{"a"})}
	if _, err := drift.Compare(bad, bad, drift.Options{}); err == nil || !strings.Contains(err.Error(), `column "e" row 1`) {
		t.Errorf("bad code: error %v, want one naming the column and row", err)
	}
}

func TestDefaultTestTable(t *testing.T) {
	tests := []struct {
		typ        drift.ColumnType
		nRef, nVal int
		want       string
	}{
		{drift.Numerical, 1000, 6, "ks"},
		{drift.Numerical, 1001, 6, "wasserstein"},
		{drift.Numerical, 1000, 5, "chisquare"},
		{drift.Numerical, 1000, 3, "chisquare"},
		{drift.Numerical, 1000, 2, "z"},
		{drift.Numerical, 5000, 5, "jensenshannon"},
		{drift.Categorical, 10, 2, "z"},
		{drift.Categorical, 10, 3, "chisquare"},
		{drift.Categorical, 10, 40, "chisquare"},
		{drift.Categorical, 1001, 2, "jensenshannon"},
	}
	for _, tt := range tests {
		if got := drift.DefaultTest(tt.typ, tt.nRef, tt.nVal); got != tt.want {
			t.Errorf("DefaultTest(%s, %d, %d) = %s, want %s", tt.typ, tt.nRef, tt.nVal, got, tt.want)
		}
	}
}
