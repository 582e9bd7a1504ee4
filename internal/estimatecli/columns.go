package estimatecli

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/estimate"
)

// Columns names the input columns.
type Columns struct {
	// YPredProba is the probability of class 1 of a binary model. When the
	// reference has no such column, the model is multiclass and has one
	// column ProbaPrefix+<class> per class.
	YPredProba  string
	ProbaPrefix string // prefix of the per-class probability columns
	YPred       string // predicted class
	YTrue       string // true class: required in the reference, optional in the analysis data
	Timestamp   string // optional; orders the rows and enables period chunks
}

// Model is what the reference file says about the model: binary, or
// multiclass with its classes in sorted order (NannyML sorts them).
type Model struct {
	Classes    []string // nil for a binary model
	ScoreNames []string // the probability columns, in class order
}

// Multiclass reports whether the model has more than one probability column.
func (m Model) Multiclass() bool { return m.Classes != nil }

// DetectModel finds the probability columns in the reference table.
func DetectModel(t *Table, c Columns) (Model, error) {
	if t.Column(c.YPredProba) >= 0 {
		return Model{ScoreNames: []string{c.YPredProba}}, nil
	}
	var m Model
	if c.ProbaPrefix != "" {
		for _, col := range t.Columns {
			if cls, ok := strings.CutPrefix(col, c.ProbaPrefix); ok && cls != "" {
				m.Classes = append(m.Classes, cls)
			}
		}
	}
	if len(m.Classes) < 2 {
		return Model{}, fmt.Errorf("%s: no column %q and fewer than two %q columns: want %s for a binary model or %s<class> per class",
			t.Name, c.YPredProba, c.ProbaPrefix+"<class>", c.YPredProba, c.ProbaPrefix)
	}
	slices.Sort(m.Classes)
	for _, cls := range m.Classes {
		m.ScoreNames = append(m.ScoreNames, c.ProbaPrefix+cls)
	}
	return m, nil
}

// ToData converts a table into estimate.Data for model m. needPred says
// whether the predicted-class column is required; needLabel whether every
// row must have a true class (the reference). Errors name the file line and
// the column.
func ToData(t *Table, m Model, c Columns, needPred, needLabel bool) (estimate.Data, error) {
	var d estimate.Data
	n := len(t.Rows)
	at := func(row int, col, format string, args ...any) error {
		return fmt.Errorf("%s: %s: column %s: %s", t.Name, t.where(row), col, fmt.Sprintf(format, args...))
	}
	for _, name := range m.ScoreNames {
		i := t.Column(name)
		if i < 0 {
			return d, fmt.Errorf("%s: no column %q", t.Name, name)
		}
		col := make([]float64, n)
		for r, row := range t.Rows {
			v, err := strconv.ParseFloat(strings.TrimSpace(row[i]), 64)
			if err != nil || math.IsNaN(v) || v < 0 || v > 1 {
				return d, at(r, name, "%q is not a probability in [0, 1]", row[i])
			}
			col[r] = v
		}
		d.Scores = append(d.Scores, col)
	}
	class := func(s string) (int, bool) {
		s = strings.TrimSpace(s)
		if m.Multiclass() {
			k := slices.Index(m.Classes, s)
			return k, k >= 0
		}
		switch strings.ToLower(s) {
		case "0", "0.0", "false":
			return 0, true
		case "1", "1.0", "true":
			return 1, true
		}
		return 0, false
	}
	want := "0 or 1"
	if m.Multiclass() {
		want = "one of " + strings.Join(m.Classes, ", ")
	}
	if i := t.Column(c.YPred); i >= 0 {
		d.Pred = make([]int, n)
		for r, row := range t.Rows {
			k, ok := class(row[i])
			if !ok {
				return d, at(r, c.YPred, "%q: want %s", row[i], want)
			}
			d.Pred[r] = k
		}
	} else if needPred {
		return d, fmt.Errorf("%s: no column %q (the predicted class)", t.Name, c.YPred)
	}
	if i := t.Column(c.YTrue); i >= 0 {
		d.Label = make([]int, n)
		for r, row := range t.Rows {
			if strings.TrimSpace(row[i]) == "" {
				if needLabel {
					return d, at(r, c.YTrue, "missing: every reference row needs its true class")
				}
				d.Label[r] = estimate.NoLabel
				continue
			}
			k, ok := class(row[i])
			if !ok {
				return d, at(r, c.YTrue, "%q: want %s", row[i], want)
			}
			d.Label[r] = k
		}
	} else if needLabel {
		return d, fmt.Errorf("%s: no column %q (the true class, required in the reference)", t.Name, c.YTrue)
	}
	if c.Timestamp != "" {
		i := t.Column(c.Timestamp)
		if i < 0 {
			return d, fmt.Errorf("%s: no column %q (the timestamp)", t.Name, c.Timestamp)
		}
		d.Time = make([]time.Time, n)
		for r, row := range t.Rows {
			ts, err := parseTime(row[i])
			if err != nil {
				return d, at(r, c.Timestamp, "%v", err)
			}
			d.Time[r] = ts
		}
	}
	return d, nil
}

// parseTime parses an RFC 3339 timestamp, or one without a zone (UTC),
// with a space or a T, or a bare date.
func parseTime(s string) (time.Time, error) {
	layouts := [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02",
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("missing timestamp")
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 timestamp or YYYY-MM-DD[ hh:mm:ss]", s)
}
