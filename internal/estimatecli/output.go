package estimatecli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/modelwatch/modelwatch/estimate"
)

// writeJSON writes doc, indented. NaN never appears: package estimate
// writes it as null.
func writeJSON(w io.Writer, doc Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// writeTable writes the results for a reader: the model, the thresholds,
// then one line per chunk with each metric's estimate, the realised value
// in parentheses where rows are labelled, and "!" on an alert.
func writeTable(w io.Writer, e *estimate.Estimator, m Model, refName, anaName string, doc Document) error {
	kind := "binary model"
	if m.Multiclass() {
		kind = fmt.Sprintf("multiclass model (%s)", strings.Join(m.Classes, ", "))
	}
	cal := "probabilities used as given"
	if e.NeedsCalibration() {
		cal = "probabilities calibrated (isotonic)"
		if m.Multiclass() {
			var which []string
			for k, on := range e.Calibrated() {
				if on {
					which = append(which, m.Classes[k])
				}
			}
			cal = "probabilities of " + strings.Join(which, ", ") + " calibrated (isotonic)"
		}
	}
	fmt.Fprintf(w, "CBPE estimate of %s, fitted on %s: %s, %s.\n\n", anaName, refName, kind, cal)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tlower threshold\tupper threshold")
	for _, name := range doc.Metrics {
		lo, hi, _ := e.Thresholds(name)
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, number(name, lo), number(name, hi))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "period\tchunk\trows\tlabelled\t%s\n", strings.Join(doc.Metrics, "\t"))
	for _, c := range doc.Chunks {
		cells := []string{c.Period, c.Key, strconv.Itoa(c.Len()), strconv.Itoa(c.Labelled)}
		for _, r := range c.Metrics {
			cell := number(r.Name, r.Value)
			if r.HasRealized {
				cell += " (" + number(r.Name, r.Realized) + ")"
			}
			if r.Alert {
				cell += " !"
			}
			cells = append(cells, cell)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nEach cell: the CBPE estimate, the realised value (in parentheses) where rows have labels, ! when the estimate is outside the thresholds.")
	return err
}

// number formats a value: "-" when unknown, four decimals for rates, one
// for confusion-matrix counts.
func number(name string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	if (strings.HasPrefix(name, "true_") || strings.HasPrefix(name, "false_")) && math.Abs(v) > 1 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.4f", v)
}
