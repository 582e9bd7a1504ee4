package archive

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/modelwatch/modelwatch"
)

// rowGroupRows is how many predictions go in one Parquet row group: a row
// group is buffered in memory until it is written.
const rowGroupRows = 64 * 1024

// Key-value metadata written in each file's footer.
const (
	metaRows     = "modelwatch.rows"
	metaChecksum = "modelwatch.checksum"
	metaFeatures = "modelwatch.features" // "typed" or "json"
)

// schemaOf returns the Parquet schema of an archive file: typed features
// when typed, else a features_json column.
func schemaOf(typed bool, fs featureSchema) *parquet.Schema {
	dict := func() parquet.Node { return parquet.Encoded(parquet.String(), &parquet.RLEDictionary) }
	double := func() parquet.Node { return parquet.Optional(parquet.Leaf(parquet.DoubleType)) }
	ts := func() parquet.Node { return parquet.TimestampAdjusted(parquet.Microsecond, true) }
	g := parquet.Group{
		"id":                parquet.String(),
		"model_name":        dict(),
		"model_version":     dict(),
		"timestamp":         ts(),
		"prediction":        dict(),
		"confidence":        double(),
		"probabilities":     parquet.Optional(parquet.Map(parquet.String(), parquet.Leaf(parquet.DoubleType))),
		"preprocessing_ms":  double(),
		"inference_ms":      double(),
		"postprocessing_ms": double(),
		"latency_ms":        double(),
		"ground_truth":      parquet.Optional(dict()),
		"labelled_at":       parquet.Optional(ts()),
	}
	if typed {
		f := parquet.Group{}
		for i, name := range fs.names {
			switch fs.kinds[i] {
			case kindString:
				f[name] = parquet.Optional(parquet.String())
			case kindBool:
				f[name] = parquet.Optional(parquet.Leaf(parquet.BooleanType))
			default:
				f[name] = double()
			}
		}
		g["features"] = f
	} else {
		g["features_json"] = parquet.Optional(parquet.JSON())
	}
	return parquet.NewSchema("prediction", g)
}

// errSchemaChanged reports a prediction whose features do not fit the
// typed schema inferred from the ones before it.
var errSchemaChanged = errors.New("the features changed within the day")

// fileWriter writes predictions to a Parquet file and hashes them.
type fileWriter struct {
	w     *parquet.GenericWriter[map[string]any]
	typed bool
	fs    featureSchema
	sum   *checksum
	buf   []map[string]any
	inRG  int
}

func newFileWriter(out io.Writer, typed bool, fs featureSchema) *fileWriter {
	s := schemaOf(typed, fs)
	w := parquet.NewGenericWriter[map[string]any](out, s, parquet.Compression(&parquet.Zstd))
	return &fileWriter{w: w, typed: typed, fs: fs, sum: newChecksum()}
}

// optValue returns the value of an optional column: parquet-go writes a
// zero value (0, false, "") of a map row as null, so values go by pointer
// and only a nil pointer is null.
func optValue(v *float64) any {
	if v == nil {
		return nil
	}
	return v
}

// write adds one prediction, whose features are feats (as parseFeatures
// returns them).
func (fw *fileWriter) write(p *modelwatch.Prediction, feats []feature) error {
	row := map[string]any{
		"id": p.ID, "model_name": p.ModelName, "model_version": p.ModelVersion, "timestamp": p.Timestamp,
		"prediction": string(p.Prediction), "confidence": optValue(p.Confidence), "probabilities": nil,
		"preprocessing_ms": optValue(p.Latency.PreprocessingMs), "inference_ms": optValue(p.Latency.InferenceMs),
		"postprocessing_ms": optValue(p.Latency.PostprocessingMs), "latency_ms": optValue(p.LatencyMs),
		"ground_truth": nil, "labelled_at": nil,
	}
	if len(p.Probabilities) > 0 {
		row["probabilities"] = p.Probabilities
	}
	if p.GroundTruth != "" {
		row["ground_truth"] = new(string(p.GroundTruth))
	}
	if !p.LabelledAt.IsZero() {
		row["labelled_at"] = new(p.LabelledAt)
	}
	if fw.typed {
		if !fw.fs.fits(feats) {
			return errSchemaChanged
		}
		f := make(map[string]any, len(feats))
		for _, v := range feats {
			switch v.kind {
			case kindNumber:
				f[v.name] = new(v.num)
			case kindString:
				f[v.name] = new(v.str)
			case kindBool:
				f[v.name] = new(v.b)
			default:
				f[v.name] = nil
			}
		}
		row["features"] = f
	} else {
		row["features_json"] = nil
		if len(p.Features) > 0 {
			row["features_json"] = new(string(p.Features))
		}
	}
	var parsed []feature
	if fw.typed {
		parsed = feats
	}
	if err := fw.sum.addParsed(p, parsed); err != nil {
		return fmt.Errorf("prediction %q: %w", p.ID, err)
	}
	fw.buf = append(fw.buf, row)
	if len(fw.buf) == 1024 {
		return fw.flush()
	}
	return nil
}

