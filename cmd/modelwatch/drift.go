package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/internal/dataset"
	"github.com/modelwatch/modelwatch/internal/report"
)

// driftCmd compares a current dataset with a reference, column by column,
// with Evidently's tests and defaults.
type driftCmd struct {
	Reference string `help:"Reference dataset: CSV, NDJSON (.ndjson, .jsonl) or Parquet." required:"" type:"path" placeholder:"FILE"`
	Current   string `help:"Current dataset, same format choices." required:"" type:"path" placeholder:"FILE"`

	JSON        string `name:"json" help:"Write the report as JSON to FILE, or to stdout instead of the table with -." placeholder:"FILE|-"`
	HTML        string `name:"html" help:"Write a self-contained HTML report to FILE." placeholder:"FILE"`
	FailOnDrift bool   `help:"Exit with status 1 when the dataset drifts (for CI pipelines; errors exit with 2)."`

	Stattest          string            `help:"Test for every column, by Evidently key (ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, ed, anderson, cramer_von_mises, t_test, mannw, es, fisher_exact, g_test, TVD, empirical_mmd)." placeholder:"KEY"`
	NumStattest       string            `help:"Test for numerical columns (beats --stattest)." placeholder:"KEY"`
	CatStattest       string            `help:"Test for categorical columns (beats --stattest)." placeholder:"KEY"`
	PerColumnStattest map[string]string `help:"Tests per column (beat the others), e.g. age=psi,plan=TVD." mapsep:"," placeholder:"COL=KEY,..."`

	StattestThreshold          *float64           `help:"Threshold for every column (default: each test's own)." placeholder:"X"`
	NumStattestThreshold       *float64           `help:"Threshold for numerical columns." placeholder:"X"`
	CatStattestThreshold       *float64           `help:"Threshold for categorical columns." placeholder:"X"`
	PerColumnStattestThreshold map[string]float64 `help:"Thresholds per column, e.g. age=0.01,plan=0.2." mapsep:"," placeholder:"COL=X,..."`

	DriftShare  float64  `help:"Share of drifted columns at which the dataset drifts (inclusive)." default:"0.5" placeholder:"X"`
	Columns     []string `help:"Compare only these columns (the report keeps the input order)." sep:"," placeholder:"COL"`
	Categorical []string `help:"Read these columns as categorical." sep:"," placeholder:"COL"`
	Numerical   []string `help:"Read these columns as numerical." sep:"," placeholder:"COL"`

	// terminal and progressMin decide when reading shows a progress bar:
	// stderr is a terminal and the file has at least progressMin bytes.
	// Zero values mean isTerminal and progressMinBytes; tests inject.
	terminal    func(io.Writer) bool
	progressMin int64
}

// Exit statuses of modelwatch drift, beyond 0 for a comparison that ran
// (whatever its verdict).
const (
	// driftExitDrift: --fail-on-drift is set and the dataset drifts.
	driftExitDrift = 1
	// driftExitError: the comparison could not be made (unreadable or
	// malformed input, unknown test, bad option value, output not
	// written).
	driftExitError = 2
)

// Help is the detail shown by modelwatch drift --help.
func (c *driftCmd) Help() string {
	return "Exit status: 0 when the comparison ran, drift or not; " +
		"1 only when --fail-on-drift is set and the dataset drifts; " +
		"2 on any error: unreadable or malformed input, unknown --stattest, " +
		"bad option value, report not written, or a command line that cannot be parsed."
}

// driftDetected makes --fail-on-drift exit with status 1.
type driftDetected struct{}

func (driftDetected) Error() string { return "dataset drift detected (--fail-on-drift)" }

// ExitCode implements exitCoder.
func (driftDetected) ExitCode() int { return driftExitDrift }

// driftError is any other failure of modelwatch drift: exit status 2, so
// that a CI step tells "the data drift" from "the check did not run".
type driftError struct{ err error }

func (e driftError) Error() string { return e.err.Error() }
func (e driftError) Unwrap() error { return e.err }

// ExitCode implements exitCoder.
func (driftError) ExitCode() int { return driftExitError }

