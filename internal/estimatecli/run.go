package estimatecli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/modelwatch/modelwatch/estimate"
)

// Config is one run of the command.
type Config struct {
	Reference, Analysis string  // file paths
	Columns             Columns // input column names
	// At most one of ChunkSize, ChunkNumber and ChunkPeriod is set; none
	// means NannyML's default of ten chunks.
	ChunkSize   int                  // rows per chunk
	ChunkNumber int                  // number of chunks
	ChunkPeriod string               // pandas offset alias: H, D, W, M, Q, Y
	Metrics     []estimate.Metric    // empty: estimate.DefaultMetrics()
	Calibration estimate.Calibration // auto, always or never
	// JSON is where the JSON document goes: "" for none (a table on
	// stdout), "-" for stdout instead of the table, or a file path (and
	// the table on stdout).
	JSON string
}

// Document is the JSON output: the reported values, whether any
// probability column was calibrated, and the reference then analysis
// chunks.
type Document struct {
	Metrics          []string               `json:"metrics"`           // component names, in order
	NeedsCalibration bool                   `json:"needs_calibration"` // any column calibrated
	Chunks           []estimate.ChunkResult `json:"chunks"`            // reference, then analysis
}

// Chunker returns the chunker the configuration asks for.
func (c Config) Chunker() (estimate.Chunker, error) {
	set := 0
	for _, on := range []bool{c.ChunkSize != 0, c.ChunkNumber != 0, c.ChunkPeriod != ""} {
		if on {
			set++
		}
	}
	switch {
	case set > 1:
		return nil, errors.New("give at most one of --chunk-size, --chunk-number and --chunk-period")
	case c.ChunkSize != 0:
		if c.ChunkSize < 0 {
			return nil, fmt.Errorf("--chunk-size %d: want a positive number", c.ChunkSize)
		}
		return estimate.SizeChunker{Size: c.ChunkSize}, nil
	case c.ChunkNumber != 0:
		if c.ChunkNumber < 0 {
			return nil, fmt.Errorf("--chunk-number %d: want a positive number", c.ChunkNumber)
		}
		return estimate.CountChunker{Count: c.ChunkNumber}, nil
	case c.ChunkPeriod != "":
		if c.Columns.Timestamp == "" {
			return nil, errors.New("--chunk-period needs --timestamp-column")
		}
		p, err := estimate.ParsePeriod(c.ChunkPeriod)
		if err != nil {
			return nil, fmt.Errorf("--chunk-period: %w", err)
		}
		return estimate.PeriodChunker{Period: p}, nil
	}
	return estimate.DefaultChunker{}, nil
}

// Run reads both files, fits on the reference, estimates the analysis data
// and writes the results; warnings go to stderr.
func Run(ctx context.Context, c Config, stdout, stderr io.Writer) error {
	chunker, err := c.Chunker()
	if err != nil {
		return err
	}
	metrics := c.Metrics
	if len(metrics) == 0 {
		metrics = estimate.DefaultMetrics()
	}
	needPred := slices.ContainsFunc(metrics, func(m estimate.Metric) bool {
		return m != estimate.ROCAUC && m != estimate.AveragePrecision
	})
	refTable, err := ReadFile(c.Reference)
	if err != nil {
		return err
	}
	model, err := DetectModel(refTable, c.Columns)
	if err != nil {
		return err
	}
	ref, err := ToData(refTable, model, c.Columns, needPred, true)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	anaTable, err := ReadFile(c.Analysis)
	if err != nil {
		return err
	}
	ana, err := ToData(anaTable, model, c.Columns, needPred, false)
	if err != nil {
		return err
	}
	e, err := estimate.Fit(ref, estimate.Options{
		Metrics:     metrics,
		Chunker:     chunker,
		Calibration: c.Calibration,
		Classes:     model.Classes,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", refTable.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	res, err := e.Run(ana)
	if err != nil {
		return fmt.Errorf("%s: %w", anaTable.Name, err)
	}
	for _, w := range e.Warnings() {
		fmt.Fprintln(stderr, "modelwatch estimate: warning:", w)
	}
	if len(res) < estimate.MinChunks {
		fmt.Fprintf(stderr, "modelwatch estimate: warning: the analysis data make %d chunks, fewer than %d\n", len(res), estimate.MinChunks)
	}
	doc := Document{
		Metrics:          e.Components(),
		NeedsCalibration: e.NeedsCalibration(),
		Chunks:           append(e.Reference(), res...),
	}
	if c.JSON == "-" {
		return writeJSON(stdout, doc)
	}
	if c.JSON != "" {
		if err := writeJSONFile(c.JSON, doc); err != nil {
			return err
		}
	}
	return writeTable(stdout, e, model, refTable.Name, anaTable.Name, doc)
}

func writeJSONFile(path string, doc Document) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", path, cerr)
		}
	}()
	w := bufio.NewWriter(f)
	if err := writeJSON(w, doc); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return w.Flush()
}
