package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store/migrate"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

// TestMigrationsOnce opens one fresh database from several replicas at
// once: every one starts, and each migration is applied once.
func TestMigrationsOnce(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	url := pg.NewDatabase(t)
	const replicas = 6
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() {
			db, err := Open(t.Context(), url, Options{})
			if err == nil {
				err = db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open: %v", i, err)
		}
	}
	ms, err := migrate.Load(migrationsFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	conn := connect(t, url)
	var n, distinct int
	if err := conn.QueryRow(t.Context(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || distinct != len(ms) {
		t.Errorf("schema_migrations has %d rows (%d versions), want each of the %d migrations once", n, distinct, len(ms))
	}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// TestLocker takes job locks from two replicas: one runner at a time per
// name, and a replica that dies releases its locks.
func TestLocker(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	url := pg.NewDatabase(t)
	a, b := open(t, url, time.Now), open(t, url, time.Now)
	unlockA, ok, err := a.Locker().TryLock(t.Context(), "data-drift:m:1")
	if err != nil || !ok {
		t.Fatalf("replica A TryLock = %v, %v; want the lock", ok, err)
	}
	if _, ok, err := b.Locker().TryLock(t.Context(), "data-drift:m:1"); err != nil || ok {
		t.Fatalf("replica B TryLock of a held lock = %v, %v; want false", ok, err)
	}
	if _, ok, err := a.Locker().TryLock(t.Context(), "data-drift:m:1"); err != nil || ok {
		t.Fatalf("replica A TryLock of its own held lock = %v, %v; want false (another runner in the same process)", ok, err)
	}
	unlockOther, ok, err := b.Locker().TryLock(t.Context(), "concept-drift:m:1")
	if err != nil || !ok {
		t.Fatalf("replica B TryLock of another name = %v, %v; want the lock", ok, err)
	}
	unlockOther()
	unlockA()
	unlockB, ok, err := b.Locker().TryLock(t.Context(), "data-drift:m:1")
	if err != nil || !ok {
		t.Fatalf("replica B TryLock after A released = %v, %v; want the lock", ok, err)
	}
	// B's session dies (a crashed replica): the lock goes with it.
	var pid int
	conn := connect(t, url)
	err = conn.QueryRow(t.Context(), `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1`).Scan(&pid)
	if err != nil {
		t.Fatalf("find the session holding the lock: %v", err)
	}
	if _, err := conn.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		unlock, ok, err := a.Locker().TryLock(t.Context(), "data-drift:m:1")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			unlock()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lock of a terminated session was not released")
		}
		time.Sleep(50 * time.Millisecond)
	}
	unlockB() // on a dead connection: must not hang or panic
}

// TestIngestRollsBackMidCopy makes PostgreSQL refuse one row in the middle
// of a batch, after the ids were claimed, pending labels taken and other
// rows copied: nothing of the batch remains.
func TestIngestRollsBackMidCopy(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	url := pg.NewDatabase(t)
	db := open(t, url, func() time.Time { return t0 })
	conn := connect(t, url)
	if _, err := conn.Exec(t.Context(), `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'poisoned row %', NEW.id; END $$;
		CREATE TRIGGER poison BEFORE INSERT ON predictions FOR EACH ROW WHEN (NEW.id = 'b-150') EXECUTE FUNCTION poison()`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddGroundTruth(t.Context(), []modelwatch.GroundTruth{{ID: "b-010", GroundTruth: "x"}}); err != nil {
		t.Fatal(err)
	}
	var batch []modelwatch.Prediction
	for i := range 300 {
		p := modelwatch.Prediction{
			ID: fmt.Sprintf("b-%03d", i), ModelName: "m", ModelVersion: "1",
			Timestamp: t0.Add(time.Duration(i) * time.Minute), Prediction: "x", Confidence: new(0.5),
		}
		if i%7 == 0 {
			p.GroundTruth = "y"
		}
		batch = append(batch, p)
	}
	if _, err := db.IngestPredictions(t.Context(), batch); err == nil || modelwatch.ErrorCode(err) != modelwatch.EUnavailable {
		t.Fatalf("IngestPredictions with a poisoned row: %v, want an unavailable error", err)
	}
	var preds, ids, rollups, pending int
	if err := conn.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM predictions), (SELECT count(*) FROM prediction_ids),
		(SELECT coalesce(sum(n), 0) FROM rollups), (SELECT count(*) FROM prediction_ids WHERE pending_label IS NOT NULL)`).
		Scan(&preds, &ids, &rollups, &pending); err != nil {
		t.Fatal(err)
	}
	if preds != 0 || ids != 1 || rollups != 0 || pending != 1 {
		t.Errorf("after a failed batch: %d predictions, %d ids, %d counted in rollups, %d pending labels; want 0, 1, 0 and the 1 pending label",
			preds, ids, rollups, pending)
	}
	if evs, err := db.LabelEvents(t.Context(), 0, 1000); err != nil || len(evs) != 0 {
		t.Errorf("label events after a failed batch: %v, %v", evs, err)
	}
	if _, err := conn.Exec(t.Context(), `DROP TRIGGER poison ON predictions`); err != nil {
		t.Fatal(err)
	}
	res, err := db.IngestPredictions(t.Context(), batch)
	if err != nil || res.Accepted != 300 || res.Joined != 1 {
		t.Fatalf("retry: %+v, %v; want 300 accepted, 1 joined", res, err)
	}
	if evs, err := db.LabelEvents(t.Context(), 0, 1000); err != nil || len(evs) != 44 {
		t.Errorf("label events after the retry: %d, %v; want 44 (43 sent labelled, 1 joined)", len(evs), err)
	}
}

var t0 = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

// TestNULRefused: PostgreSQL's text cannot hold NUL; such a row is refused
// as invalid (the client must not retry it), not reported as an outage.
func TestNULRefused(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	db := open(t, pg.NewDatabase(t), func() time.Time { return t0 })
	p := modelwatch.Prediction{ID: "a", ModelName: "m", ModelVersion: "1", Timestamp: t0, Prediction: "x\x00y"}
	if _, err := db.IngestPredictions(t.Context(), []modelwatch.Prediction{p}); modelwatch.ErrorCode(err) != modelwatch.EInvalid {
		t.Errorf("prediction with a NUL in its class: %v, want invalid", err)
	}
	if _, err := db.AddGroundTruth(t.Context(), []modelwatch.GroundTruth{{ID: "a", GroundTruth: "\x00"}}); modelwatch.ErrorCode(err) != modelwatch.EInvalid {
		t.Errorf("label with a NUL: %v, want invalid", err)
	}
}

// TestInvalidUTF8Refused: text that is not UTF-8 cannot be stored in
// PostgreSQL either; the batch is refused as invalid, before anything of it
// is written, and the store goes on taking valid batches.
func TestInvalidUTF8Refused(t *testing.T) {
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	db := open(t, pg.NewDatabase(t), func() time.Time { return t0 })
	good := modelwatch.Prediction{ID: "ok", ModelName: "m", ModelVersion: "1", Timestamp: t0, Prediction: "x", Features: modelwatch.Features(`{"a":"b"}`)}
	for name, bad := range map[string]func(p *modelwatch.Prediction){
		"features": func(p *modelwatch.Prediction) { p.Features = modelwatch.Features("{\"a\":\"\xff\"}") },
		"id":       func(p *modelwatch.Prediction) { p.ID = "b\xfe" },
		"class":    func(p *modelwatch.Prediction) { p.Prediction = "\xc3" },
		"label":    func(p *modelwatch.Prediction) { p.GroundTruth = "\xe2\x82" },
	} {
		p := good
		p.ID = "bad-" + name
		bad(&p)
		_, err := db.IngestPredictions(t.Context(), []modelwatch.Prediction{good, p})
		if modelwatch.ErrorCode(err) != modelwatch.EInvalid || !strings.Contains(err.Error(), "prediction 1") {
			t.Errorf("%s not UTF-8: %v, want invalid naming prediction 1", name, err)
		}
	}
	if _, err := db.AddGroundTruth(t.Context(), []modelwatch.GroundTruth{{ID: "ok", GroundTruth: "\xff"}}); modelwatch.ErrorCode(err) != modelwatch.EInvalid {
		t.Errorf("label not UTF-8: %v, want invalid", err)
	}
	var n int
	if err := db.pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM predictions) + (SELECT count(*) FROM prediction_ids)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows stored by refused batches: %d, %v", n, err)
	}
	if res, err := db.IngestPredictions(t.Context(), []modelwatch.Prediction{good}); err != nil || res.Accepted != 1 {
		t.Fatalf("a valid batch after them: %+v, %v", res, err)
	}
}