// Run compares the datasets. Errors exit with status 2, drift under
// --fail-on-drift with 1.
func (c *driftCmd) Run(e *env) error {
	err := c.run(e)
	var drifted driftDetected
	if err == nil || errors.As(err, &drifted) {
		return err
	}
	return driftError{err}
}

func (c *driftCmd) run(e *env) error {
	opts := drift.Options{
		StatTest:                   c.Stattest,
		NumStatTest:                c.NumStattest,
		CatStatTest:                c.CatStattest,
		PerColumnStatTest:          c.PerColumnStattest,
		StatTestThreshold:          c.StattestThreshold,
		NumStatTestThreshold:       c.NumStattestThreshold,
		CatStatTestThreshold:       c.CatStattestThreshold,
		PerColumnStatTestThreshold: c.PerColumnStattestThreshold,
		DriftShare:                 c.DriftShare,
		Columns:                    c.Columns,
	}
	if c.DriftShare <= 0 || c.DriftShare > 1 {
		return fmt.Errorf("--drift-share %v: want a share in (0, 1]", c.DriftShare)
	}
	read := dataset.Options{Categorical: c.Categorical, Numerical: c.Numerical}
	ref, err := c.load(e, c.Reference, read)
	if err != nil {
		return err
	}
	read.Types = ref.Types()
	cur, err := c.load(e, c.Current, read)
	if err != nil {
		return err
	}
	rep, err := drift.CompareContext(e.ctx, ref.Columns, cur.Columns, opts)
	if err != nil {
		return fmt.Errorf("compare %s with %s: %w", c.Current, c.Reference, err)
	}
	if c.JSON != "-" {
		if err := report.WriteText(e.stdout, rep); err != nil {
			return err
		}
	}
	if c.JSON != "" {
		if err := writeOutput(e.stdout, c.JSON, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}); err != nil {
			return fmt.Errorf("write json %q: %w", c.JSON, err)
		}
	}
	if c.HTML != "" {
		meta := report.Meta{
			Reference: filepath.Base(c.Reference), Current: filepath.Base(c.Current),
			ReferenceRows: ref.Rows, CurrentRows: cur.Rows, Generated: time.Now(),
		}
		if err := writeOutput(e.stdout, c.HTML, func(w io.Writer) error { return report.WriteHTML(w, rep, meta) }); err != nil {
			return fmt.Errorf("write html %q: %w", c.HTML, err)
		}
	}
	if c.FailOnDrift && rep.DatasetDrift {
		return driftDetected{}
	}
	return nil
}

// progressMinBytes is the smallest input worth a progress bar.
const progressMinBytes = 32 << 20

// load reads one dataset, showing progress on a terminal for large files.
func (c *driftCmd) load(e *env, path string, opts dataset.Options) (*dataset.Table, error) {
	terminal, minBytes := c.terminal, c.progressMin
	if terminal == nil {
		terminal = isTerminal
	}
	if minBytes <= 0 {
		minBytes = progressMinBytes
	}
	if st, err := os.Stat(path); err == nil && st.Size() >= minBytes && terminal(e.stderr) {
		update, done := progressBar(e.stderr, filepath.Base(path))
		opts.Progress = update
		defer done()
	}
	t, err := dataset.ReadFile(path, opts)
	if err != nil {
		return nil, err
	}
	if len(t.Skipped) > 0 {
		fmt.Fprintf(e.stderr, "%s: left out %v\n", path, t.Skipped)
	}
	return t, nil
}

// progressBar returns a dataset.Options.Progress that draws
// "reading NAME  42%" on the terminal w, redrawn in place only when the
// percentage changes, and a function that erases the line.
func progressBar(w io.Writer, name string) (update func(done, total int64), erase func()) {
	last := -1
	update = func(done, total int64) {
		if pct := int(100 * done / max(total, 1)); pct != last {
			last = pct
			fmt.Fprintf(w, "\rreading %s %3d%%", name, pct)
		}
	}
	erase = func() { fmt.Fprint(w, "\r\033[K") }
	return update, erase
}

// writeOutput writes to stdout for "-" or else to a new file.
func writeOutput(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
