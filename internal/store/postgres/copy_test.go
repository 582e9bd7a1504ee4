package postgres

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

// copyTestRows returns predictions with the values whose encodings differ
// most (NULLs, timestamps before 1970 and 2000 and with nanoseconds, other
// time zones, extreme and negative floats, non-ASCII text, labels and
// probabilities) and the rows to store, out of batch order. n adds plain
// rows, enough to fill several reads.
func copyTestRows(n int) ([]modelwatch.Prediction, []newRow) {
	f := func(v float64) *float64 { return &v }
	berlin := time.FixedZone("CET", 3600)
	ps := []modelwatch.Prediction{
		{
			ID: "a", Timestamp: time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC), Prediction: "cat", Confidence: f(0.5),
			Features: modelwatch.Features(`{"x":1.5,"c":"grün"}`), Probabilities: map[string]float64{"cat": 0.5, "dog": 0.5},
		},
		{ID: "b", Timestamp: time.Date(1969, 12, 31, 23, 59, 59, 999999500, time.UTC), Prediction: ""},
		{
			ID: "c-ü", Timestamp: time.Date(1999, 12, 31, 23, 59, 59, 999, berlin), Prediction: "猫", Confidence: f(math.SmallestNonzeroFloat64),
			LatencyMs: f(math.Copysign(0, -1)),
		},
		{
			ID: "d", Timestamp: time.Date(2262, 4, 11, 0, 0, 0, 1000, time.UTC), Prediction: "1", Confidence: f(math.MaxFloat64),
			Features: modelwatch.Features(`{}`),
		},
		{ID: "e", Timestamp: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), Prediction: "0", Confidence: f(math.Inf(1))},
	}
	ps[0].Latency.PreprocessingMs, ps[0].Latency.InferenceMs, ps[0].Latency.PostprocessingMs = f(1.25), f(40), f(0)
	ps[2].Latency.InferenceMs = f(1e-300)
	rows := []newRow{
		{i: 4, mv: 7},
		{
			i: 0, mv: 1, probs: []byte(`{"cat":0.5,"dog":0.5}`), label: "dog", labelled: true, rev: 42,
			labelAt: time.Date(2026, 11, 26, 11, 0, 0, 5000, time.UTC),
		},
		{i: 2, mv: math.MaxInt32, label: "", labelled: true, rev: 1, labelAt: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{i: 3, mv: 2},
		{i: 1, mv: 3},
	}
	for k := range n {
		ps = append(ps, modelwatch.Prediction{
			ID: fmt.Sprintf("row-%05d", k), Timestamp: time.Date(2026, 11, 26, 0, 0, k, k, time.UTC), Prediction: "1",
			Confidence: f(float64(k) / float64(n)), Features: modelwatch.Features(`{"f":"` + strings.Repeat("x", k%300) + `"}`),
		})
		rows = append(rows, newRow{i: len(ps) - 1, mv: 1})
	}
	return ps, rows
}

// TestCopyRowsMatchesPgx: the rows the hand-written binary COPY stores are
// the rows pgx's CopyFrom stores from the same values (the encoding the
// store used before), column for column.
func TestCopyRowsMatchesPgx(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	db := open(t, pg.NewDatabase(t), time.Now)
	ctx := t.Context()
	ps, rows := copyTestRows(3000)
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, table := range []string{"via_rows", "via_pgx"} {
		if _, err := conn.Exec(ctx, `CREATE TABLE `+table+` (LIKE predictions)`); err != nil {
			t.Fatal(err)
		}
	}
	stmt := strings.Replace(copyPredictions, "COPY predictions", "COPY via_rows", 1)
	tag, err := conn.Conn().PgConn().CopyFrom(ctx, &copyRows{ps: ps, rows: rows}, stmt)
	if err != nil || tag.RowsAffected() != int64(len(rows)) {
		t.Fatalf("binary COPY: %v rows, %v", tag.RowsAffected(), err)
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"via_pgx"}, predictionColumns, pgx.CopyFromSlice(len(rows), func(k int) ([]any, error) {
		r := &rows[k]
		p := &ps[r.i]
		v := []any{
			p.Timestamp, r.mv, p.ID, string(p.Prediction), p.Confidence, p.Latency.PreprocessingMs, p.Latency.InferenceMs,
			p.Latency.PostprocessingMs, p.LatencyMs, nil, nil, nil, nil, nil, nil,
		}
		if r.labelled {
			v[9], v[10], v[11], v[12] = r.rev, r.rev, r.labelAt, r.label
		}
		if len(p.Features) > 0 {
			v[13] = string(p.Features)
		}
		if r.probs != nil {
			v[14] = r.probs
		}
		return v, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := conn.Query(ctx, `SELECT r::text, p::text FROM via_rows r FULL JOIN via_pgx p USING (id) ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var a, b *string
	_, err = pgx.ForEachRow(got, []any{&a, &b}, func() error {
		n++
		if a == nil || b == nil || *a != *b {
			return fmt.Errorf("row %d differs:\nbinary COPY %v\npgx         %v", n, deref(a), deref(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(rows) {
		t.Fatalf("%d rows compared, want %d", n, len(rows))
	}
}

func deref(s *string) string {
	if s == nil {
		return "(missing)"
	}
	return *s
}

// TestCopyRowsReads: the encoding does not depend on how the reader is
// read, and has the format's header and trailer.
func TestCopyRowsReads(t *testing.T) {
	ps, rows := copyTestRows(500)
	whole, err := io.ReadAll(&copyRows{ps: ps, rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	bytewise, err := io.ReadAll(iotest.OneByteReader(&copyRows{ps: ps, rows: rows}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole, bytewise) {
		t.Fatalf("read whole: %d bytes, read byte by byte: %d bytes, and they differ", len(whole), len(bytewise))
	}
	if !bytes.HasPrefix(whole, []byte("PGCOPY\n\xff\r\n\x00")) || !bytes.HasSuffix(whole, []byte{0xff, 0xff}) {
		t.Fatalf("no binary COPY signature or trailer: % x … % x", whole[:19], whole[len(whole)-2:])
	}
	if err := iotest.TestReader(&copyRows{ps: ps, rows: rows}, whole); err != nil {
		t.Fatal(err)
	}
	empty, err := io.ReadAll(&copyRows{})
	if err != nil || string(empty) != copySignature+"\xff\xff" {
		t.Fatalf("no rows: % x, %v", empty, err)
	}
}