func (fw *fileWriter) flush() error {
	if _, err := fw.w.Write(fw.buf); err != nil {
		return fmt.Errorf("write parquet rows: %w", err)
	}
	fw.inRG += len(fw.buf)
	fw.buf = fw.buf[:0]
	if fw.inRG >= rowGroupRows {
		fw.inRG = 0
		if err := fw.w.Flush(); err != nil {
			return fmt.Errorf("write parquet row group: %w", err)
		}
	}
	return nil
}

// close writes what is buffered and the footer, with the row count and
// checksum in its metadata.
func (fw *fileWriter) close() error {
	if err := fw.flush(); err != nil {
		return err
	}
	fw.w.SetKeyValueMetadata(metaRows, strconv.FormatInt(fw.sum.rows, 10))
	fw.w.SetKeyValueMetadata(metaChecksum, fw.sum.String())
	mode := "json"
	if fw.typed {
		mode = "typed"
	}
	fw.w.SetKeyValueMetadata(metaFeatures, mode)
	if err := fw.w.Close(); err != nil {
		return fmt.Errorf("write parquet footer: %w", err)
	}
	return nil
}

// readFile reads an archive file back and calls fn with each prediction.
func readFile(r io.ReaderAt, size int64, fn func(p *modelwatch.Prediction) error) error {
	return readRows(r, size, true, func(p *modelwatch.Prediction, _ []feature) error { return fn(p) })
}

// readRows reads an archive file back and calls fn with each prediction
// and, from a file with typed features, the features parsed (nil
// otherwise). The prediction's Features are set from typed columns only
// when withJSON is true.
func readRows(r io.ReaderAt, size int64, withJSON bool, fn func(p *modelwatch.Prediction, feats []feature) error) error {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return fmt.Errorf("open parquet: %w", err)
	}
	cols, err := columnsOf(f.Schema())
	if err != nil {
		return err
	}
	buf := make([]parquet.Row, 256)
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		for {
			n, err := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				p, err := cols.decode(row, withJSON)
				if err != nil {
					rows.Close()
					return err
				}
				if err := fn(&p, cols.feats); err != nil {
					rows.Close()
					return err
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rows.Close()
				return fmt.Errorf("read parquet rows: %w", err)
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("read parquet rows: %w", err)
		}
	}
	return nil
}

// columns maps an archive file's leaf column indexes to fields.
type columns struct {
	field    map[int]string // column index → fixed field name
	features map[int]int    // column index → index in names
	names    []string       // typed feature names, sorted
	probKey  int
	probVal  int
	jsonCol  int
	feats    []feature // the last row's typed features
}

