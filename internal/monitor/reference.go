package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/internal/dataset"
)

// preparedReference is a model version's reference, parsed and prepared for
// comparisons (sorted values, category counts), with the settings it was
// prepared with.
type preparedReference struct {
	version string // identifies the reference and settings it was built from
	name    string // the uploaded file, or the production range
	ref     *drift.Reference
	names   []string
	types   map[string]drift.ColumnType
	rows    int
}

// referenceCache prepares each model version's reference once and reuses it
// for every check until the reference or the settings change.
type referenceCache struct {
	store Store
	mu    sync.Mutex
	refs  map[modelwatch.ModelKey]*preparedReference
}

func newReferenceCache(st Store) *referenceCache {
	return &referenceCache{store: st, refs: map[modelwatch.ModelKey]*preparedReference{}}
}

// errNoReference means a model version has neither an uploaded reference nor
// a reference range.
var errNoReference = modelwatch.Errorf(modelwatch.ENotFound, "no reference dataset: upload one (PUT /api/v1/models/{name}/versions/{version}/reference) or set reference_range in the model version's settings")

// get returns the prepared reference of a model version.
func (c *referenceCache) get(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings) (*preparedReference, error) {
	settingsJSON, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var ref modelwatch.Reference
	version := string(settingsJSON)
	if s.ReferenceRange == nil {
		ref, err = c.store.Reference(ctx, key, false)
		if modelwatch.ErrorCode(err) == modelwatch.ENotFound {
			return nil, errNoReference
		}
		if err != nil {
			return nil, err
		}
		version += "|" + ref.UploadedAt.Format(time.RFC3339Nano)
	}
	c.mu.Lock()
	p := c.refs[key]
	c.mu.Unlock()
	if p != nil && p.version == version {
		return p, nil
	}
	var table *dataset.Table
	if s.ReferenceRange != nil {
		table, err = c.fromProduction(ctx, key, s)
	} else {
		if ref, err = c.store.Reference(ctx, key, true); err != nil {
			return nil, err
		}
		table, err = ParseReference(ref.Format, ref.Data, s)
	}
	if err != nil {
		return nil, err
	}
	prepared, err := drift.Prepare(table.Columns, DriftOptions(s))
	if err != nil {
		return nil, fmt.Errorf("prepare the reference of %s: %w", key, err)
	}
	p = &preparedReference{version: version, ref: prepared, types: table.Types(), rows: table.Rows}
	switch {
	case s.ReferenceRange != nil:
		p.name = "predictions of " + s.ReferenceRange.From.Format(time.RFC3339) + " – " + s.ReferenceRange.To.Format(time.RFC3339)
	case ref.Filename != "":
		p.name = ref.Filename
	default:
		p.name = "reference dataset uploaded " + ref.UploadedAt.Format(time.RFC3339)
	}
	for _, col := range table.Columns {
		p.names = append(p.names, col.Name)
	}
	c.mu.Lock()
	c.refs[key] = p
	c.mu.Unlock()
	return p, nil
}

// fromProduction reads the reference from the predictions of the settings'
// reference range, inferring column types as for an NDJSON file.
func (c *referenceCache) fromProduction(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings) (*dataset.Table, error) {
	var buf bytes.Buffer
	rows := 0
	err := c.store.ScanFeatures(ctx, key, s.ReferenceRange.From, s.ReferenceRange.To, func(_ time.Time, f []byte) error {
		buf.Write(f)
		buf.WriteByte('\n')
		rows++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rows == 0 {
		return nil, modelwatch.Errorf(modelwatch.EInvalid, "the reference range %s – %s holds no predictions of %s",
			s.ReferenceRange.From.Format(time.RFC3339), s.ReferenceRange.To.Format(time.RFC3339), key)
	}
	t, err := dataset.ParseNDJSON(buf.Bytes(), dataset.Options{Categorical: s.CategoricalColumns, Numerical: s.NumericalColumns})
	if err != nil {
		return nil, fmt.Errorf("read the reference range of %s: %w", key, err)
	}
	return t, nil
}

// maxReferenceRows bounds the rows of an uploaded reference dataset. CSV
// and NDJSON are bounded by the upload size already; a compressed Parquet
// file could otherwise expand to any number of rows. A variable for tests.
var maxReferenceRows = 10_000_000

// ParseReference parses an uploaded reference dataset of the given format
// ("csv", "ndjson" or "parquet") with the settings' column type overrides.
func ParseReference(format string, data []byte, s modelwatch.ModelSettings) (*dataset.Table, error) {
	opts := dataset.Options{Categorical: s.CategoricalColumns, Numerical: s.NumericalColumns, MaxRows: maxReferenceRows}
	var t *dataset.Table
	var err error
	switch format {
	case "csv":
		t, err = dataset.ParseCSV(data, opts)
	case "ndjson":
		t, err = dataset.ParseNDJSON(data, opts)
	case "parquet":
		t, err = dataset.ReadParquet(bytes.NewReader(data), int64(len(data)), opts)
	default:
		return nil, modelwatch.Errorf(modelwatch.EInvalid, "reference format must be csv, ndjson or parquet, not %q", format)
	}
	if err != nil {
		return nil, modelwatch.Errorf(modelwatch.EInvalid, "read %s reference: %v", format, err)
	}
	if t.Rows == 0 || len(t.Columns) == 0 {
		return nil, modelwatch.Errorf(modelwatch.EInvalid, "the %s reference has no rows or no columns", format)
	}
	return t, nil
}

// DriftOptions maps a model version's settings to the drift package's
// options.
func DriftOptions(s modelwatch.ModelSettings) drift.Options {
	o := drift.Options{
		StatTest: s.Stattest, NumStatTest: s.NumStattest, CatStatTest: s.CatStattest,
		PerColumnStatTest:          s.PerColumnStattest,
		StatTestThreshold:          s.StattestThreshold,
		NumStatTestThreshold:       s.NumStattestThreshold,
		CatStatTestThreshold:       s.CatStattestThreshold,
		PerColumnStatTestThreshold: s.PerColumnStattestThreshold,
		Columns:                    s.Columns,
	}
	if s.DriftShare != nil {
		o.DriftShare = *s.DriftShare
	}
	return o
}
