package report

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/modelwatch/modelwatch/drift"
)

// WriteText writes the report as a plain-text table, one line per column
// in report order, then the dataset verdict.
func WriteText(w io.Writer, rep drift.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COLUMN\tTYPE\tTEST\tTHRESHOLD\tSCORE\tKIND\tDRIFT")
	for _, c := range rep.Columns {
		score, verdict := "-", "no"
		if s, ok := c.Score(); ok {
			score = formatScore(s)
			if c.DriftDetected {
				verdict = "DRIFT"
			}
		} else {
			verdict = "not computable: " + c.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ColumnName, typeName(c.ColumnType), c.StatTest,
			formatNumber(c.StatTestThreshold), score, kindName(c.ScoreKind), verdict)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	state := "NOT detected"
	if rep.DatasetDrift {
		state = "DETECTED"
	}
	_, err := fmt.Fprintf(w, "\nDataset drift %s: %d of %d columns drifted (share %s, drift share %s).\n",
		state, rep.NumberOfDriftedColumns, rep.NumberOfColumns,
		strconv.FormatFloat(rep.ShareOfDriftedColumns, 'f', 3, 64), formatNumber(rep.DriftShare))
	if err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}