func columnsOf(s *parquet.Schema) (*columns, error) {
	c := &columns{field: map[int]string{}, features: map[int]int{}, probKey: -1, probVal: -1, jsonCol: -1}
	for _, name := range []string{
		"id", "model_name", "model_version", "timestamp", "prediction", "confidence",
		"preprocessing_ms", "inference_ms", "postprocessing_ms", "latency_ms", "ground_truth", "labelled_at",
	} {
		leaf, ok := s.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("read parquet: not an archive file (no %s column)", name)
		}
		c.field[leaf.ColumnIndex] = name
	}
	if leaf, ok := s.Lookup("probabilities", "key_value", "key"); ok {
		c.probKey = leaf.ColumnIndex
	}
	if leaf, ok := s.Lookup("probabilities", "key_value", "value"); ok {
		c.probVal = leaf.ColumnIndex
	}
	if leaf, ok := s.Lookup("features_json"); ok {
		c.jsonCol = leaf.ColumnIndex
	}
	for _, f := range s.Fields() {
		if f.Name() != "features" || f.Leaf() {
			continue
		}
		for _, ff := range f.Fields() {
			leaf, _ := s.Lookup("features", ff.Name())
			c.features[leaf.ColumnIndex] = len(c.names)
			c.names = append(c.names, ff.Name())
		}
	}
	return c, nil
}

// decode turns one Parquet row into a prediction, and its typed features
// into c.feats. The prediction's Features are set from typed features only
// when withJSON is true.
func (c *columns) decode(row parquet.Row, withJSON bool) (modelwatch.Prediction, error) {
	var p modelwatch.Prediction
	var values []any
	if len(c.names) > 0 {
		values = make([]any, len(c.names))
	}
	var keys []string
	var probs []float64
	opt := func(v parquet.Value) *float64 {
		if v.IsNull() {
			return nil
		}
		return new(v.Double())
	}
	for _, v := range row {
		col := v.Column()
		switch {
		case col == c.probKey:
			if !v.IsNull() {
				keys = append(keys, v.String())
			}
		case col == c.probVal:
			if !v.IsNull() {
				probs = append(probs, v.Double())
			}
		case col == c.jsonCol:
			if !v.IsNull() {
				p.Features = modelwatch.Features(v.String())
			}
		default:
			if i, ok := c.features[col]; ok {
				if !v.IsNull() {
					switch v.Kind() {
					case parquet.Boolean:
						values[i] = v.Boolean()
					case parquet.Double:
						values[i] = v.Double()
					default:
						values[i] = v.String()
					}
				}
				continue
			}
			switch c.field[col] {
			case "id":
				p.ID = v.String()
			case "model_name":
				p.ModelName = v.String()
			case "model_version":
				p.ModelVersion = v.String()
			case "timestamp":
				p.Timestamp = time.UnixMicro(v.Int64()).UTC()
			case "prediction":
				p.Prediction = modelwatch.Label(v.String())
			case "confidence":
				p.Confidence = opt(v)
			case "preprocessing_ms":
				p.Latency.PreprocessingMs = opt(v)
			case "inference_ms":
				p.Latency.InferenceMs = opt(v)
			case "postprocessing_ms":
				p.Latency.PostprocessingMs = opt(v)
			case "latency_ms":
				p.LatencyMs = opt(v)
			case "ground_truth":
				if !v.IsNull() {
					p.GroundTruth = modelwatch.Label(v.String())
				}
			case "labelled_at":
				if !v.IsNull() {
					p.LabelledAt = time.UnixMicro(v.Int64()).UTC()
				}
			}
		}
	}
	if len(keys) != len(probs) {
		return p, fmt.Errorf("read parquet: prediction %q has %d probability classes and %d values", p.ID, len(keys), len(probs))
	}
	if len(keys) > 0 {
		p.Probabilities = make(map[string]float64, len(keys))
		for i, k := range keys {
			p.Probabilities[k] = probs[i]
		}
	}
	c.feats = c.feats[:0]
	if len(c.names) > 0 {
		for i, name := range c.names {
			f := feature{name: name, kind: kindNull}
			switch v := values[i].(type) {
			case float64:
				f.kind, f.num = kindNumber, v
			case string:
				f.kind, f.str = kindString, v
			case bool:
				f.kind, f.b = kindBool, v
			}
			c.feats = append(c.feats, f)
		}
	}
	if len(c.names) > 0 && withJSON {
		f, err := featuresJSON(c.names, values)
		if err != nil {
			return p, fmt.Errorf("read parquet: prediction %q: %w", p.ID, err)
		}
		p.Features = f
	}
	return p, nil
}
