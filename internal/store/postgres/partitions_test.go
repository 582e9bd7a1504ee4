package postgres

import (
	"slices"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

func partitionNames(t *testing.T, db *DB) []string {
	t.Helper()
	if err := db.parts.load(t.Context()); err != nil {
		t.Fatal(err)
	}
	var out []string
	for d := range db.parts.days {
		out = append(out, d.table())
	}
	slices.Sort(out)
	return out
}

// TestPartitions: daily partitions exist ahead, are created for any day a
// prediction falls on, are dropped once archived empty, and a replica
// whose cache still lists a dropped partition recreates it.
func TestPartitions(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	url := pg.NewDatabase(t)
	now := func() time.Time { return t0 }
	a := open(t, url, now)
	got := partitionNames(t, a)
	if len(got) != 9 || got[0] != "predictions_p20261122" || got[8] != "predictions_p20261130" {
		t.Fatalf("partitions after Open = %v, want yesterday to 7 days ahead", got)
	}
	old, future := t0.AddDate(0, 0, -200), t0.AddDate(0, 0, 30)
	pred := func(id string, ts time.Time) modelwatch.Prediction {
		return modelwatch.Prediction{ID: id, ModelName: "m", ModelVersion: "1", Timestamp: ts, Prediction: "x", Confidence: new(0.5)}
	}
	if res, err := a.IngestPredictions(t.Context(), []modelwatch.Prediction{pred("old", old), pred("future", future), pred("now", t0)}); err != nil || res.Accepted != 3 {
		t.Fatalf("ingest on days without partitions: %+v, %v", res, err)
	}
	got = partitionNames(t, a)
	if !slices.Contains(got, "predictions_p20260507") || !slices.Contains(got, "predictions_p20261223") {
		t.Errorf("partitions = %v, want the old and the future day's too", got)
	}

	b := open(t, url, now) // a second replica, which knows of the old day's partition
	if !b.parts.days[dayOf(old)] {
		t.Fatal("replica B does not know the old partition")
	}
	key := modelwatch.ModelKey{Name: "m", Version: "1"}
	var n int
	snap, err := a.ExportDay(t.Context(), key, old, func(*modelwatch.Prediction) error { n++; return nil })
	if err != nil || n != 1 {
		t.Fatalf("ExportDay = %d rows, %v", n, err)
	}
	if err := a.DeleteArchived(t.Context(), store.ArchivedPart{Model: key, Day: old, Part: snap.Part, Object: "o", Rows: 1, Checksum: "c"}, snap); err != nil {
		t.Fatal(err)
	}
	if got := partitionNames(t, a); slices.Contains(got, "predictions_p20260507") {
		t.Errorf("the emptied partition of the archived day was not dropped: %v", got)
	}
	// B still believes the partition exists: its ingest must recover.
	if res, err := b.IngestPredictions(t.Context(), []modelwatch.Prediction{pred("old-again", old.Add(time.Minute))}); err != nil || res.Accepted != 1 {
		t.Fatalf("ingest through a replica with a stale partition list: %+v, %v", res, err)
	}
	var rows []string
	err = b.ScanFeatures(t.Context(), key, old.Add(-time.Hour), old.Add(time.Hour), func(ts time.Time, _ []byte) error {
		rows = append(rows, ts.String())
		return nil
	})
	if err != nil || len(rows) != 1 {
		t.Errorf("predictions on the recreated partition: %v, %v", rows, err)
	}
}
