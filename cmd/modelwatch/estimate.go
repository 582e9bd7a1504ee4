package main

import (
	"github.com/modelwatch/modelwatch/estimate"
	"github.com/modelwatch/modelwatch/internal/estimatecli"
)

// estimateCmd is NannyML's CBPE offline: fit on labelled reference data,
// estimate performance on analysis data whose labels may be missing.
type estimateCmd struct {
	Reference string `help:"Labelled reference data: CSV, NDJSON (a .ndjson or .jsonl name) or Parquet (.parquet, .pq)." required:"" type:"existingfile" placeholder:"FILE"`
	Analysis  string `help:"Data to estimate; labels are optional (CSV, NDJSON or Parquet)." required:"" type:"existingfile" placeholder:"FILE"`

	ChunkSize   int    `help:"Rows per chunk (the last chunk keeps the remainder)." xor:"chunk" placeholder:"N"`
	ChunkNumber int    `help:"Number of chunks: chunks of rows/N rows, plus one for a remainder." xor:"chunk" placeholder:"N"`
	ChunkPeriod string `help:"One chunk per calendar period: H, D, W (Monday to Sunday), M, Q or Y; needs --timestamp-column." xor:"chunk" placeholder:"D"`

	Metrics     string `help:"Comma-separated metrics: roc_auc, f1, precision, recall, specificity, accuracy, average_precision, confusion_matrix." default:"roc_auc,f1,precision,recall,specificity,accuracy"`
	Calibration string `help:"Calibrate probabilities with isotonic regression: auto (NannyML's test on the reference; its random splits are scikit-learn's), always or never." default:"auto" enum:"auto,always,never"`
	JSON        string `name:"json" help:"Write the results as JSON to FILE, or to stdout instead of the table with -." placeholder:"FILE|-"`

	YPredProbaColumn string `help:"Column with the probability of class 1 (binary model)." default:"y_pred_proba"`
	ProbaPrefix      string `help:"Prefix of the per-class probability columns of a multiclass model, used when the reference has no --y-pred-proba-column." default:"proba_"`
	YPredColumn      string `help:"Column with the predicted class." default:"y_pred"`
	YTrueColumn      string `help:"Column with the true class (required in the reference; empty cells in the analysis data are unlabelled)." default:"y_true"`
	TimestampColumn  string `help:"Column with each row's time: rows are ordered by it, and --chunk-period uses it."`
}

func (c *estimateCmd) Run(e *env) error {
	metrics, err := estimate.ParseMetrics(c.Metrics)
	if err != nil {
		return err
	}
	cal, err := estimate.ParseCalibration(c.Calibration)
	if err != nil {
		return err
	}
	return estimatecli.Run(e.ctx, estimatecli.Config{
		Reference: c.Reference,
		Analysis:  c.Analysis,
		Columns: estimatecli.Columns{
			YPredProba:  c.YPredProbaColumn,
			ProbaPrefix: c.ProbaPrefix,
			YPred:       c.YPredColumn,
			YTrue:       c.YTrueColumn,
			Timestamp:   c.TimestampColumn,
		},
		ChunkSize:   c.ChunkSize,
		ChunkNumber: c.ChunkNumber,
		ChunkPeriod: c.ChunkPeriod,
		Metrics:     metrics,
		Calibration: cal,
		JSON:        c.JSON,
	}, e.stdout, e.stderr)
}
