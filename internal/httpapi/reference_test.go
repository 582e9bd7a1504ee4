package httpapi_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/httpapi"
)

// refRow is a reference row as a Parquet file holds it.
type refRow struct {
	Amount float64 `parquet:"amount"`
	Plan   string  `parquet:"plan,dict"`
}

// referenceRows returns n rows with amount ~ N(shift, 1).
func referenceRows(n int, shift float64) []refRow {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]refRow, n)
	for i := range out {
		out[i] = refRow{Amount: rng.NormFloat64() + shift, Plan: []string{"basic", "gold"}[rng.IntN(2)]}
	}
	return out
}

// production ingests n predictions of churn/v1 stamped from start a second
// apart, with amount ~ N(shift, 1).
func (s *stack) production(seed uint64, n int, shift float64, start time.Time) {
	s.t.Helper()
	rng := rand.New(rand.NewPCG(seed, 6))
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"model_name":"churn","model_version":"v1","prediction":1,"timestamp":%q,"features":{"amount":%v,"plan":%q}}`+"\n",
			start.Add(time.Duration(i)*time.Second).Format(time.RFC3339), rng.NormFloat64()+shift, []string{"basic", "gold"}[rng.IntN(2)])
	}
	if r := s.do("POST", "/api/v1/predictions", "application/x-ndjson", []byte(b.String())); r.status != 200 {
		s.t.Fatalf("ingest: %d %s", r.status, r.body)
	}
}

// dataRun runs a data-drift check of churn/v1 over [from, to).
func (s *stack) dataRun(from, to time.Time) modelwatch.DriftRun {
	s.t.Helper()
	r := s.post("/api/v1/models/churn/versions/v1/drift-runs",
		fmt.Sprintf(`{"kind":"data","from":%q,"to":%q}`, from.Format(time.RFC3339), to.Format(time.RFC3339)))
	var run modelwatch.DriftRun
	r.decode(s.t, &run)
	if r.status != 201 {
		s.t.Fatalf("drift run: %d %s", r.status, r.body)
	}
	return run
}

// TestReferenceFormats uploads the same reference as NDJSON and as
// Parquet: each is read with its rows and columns, downloads as uploaded,
// and serves a data-drift check that finds the drift of shifted traffic.
func TestReferenceFormats(t *testing.T) {
	rows := referenceRows(400, 0)
	var nd strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&nd, `{"amount":%v,"plan":%q}`+"\n", r.Amount, r.Plan)
	}
	var pq bytes.Buffer
	w := parquet.NewGenericWriter[refRow](&pq, parquet.Compression(&parquet.Snappy))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format, ct, query string
		data              []byte
	}{
		{"ndjson", "application/x-ndjson", "", []byte(nd.String())},
		{"parquet", "application/vnd.apache.parquet", "", pq.Bytes()},
		{"parquet", "application/octet-stream", "&format=parquet", pq.Bytes()},
	} {
		t.Run(c.format+" "+c.ct, func(t *testing.T) {
			s := newStack(t, httpapi.Options{})
			const base = "/api/v1/models/churn/versions/v1"
			r := s.do("PUT", base+"/reference?filename=train."+c.format+c.query, c.ct, c.data)
			var ref modelwatch.Reference
			r.decode(t, &ref)
			if r.status != 200 || ref.Format != c.format || ref.Rows != 400 || fmt.Sprint(ref.Columns) != "[amount plan]" || ref.Size != int64(len(c.data)) {
				t.Fatalf("upload: %d %s", r.status, r.body)
			}
			d := s.do("GET", base+"/reference?download=1", "", nil)
			wantCT := map[string]string{"ndjson": "application/x-ndjson", "parquet": "application/vnd.apache.parquet"}[c.format]
			if d.status != 200 || !bytes.Equal(d.body, c.data) || d.header.Get("Content-Type") != wantCT {
				t.Errorf("download: %d %q, %d bytes; want the %d bytes uploaded as %s", d.status, d.header.Get("Content-Type"), len(d.body), len(c.data), wantCT)
			}
			s.production(5, 300, 2, t0.Add(-time.Hour))
			run := s.dataRun(t0.Add(-2*time.Hour), t0)
			if run.Status != modelwatch.RunOK || !run.DriftDetected || run.Rows != 300 {
				t.Errorf("data run against the %s reference = %+v, want drift over 300 rows", c.format, run)
			}
		})
	}
	s := newStack(t, httpapi.Options{})
	bad := pq.Bytes()[:pq.Len()-10]
	if r := s.do("PUT", "/api/v1/models/churn/versions/v1/reference", "application/vnd.apache.parquet", bad); r.status != 400 || !strings.Contains(string(r.body), "parquet") {
		t.Errorf("a truncated Parquet reference: %d %s, want 400", r.status, r.body)
	}
}

// TestReferenceRange takes the reference from production: the
// predictions of a time range set in the settings, with no upload.
func TestReferenceRange(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	const base = "/api/v1/models/churn/versions/v1"
	refFrom := t0.Add(-48 * time.Hour)
	s.production(1, 300, 0, refFrom)                   // the reference period
	s.production(2, 300, 0, t0.Add(-24*time.Hour))     // same distribution
	s.production(3, 300, 2.5, t0.Add(-90*time.Minute)) // drifted
	if run := s.dataRun(t0.Add(-2*time.Hour), t0); run.Status != modelwatch.RunNoReference {
		t.Fatalf("a run without reference = %+v, want status %s", run, modelwatch.RunNoReference)
	}
	refTo := refFrom.Add(time.Hour)
	r := s.do("PUT", base+"/settings", "application/json", []byte(fmt.Sprintf(`{"reference_range":{"from":%q,"to":%q}}`,
		refFrom.Format(time.RFC3339), refTo.Format(time.RFC3339))))
	if r.status != 200 {
		t.Fatalf("settings: %d %s", r.status, r.body)
	}
	same := s.dataRun(t0.Add(-25*time.Hour), t0.Add(-23*time.Hour))
	if same.Status != modelwatch.RunOK || same.DriftDetected || same.Rows != 300 {
		t.Errorf("a run on the reference's distribution = %+v, want no drift over 300 rows", same)
	}
	drifted := s.dataRun(t0.Add(-2*time.Hour), t0)
	if drifted.Status != modelwatch.RunOK || !drifted.DriftDetected || drifted.Rows != 300 {
		t.Fatalf("a run on shifted traffic = %+v, want drift over 300 rows", drifted)
	}
	rep := s.do("GET", fmt.Sprintf("%s/drift-runs/%d/report", base, drifted.ID), "", nil)
	if want := "predictions of " + refFrom.Format(time.RFC3339) + " – " + refTo.Format(time.RFC3339); rep.status != 200 || !strings.Contains(string(rep.body), want) {
		t.Errorf("report: %d %s, want it to name %q", rep.status, rep.body, want)
	}

	// A range without predictions: the run says so.
	r = s.do("PUT", base+"/settings", "application/json", []byte(`{"reference_range":{"from":"2020-01-01T00:00:00Z","to":"2020-01-02T00:00:00Z"}}`))
	if r.status != 200 {
		t.Fatalf("settings: %d %s", r.status, r.body)
	}
	if run := s.dataRun(t0.Add(-2*time.Hour), t0); run.Status == modelwatch.RunOK || !strings.Contains(run.Message, "holds no predictions") {
		t.Errorf("a run with an empty reference range = %+v, want it to say the range is empty", run)
	}
	// A range that ends before it starts is refused.
	r = s.do("PUT", base+"/settings", "application/json", []byte(`{"reference_range":{"from":"2026-01-02T00:00:00Z","to":"2026-01-01T00:00:00Z"}}`))
	var e errorResponse
	r.decode(t, &e)
	if r.status != 400 || len(e.Error.Details) != 1 || e.Error.Details[0].Field != "reference_range" {
		t.Errorf("a reversed range: %d %s", r.status, r.body)
	}
}

// TestReferenceFilename: the name a reference is uploaded with is stored
// text, so one that is not printable UTF-8 (which PostgreSQL could not
// store) or is overlong is refused before the upload is read, and the
// reference already stored stays.
func TestReferenceFilename(t *testing.T) {
	s := newStack(t, httpapi.Options{})
	const base = "/api/v1/models/churn/versions/v1/reference"
	csv := []byte("amount,plan\n1.5,basic\n2.5,gold\n")
	if r := s.do("PUT", base+"?filename=caf%C3%A9.csv", "text/csv", csv); r.status != 200 || !strings.Contains(string(r.body), `"filename":"café.csv"`) {
		t.Fatalf("upload as café.csv: %d %s", r.status, r.body)
	}
	for _, name := range []string{"caf%E9.csv", "a%00b.csv", "line%0Abreak.csv", strings.Repeat("n", 256)} {
		if r := s.do("PUT", base+"?filename="+name, "text/csv", csv); r.status != 400 || !strings.Contains(string(r.body), "filename must be printable UTF-8 text") {
			t.Errorf("upload as %q: %d %s, want 400 naming the filename", name, r.status, r.body)
		}
	}
	if r := s.get(base); r.status != 200 || !strings.Contains(string(r.body), `"filename":"café.csv"`) {
		t.Errorf("the reference after the refused uploads: %d %s", r.status, r.body)
	}
}
