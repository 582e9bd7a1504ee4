package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
)

// dash is shown where a value cannot be computed.
const dash = "–"

// timeLayout is how the pages write times: UTC, to the second.
const timeLayout = "2006-01-02 15:04:05 UTC"

// fmtTime writes a time in UTC, or a dash for the zero time.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return dash
	}
	return t.UTC().Format(timeLayout)
}

// fmtRate writes a value in [0, 1] with three decimals, or a dash for NaN.
func fmtRate(v float64) string {
	if math.IsNaN(v) {
		return dash
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// fmtPercent writes a share as a percentage with one decimal.
func fmtPercent(v float64) string {
	if math.IsNaN(v) {
		return dash
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + " %"
}

// fmtMs writes a latency in milliseconds with three significant digits.
func fmtMs(v float64) string {
	if math.IsNaN(v) {
		return dash
	}
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
}

// compact writes a count briefly: 950, 12.3k, 4.5M.
func compact(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return dash
	case a >= 1e9:
		return trimZero(strconv.FormatFloat(v/1e9, 'f', 1, 64)) + "G"
	case a >= 1e6:
		return trimZero(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case a >= 1e4:
		return trimZero(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// fmtCount writes an integer with thin groups of three digits: 1 234 567.
func fmtCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// ptrRate writes an optional rate.
func ptrRate(p *float64) string {
	if p == nil {
		return dash
	}
	return fmtRate(*p)
}

// versionURL returns the model version page's path, with a range when
// rangeKey is not empty.
func versionURL(k modelwatch.ModelKey, rangeKey string) string {
	u := "/ui/models/" + url.PathEscape(k.Name) + "/versions/" + url.PathEscape(k.Version)
	if rangeKey != "" {
		u += "?range=" + url.QueryEscape(rangeKey)
	}
	return u
}

// reportURL returns the API path of a drift run's HTML report.
func reportURL(k modelwatch.ModelKey, id int64) string {
	return fmt.Sprintf("/api/v1/models/%s/versions/%s/drift-runs/%d/report", url.PathEscape(k.Name), url.PathEscape(k.Version), id)
}

// runURL returns the API path of a drift run's JSON.
func runURL(k modelwatch.ModelKey, id int64) string {
	return fmt.Sprintf("/api/v1/models/%s/versions/%s/drift-runs/%d", url.PathEscape(k.Name), url.PathEscape(k.Version), id)
}

// feature is one input of a prediction as the review queue shows it.
type feature struct{ Name, Value string }

// maxFeatures is how many features of a prediction the review queue shows.
const maxFeatures = 16

// featureList decodes a prediction's features in their stored order, at
// most maxFeatures of them; more reports how many were left out.
func featureList(f modelwatch.Features) (list []feature, more int) {
	if len(f) == 0 {
		return nil, 0
	}
	dec := json.NewDecoder(bytes.NewReader(f))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return []feature{{Name: "features", Value: string(f)}}, 0
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			break
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			break
		}
		if len(list) == maxFeatures {
			more++
			continue
		}
		name, _ := kt.(string)
		var val string
		switch x := v.(type) {
		case nil:
			val = "null"
		case string:
			val = strconv.Quote(x)
		default:
			val = fmt.Sprint(x)
		}
		list = append(list, feature{Name: name, Value: val})
	}
	return list, more
}
