package estimate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// MetricResult is one metric (or confusion-matrix cell) on one chunk, with
// NannyML's columns. NaN means "not computable" (an empty chunk, a
// denominator of zero, a single class) and is written as null in JSON.
type MetricResult struct {
	// Name is the metric ("roc_auc") or the confusion-matrix cell
	// ("true_positive", "true_cat_pred_dog").
	Name string
	// Value is the CBPE estimate.
	Value float64
	// SamplingError is the standard error expected from the chunk size.
	SamplingError float64
	// Realized is the metric computed from the chunk's labelled rows;
	// meaningful only when HasRealized is set.
	Realized float64
	// HasRealized says whether the chunk has at least one labelled row.
	HasRealized bool
	// UpperConfidenceBoundary is Value + 3 sampling errors, at most the
	// metric's upper limit.
	UpperConfidenceBoundary float64
	// LowerConfidenceBoundary is Value − 3 sampling errors, at least the
	// metric's lower limit.
	LowerConfidenceBoundary float64
	// UpperThreshold is the alert threshold above; NaN: none.
	UpperThreshold float64
	// LowerThreshold is the alert threshold below; NaN: none.
	LowerThreshold float64
	// Alert is Value < LowerThreshold or Value > UpperThreshold.
	Alert bool
}

// EstimationError returns Value − Realized and true when both are
// known: how far the estimate was from what the labels later showed.
func (m MetricResult) EstimationError() (float64, bool) {
	if !m.HasRealized || math.IsNaN(m.Realized) || math.IsNaN(m.Value) {
		return 0, false
	}
	return m.Value - m.Realized, true
}

// MarshalJSON writes the result as {"value", "sampling_error", "realized"
// (only with labels), "upper_confidence_boundary",
// "lower_confidence_boundary", "upper_threshold", "lower_threshold",
// "alert"}; NaN and infinite numbers become null.
func (m MetricResult) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"value":`)
	writeNumber(&b, m.Value)
	b.WriteString(`,"sampling_error":`)
	writeNumber(&b, m.SamplingError)
	if m.HasRealized {
		b.WriteString(`,"realized":`)
		writeNumber(&b, m.Realized)
	}
	b.WriteString(`,"upper_confidence_boundary":`)
	writeNumber(&b, m.UpperConfidenceBoundary)
	b.WriteString(`,"lower_confidence_boundary":`)
	writeNumber(&b, m.LowerConfidenceBoundary)
	b.WriteString(`,"upper_threshold":`)
	writeNumber(&b, m.UpperThreshold)
	b.WriteString(`,"lower_threshold":`)
	writeNumber(&b, m.LowerThreshold)
	b.WriteString(`,"alert":`)
	b.WriteString(strconv.FormatBool(m.Alert))
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeNumber(b *bytes.Buffer, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		b.WriteString("null")
		return
	}
	b.Write(strconv.AppendFloat(nil, v, 'g', -1, 64))
}

// ChunkResult holds the results of every metric on one chunk.
type ChunkResult struct {
	Chunk
	// Period is "reference" for the chunks of the reference data and
	// "analysis" for the data estimated afterwards.
	Period string
	// Labelled is the number of rows with a label.
	Labelled int
	// Metrics holds one result per component, in Estimator.Components order.
	Metrics []MetricResult
}

// Metric returns the result named name.
func (c ChunkResult) Metric(name string) (MetricResult, bool) {
	for _, m := range c.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return MetricResult{}, false
}

// MarshalJSON writes {"period", "key", "start_index", "end_index", and one
// member per metric}, the chunk shape of the modelwatch estimate command.
func (c ChunkResult) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"period":`)
	p, _ := json.Marshal(c.Period)
	b.Write(p)
	b.WriteString(`,"key":`)
	k, _ := json.Marshal(c.Key)
	b.Write(k)
	b.WriteString(`,"start_index":`)
	b.WriteString(strconv.Itoa(c.Start))
	b.WriteString(`,"end_index":`)
	b.WriteString(strconv.Itoa(c.End))
	for _, m := range c.Metrics {
		b.WriteByte(',')
		n, _ := json.Marshal(m.Name)
		b.Write(n)
		b.WriteByte(':')
		v, _ := m.MarshalJSON()
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes, so that a stored chunk
// result can be read back: null numbers become NaN, a missing "realized"
// clears HasRealized, and the metrics keep their order. Labelled and the
// chunk's Index and times are not in the JSON and stay zero.
func (c *ChunkResult) UnmarshalJSON(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("chunk result: want a JSON object")
	}
	*c = ChunkResult{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("chunk result: %w", err)
		}
		name, _ := tok.(string)
		var dst any
		switch name {
		case "period":
			dst = &c.Period
		case "key":
			dst = &c.Key
		case "start_index":
			dst = &c.Start
		case "end_index":
			dst = &c.End
		default:
			var m MetricResult
			if err := d.Decode(&m); err != nil {
				return fmt.Errorf("chunk result: %s: %w", name, err)
			}
			m.Name = name
			c.Metrics = append(c.Metrics, m)
			continue
		}
		if err := d.Decode(dst); err != nil {
			return fmt.Errorf("chunk result: %s: %w", name, err)
		}
	}
	_, err := d.Token()
	return err
}

// UnmarshalJSON reads what MarshalJSON writes; null numbers become NaN.
// The name is not in the JSON and is left as it is.
func (m *MetricResult) UnmarshalJSON(data []byte) error {
	var v struct {
		Value                   *float64 `json:"value"`
		SamplingError           *float64 `json:"sampling_error"`
		Realized                *float64 `json:"realized"`
		UpperConfidenceBoundary *float64 `json:"upper_confidence_boundary"`
		LowerConfidenceBoundary *float64 `json:"lower_confidence_boundary"`
		UpperThreshold          *float64 `json:"upper_threshold"`
		LowerThreshold          *float64 `json:"lower_threshold"`
		Alert                   bool     `json:"alert"`
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	num := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	_, hasRealized := raw["realized"]
	*m = MetricResult{
		Name: m.Name, Value: num(v.Value), SamplingError: num(v.SamplingError),
		Realized: num(v.Realized), HasRealized: hasRealized,
		UpperConfidenceBoundary: num(v.UpperConfidenceBoundary), LowerConfidenceBoundary: num(v.LowerConfidenceBoundary),
		UpperThreshold: num(v.UpperThreshold), LowerThreshold: num(v.LowerThreshold), Alert: v.Alert,
	}
	return nil
}
