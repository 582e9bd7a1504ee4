package sdk

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/modelwatch/modelwatch"
)

// The encoders below write the records as one line of NDJSON each, without
// reflection and without allocating once their buffers have grown. Their
// output is what encoding/json.Marshal writes for the same values (object
// keys sorted, the same escaping and number format), which encode_test.go
// checks field by field, so that a field added to modelwatch.Prediction
// cannot be forgotten here.

// appendPrediction appends p as a JSON object. keys is scratch space for
// sorting the probabilities' classes.
func appendPrediction(b []byte, p *modelwatch.Prediction, keys *[]string) []byte {
	b = append(b, '{')
	if p.ID != "" {
		b = append(b, `"id":`...)
		b = appendString(b, p.ID)
		b = append(b, ',')
	}
	b = append(b, `"model_name":`...)
	b = appendString(b, p.ModelName)
	b = append(b, `,"model_version":`...)
	b = appendString(b, p.ModelVersion)
	if !p.Timestamp.IsZero() {
		b = append(b, `,"timestamp":`...)
		b = appendTime(b, p.Timestamp)
	}
	if len(p.Features) > 0 {
		b = append(b, `,"features":`...)
		b = appendFeatures(b, p.Features)
	}
	b = append(b, `,"prediction":`...)
	b = appendString(b, string(p.Prediction))
	if p.Confidence != nil {
		b = append(b, `,"confidence":`...)
		b = appendFloat(b, *p.Confidence)
	}
	if len(p.Probabilities) > 0 {
		b = append(b, `,"probabilities":{`...)
		*keys = (*keys)[:0]
		for k := range p.Probabilities {
			*keys = append(*keys, k)
		}
		slices.Sort(*keys)
		for i, k := range *keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendFloat(b, p.Probabilities[k])
		}
		clear(*keys)
		b = append(b, '}')
	}
	if l := p.Latency; l != (modelwatch.Latency{}) {
		b = append(b, `,"latency":{`...)
		sep := false
		field := func(name string, v *float64) {
			if v == nil {
				return
			}
			if sep {
				b = append(b, ',')
			}
			b = append(b, name...)
			b = appendFloat(b, *v)
			sep = true
		}
		field(`"preprocessing_ms":`, l.PreprocessingMs)
		field(`"inference_ms":`, l.InferenceMs)
		field(`"postprocessing_ms":`, l.PostprocessingMs)
		b = append(b, '}')
	}
	if p.LatencyMs != nil {
		b = append(b, `,"latency_ms":`...)
		b = appendFloat(b, *p.LatencyMs)
	}
	if p.GroundTruth != "" {
		b = append(b, `,"ground_truth":`...)
		b = appendString(b, string(p.GroundTruth))
	}
	if !p.LabelledAt.IsZero() {
		b = append(b, `,"labelled_at":`...)
		b = appendTime(b, p.LabelledAt)
	}
	return append(b, '}')
}

// appendGroundTruth appends g as a JSON object.
func appendGroundTruth(b []byte, g *modelwatch.GroundTruth) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, g.ID)
	b = append(b, `,"ground_truth":`...)
	b = appendString(b, string(g.GroundTruth))
	return append(b, '}')
}

// appendPredictionError appends e as a JSON object.
func appendPredictionError(b []byte, e *modelwatch.PredictionError) []byte {
	b = append(b, `{"model_name":`...)
	b = appendString(b, e.ModelName)
	b = append(b, `,"model_version":`...)
	b = appendString(b, e.ModelVersion)
	b = append(b, `,"error_type":`...)
	b = appendString(b, e.ErrorType)
	return append(b, '}')
}

// appendFeatures appends already validated features. A value with line
// breaks (indented JSON) is compacted so that it fits on its NDJSON line.
func appendFeatures(b []byte, f modelwatch.Features) []byte {
	if bytes.IndexByte(f, '\n') < 0 && bytes.IndexByte(f, '\r') < 0 {
		return append(b, f...)
	}
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, f); err != nil {
		return append(b, "null"...) // unreachable: f was validated
	}
	return buf.Bytes()
}

// appendTime appends t as encoding/json does: an RFC 3339 string with
// nanoseconds when there are any.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendFloat appends f in encoding/json's format: like strconv's shortest
// 'f' form, or 'e' form for very small and very large magnitudes with a
// two-digit exponent trimmed to one. f must be finite.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json does:
// quotes, backslashes and control characters; <, > and & (HTML-safe);
// U+2028 and U+2029; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
