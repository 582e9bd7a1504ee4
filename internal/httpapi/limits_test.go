package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/internal/httpapi"
)

// rows returns n predictions as a JSON array and as NDJSON.
func rows(n int) (array, ndjson string) {
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"model_name":"m","model_version":"1","prediction":"x","confidence":0.5,"id":"r%d"}`, i))
	}
	return "[" + strings.Join(lines, ",") + "]", strings.Join(lines, "\n") + "\n"
}

// TestBatchRowLimit checks --max-batch-rows on every ingest endpoint: a
// batch of the limit is stored, one more row is refused with 413 and
// nothing stored.
func TestBatchRowLimit(t *testing.T) {
	s := newStack(t, httpapi.Options{MaxBatchRows: 3})
	array, ndjson := rows(4)
	for _, c := range []struct{ path, ct, body string }{
		{"/api/v1/predictions", "application/json", array},
		{"/api/v1/predictions", "application/x-ndjson", ndjson},
		{"/api/v1/ground-truth", "application/json", `[{"id":"a","ground_truth":1},{"id":"b","ground_truth":1},{"id":"c","ground_truth":1},{"id":"d","ground_truth":1}]`},
		{"/api/v1/errors", "application/x-ndjson", strings.Repeat(`{"model_name":"m","model_version":"1","error_type":"timeout"}`+"\n", 4)},
	} {
		r := s.do("POST", c.path, c.ct, []byte(c.body))
		var e errorResponse
		r.decode(t, &e)
		if r.status != 413 || e.Error.Code != "too_large" || !strings.Contains(e.Error.Message, "4 records, more than the limit of 3") {
			t.Errorf("POST %s with 4 rows (%s) = %d %s, want 413 naming the limit", c.path, c.ct, r.status, r.body)
		}
	}
	if st := s.stats(""); st.TotalPredictions != 0 {
		t.Fatalf("refused batches stored %d predictions", st.TotalPredictions)
	}
	array, ndjson = rows(3)
	if r := s.post("/api/v1/predictions", array); r.status != 200 {
		t.Errorf("3 rows as an array = %d %s, want 200", r.status, r.body)
	}
	if r := s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(ndjson)); r.status != 200 {
		t.Errorf("3 rows as NDJSON = %d %s, want 200", r.status, r.body)
	}
}

// probabilities returns a JSON object of n classes whose names have size
// bytes (or more when n needs them).
func probabilities(n, size int) string {
	m := map[string]float64{}
	for i := range n {
		name := fmt.Sprint(i)
		m[strings.Repeat("c", max(0, size-len(name)))+name] = 0.0005
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestStringAndClassLimits checks the limits on names, error types and
// probabilities through the API: at the limit a row is stored, past it the
// error names the row and the field.
func TestStringAndClassLimits(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	name128, name129 := strings.Repeat("n", 128), strings.Repeat("n", 129)
	row := func(name, version, probs string) string {
		return fmt.Sprintf(`{"model_name":%q,"model_version":%q,"prediction":"c1","probabilities":%s}`, name, version, probs)
	}
	ok := "[" + row(name128, name128, probabilities(1000, 256)) + "]"
	if r := s.post("/api/v1/predictions", ok); r.status != 200 {
		t.Fatalf("names of 128 bytes, 1000 classes of 256 bytes: %d %.300s", r.status, r.body)
	}
	bad := "[" + strings.Join([]string{
		row("m", "1", `{"a":0.5}`),
		row(name129, "1", `{"a":0.5}`),
		row("m", name129, `{"a":0.5}`),
		row("m", "1", probabilities(1001, 1)),
		row("m", "1", `{"`+strings.Repeat("é", 129)+`":0.5}`),
		row("m", "1", `{"":0.5}`),
	}, ",") + "]"
	r := s.post("/api/v1/predictions", bad)
	var e errorResponse
	r.decode(t, &e)
	got := map[int]string{}
	for _, d := range e.Error.Details {
		got[d.Index] = d.Field + ": " + d.Message
	}
	want := map[int]string{
		1: "model_name: is longer than 128 bytes",
		2: "model_version: is longer than 128 bytes",
		3: "probabilities: has 1001 classes, more than the limit of 1000",
		4: "probabilities: has a class name of 258 bytes, longer than 256",
		5: "probabilities: has an empty class name",
	}
	if r.status != 400 || len(got) != len(want) {
		t.Fatalf("invalid rows: %d %.2000s", r.status, r.body)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("row %d: %q, want %q", i, got[i], w)
		}
	}

	r = s.do("POST", "/api/v1/errors", "application/x-ndjson", []byte(strings.Join([]string{
		fmt.Sprintf(`{"model_name":%q,"model_version":%q,"error_type":%q}`, name128, name128, strings.Repeat("e", 256)),
		fmt.Sprintf(`{"model_name":"m","model_version":"1","error_type":%q}`, strings.Repeat("e", 257)),
		fmt.Sprintf(`{"model_name":%q,"model_version":"1","error_type":"timeout"}`, name129),
	}, "\n")))
	e = errorResponse{}
	r.decode(t, &e)
	got = map[int]string{}
	for _, d := range e.Error.Details {
		got[d.Index] = fmt.Sprintf("line %d %s", d.Line, d.Field)
	}
	if r.status != 400 || fmt.Sprint(got) != "map[1:line 2 error_type 2:line 3 model_name]" {
		t.Errorf("errors past the limits: %d %s", r.status, r.body)
	}
	if r := s.post("/api/v1/errors", fmt.Sprintf(`{"model_name":%q,"model_version":%q,"error_type":%q}`, name128, name128, strings.Repeat("e", 256))); r.status != 200 {
		t.Errorf("an error at every limit: %d %s", r.status, r.body)
	}
}

// TestLowConfidenceLimit checks the review list's size: 100 by default
// (the specification's), ?limit= up to 1000, always the lowest first.
func TestLowConfidenceLimit(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	var b strings.Builder
	for i := range 150 {
		// Confidences 0.001 … 0.150 in a shuffled order.
		c := float64((i*37)%150+1) / 1000
		fmt.Fprintf(&b, `{"id":"p%d","model_name":"m","model_version":"1","prediction":"x","confidence":%v}`+"\n", i, c)
	}
	b.WriteString(`{"id":"high","model_name":"m","model_version":"1","prediction":"x","confidence":0.9}` + "\n")
	if r := s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(b.String())); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	list := func(query string) []float64 {
		t.Helper()
		r := s.get("/api/ml/predictions/low-confidence" + query)
		if r.status != 200 {
			t.Fatalf("low-confidence%s: %d %s", query, r.status, r.body)
		}
		var items []struct {
			Confidence float64 `json:"confidence"`
		}
		r.decode(t, &items)
		out := make([]float64, len(items))
		for i, it := range items {
			out[i] = it.Confidence
		}
		return out
	}
	got := list("")
	if len(got) != 100 {
		t.Fatalf("default list has %d items, want 100", len(got))
	}
	for i, c := range got {
		if want := float64(i+1) / 1000; c != want {
			t.Fatalf("item %d has confidence %v, want %v (the 100 lowest, lowest first)", i, c, want)
		}
	}
	if got := list("?limit=120"); len(got) != 120 || got[119] != 0.12 {
		t.Errorf("?limit=120 gave %d items", len(got))
	}
	if got := list("?limit=1000"); len(got) != 150 {
		t.Errorf("?limit=1000 gave %d items, want the 150 below the threshold", len(got))
	}
	if r := s.get("/api/ml/predictions/low-confidence?limit=1001"); r.status != 400 {
		t.Errorf("?limit=1001 = %d, want 400", r.status)
	}
}
