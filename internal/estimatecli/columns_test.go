package estimatecli

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/estimate"
)

// defaultColumns are the command's default column names.
func defaultColumns() Columns {
	return Columns{YPredProba: "y_pred_proba", ProbaPrefix: "proba_", YPred: "y_pred", YTrue: "y_true"}
}

func table(t *testing.T, name, csv string) *Table {
	t.Helper()
	tab, err := ReadCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	tab.Name = name
	return tab
}

func TestDetectModel(t *testing.T) {
	m, err := DetectModel(table(t, "r.csv", "y_pred_proba,proba_a,proba_b\n"), defaultColumns())
	if err != nil || m.Multiclass() || !slices.Equal(m.ScoreNames, []string{"y_pred_proba"}) {
		t.Errorf("binary: %+v, %v", m, err)
	}
	m, err = DetectModel(table(t, "r.csv", "proba_fish,y_pred,proba_cat,proba_dog\n"), defaultColumns())
	if err != nil || !slices.Equal(m.Classes, []string{"cat", "dog", "fish"}) ||
		!slices.Equal(m.ScoreNames, []string{"proba_cat", "proba_dog", "proba_fish"}) {
		t.Errorf("multiclass: %+v, %v", m, err)
	}
	if _, err := DetectModel(table(t, "r.csv", "proba_a,y_pred\n"), defaultColumns()); err == nil {
		t.Error("one class column: no error")
	}
}

func TestToData(t *testing.T) {
	c := defaultColumns()
	c.Timestamp = "ts"
	tab := table(t, "a.csv", "ts,y_pred_proba,y_pred,y_true\n2024-01-02,0.2,0,\n2024-01-01 10:00:00,0.9,true,1.0\n2024-01-01T09:00:00+01:00,0.6,1,False\n")
	d, err := ToData(tab, Model{ScoreNames: []string{"y_pred_proba"}}, c, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Scores[0], []float64{0.2, 0.9, 0.6}) || !slices.Equal(d.Pred, []int{0, 1, 1}) ||
		!slices.Equal(d.Label, []int{estimate.NoLabel, 1, 0}) {
		t.Errorf("data %+v", d)
	}
	if want := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC); !d.Time[2].Equal(want) {
		t.Errorf("time %v, want %v", d.Time[2], want)
	}

	mc := Model{Classes: []string{"cat", "dog"}, ScoreNames: []string{"proba_cat", "proba_dog"}}
	d, err = ToData(table(t, "m.csv", "proba_cat,proba_dog,y_pred,y_true\n0.3,0.7,dog,cat\n"), mc, defaultColumns(), true, true)
	if err != nil || d.Pred[0] != 1 || d.Label[0] != 0 || d.Scores[1][0] != 0.7 {
		t.Errorf("multiclass data %+v, %v", d, err)
	}

	for _, e := range []struct {
		csv       string
		needLabel bool
		want      string
	}{
		{"y_pred_proba,y_pred,y_true\n0.2,0,0\n0.4,0,\n", true, "x.csv: line 3: column y_true: missing"},
		{"y_pred_proba,y_pred,y_true\nNaN,0,0\n", false, `x.csv: line 2: column y_pred_proba: "NaN" is not a probability`},
		{"y_pred_proba,y_pred,y_true\n0.2,2,0\n", false, `x.csv: line 2: column y_pred: "2": want 0 or 1`},
		{"y_pred_proba,y_true\n0.2,0\n", false, `no column "y_pred"`},
		{"y_pred_proba,y_pred\n0.2,0\n", true, `no column "y_true"`},
		{"y_pred_proba,y_pred,ts\n0.2,0,yesterday\n", false, `x.csv: line 2: column ts: "yesterday"`},
		{"y_pred_proba,y_pred,ts\n0.2,0,\n", false, `x.csv: line 2: column ts: missing timestamp`},
	} {
		_, err := ToData(table(t, "x.csv", e.csv), Model{ScoreNames: []string{"y_pred_proba"}}, c, true, e.needLabel)
		if err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("%q: error %v, want %q", e.csv, err, e.want)
		}
	}
	if _, err := ToData(table(t, "m.csv", "proba_cat,proba_dog,y_pred\n0.3,0.7,cow\n"), mc, defaultColumns(), true, false); err == nil ||
		!strings.Contains(err.Error(), `"cow": want one of cat, dog`) {
		t.Errorf("unknown class: %v", err)
	}
}
