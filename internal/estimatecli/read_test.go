package estimatecli

import (
	"slices"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	in := "\ufeffy_pred_proba,y_pred,y_true\n0.25,0,\n\"0.75\",1,1\n"
	tab, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Columns, []string{"y_pred_proba", "y_pred", "y_true"}) {
		t.Errorf("columns %q (the byte-order mark must go)", tab.Columns)
	}
	if len(tab.Rows) != 2 || tab.Rows[1][0] != "0.75" || tab.Rows[0][2] != "" || !slices.Equal(tab.Line, []int{2, 3}) {
		t.Errorf("rows %q lines %v", tab.Rows, tab.Line)
	}
	for name, in := range map[string]string{
		"empty":            "",
		"duplicate column": "a,a\n1,2\n",
		"ragged row":       "a,b\n1,2\n3\n",
	} {
		if _, err := ReadCSV(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestReadNDJSON(t *testing.T) {
	in := `{"y_pred_proba": 0.25, "y_pred": 0}

{"y_pred_proba": 7.5e-1, "y_pred": "1", "y_true": true, "note": null}
`
	tab, err := ReadNDJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	p, y, n := tab.Column("y_pred_proba"), tab.Column("y_true"), tab.Column("note")
	if len(tab.Rows) != 2 || tab.Rows[1][p] != "7.5e-1" || tab.Rows[1][y] != "true" || tab.Rows[0][y] != "" || tab.Rows[1][n] != "" {
		t.Errorf("columns %q rows %q", tab.Columns, tab.Rows)
	}
	if !slices.Equal(tab.Line, []int{1, 3}) {
		t.Errorf("lines %v, want [1 3]", tab.Line)
	}
	for name, in := range map[string]string{
		"not an object": "[1, 2]\n",
		"nested value":  `{"a": {"b": 1}}` + "\n",
		"broken":        `{"a": 1` + "\n",
	} {
		if _, err := ReadNDJSON(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
