package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// newRow is a prediction that an ingest transaction stores.
type newRow struct {
	i        int // index in the batch
	mv       int64
	probs    []byte
	label    string    // ground truth it is stored with, "" for none
	labelAt  time.Time // when that label arrived
	rev      int64     // its label revision (and sequence number)
	joined   bool      // labelled by a pending label, not by itself
	pending  bool      // a pending label was waiting for it
	labelled bool      // carries a label, its own or a pending one
}

// IngestPredictions implements store.Store.
//
// One transaction: the ids are claimed in prediction_ids (which reports
// duplicates and hands over pending labels), then the new rows are copied
// into predictions with COPY and the rollups updated. A batch whose rows
// fall on a day without a partition creates the partition first, in its own
// transaction.
func (db *DB) IngestPredictions(ctx context.Context, ps []modelwatch.Prediction) (store.IngestResult, error) {
	for i := range ps {
		p := &ps[i]
		if p.ID == "" || p.Timestamp.IsZero() {
			return store.IngestResult{}, modelwatch.Errorf(modelwatch.EInvalid, "prediction %d has no id or timestamp", i)
		}
		msg := unstorable(p.ID, p.ModelName, p.ModelVersion, string(p.Prediction), string(p.GroundTruth))
		if msg == "" && !utf8.Valid(p.Features) {
			msg = utf8Message
		}
		if msg != "" {
			return store.IngestResult{}, modelwatch.Errorf(modelwatch.EInvalid, "prediction %d: %s", i, msg)
		}
	}
	res := store.IngestResult{Duplicate: make([]bool, len(ps)), Labelled: map[modelwatch.ModelKey]int{}}
	if len(ps) == 0 {
		return res, nil
	}
	// Duplicates inside the batch: the first occurrence wins.
	first := make(map[string]bool, len(ps))
	rows := make([]newRow, 0, len(ps))
	var days []day
	for i := range ps {
		if first[ps[i].ID] {
			res.Duplicate[i] = true
			continue
		}
		first[ps[i].ID] = true
		r := newRow{i: i}
		if len(ps[i].Probabilities) > 0 {
			b, err := json.Marshal(ps[i].Probabilities)
			if err != nil {
				return store.IngestResult{}, modelwatch.Errorf(modelwatch.EInvalid, "prediction %d (%q): probabilities cannot be stored: %v", i, ps[i].ID, err)
			}
			r.probs = b
		}
		rows = append(rows, r)
		if d := dayOf(ps[i].Timestamp); !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	if err := db.parts.ensure(ctx, days); err != nil {
		return store.IngestResult{}, err
	}
	stored, newMVs, err := db.ingest(ctx, ps, rows)
	if isNoPartition(err) {
		// Another replica dropped an old partition we knew of: look again.
		if err = db.parts.load(ctx); err == nil {
			if err = db.parts.ensure(ctx, days); err == nil {
				stored, newMVs, err = db.ingest(ctx, ps, rows)
			}
		}
	}
	if err != nil {
		return store.IngestResult{}, err
	}
	db.mu.Lock()
	maps.Copy(db.mvs, newMVs)
	db.mu.Unlock()
	for _, r := range rows {
		res.Duplicate[r.i] = true
	}
	for _, r := range stored {
		p := &ps[r.i]
		res.Duplicate[r.i] = false
		res.Accepted++
		if r.labelled {
			res.Labelled[modelwatch.ModelKey{Name: p.ModelName, Version: p.ModelVersion}]++
		}
		if r.joined {
			res.Joined++
		}
	}
	return res, nil
}

// ingest stores rows of ps in one transaction and returns the rows stored
// (the others were duplicates) and the model versions it created.
func (db *DB) ingest(ctx context.Context, ps []modelwatch.Prediction, rows []newRow) ([]newRow, map[modelwatch.ModelKey]int64, error) {
	var stored []newRow
	newMVs := map[modelwatch.ModelKey]int64{}
	err := db.inTx(ctx, "ingest predictions", func(tx pgx.Tx) error {
		stored = stored[:0]
		clear(newMVs)
		for k := range rows {
			r := &rows[k]
			key := modelwatch.ModelKey{Name: ps[r.i].ModelName, Version: ps[r.i].ModelVersion}
			id, ok := newMVs[key]
			if !ok {
				var err error
				if id, err = db.modelVersionID(ctx, tx, key); err != nil {
					return err
				}
				newMVs[key] = id
			}
			r.mv = id
		}

		var err error
		if stored, err = db.claimIDs(ctx, tx, ps, rows); err != nil {
			return err
		}
		if len(stored) == 0 {
			return nil
		}
		slices.SortFunc(stored, func(a, b newRow) int { return a.i - b.i })

		// Labels get their revisions in batch order, under the lock that
		// makes revision order commit order (see nextRevisions).
		labelled := 0
		for _, r := range stored {
			if r.labelled {
				labelled++
			}
		}
		if labelled > 0 {
			rev, err := nextRevisions(ctx, tx, labelled)
			if err != nil {
				return err
			}
			for k := range stored {
				if stored[k].labelled {
					stored[k].rev = rev
					rev++
				}
			}
		}
		if err := copyPredictionRows(ctx, tx, ps, stored); err != nil {
			return unavailable("copy predictions", err)
		}
		var joinedIDs []string
		for _, r := range stored {
			if r.pending {
				joinedIDs = append(joinedIDs, ps[r.i].ID)
			}
		}
		if len(joinedIDs) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE prediction_ids SET pending_label = NULL, pending_at = NULL WHERE id = ANY($1)`, joinedIDs); err != nil {
				return unavailable("join pending labels", err)
			}
		}
		batch := rollup.NewBatch()
		for _, r := range stored {
			p := ps[r.i]
			p.GroundTruth = modelwatch.Label(r.label)
			batch.AddPrediction(r.mv, &p)
		}
		return writeRollups(ctx, tx, batch)
	})
	return stored, newMVs, err
}

// nulMessage says why text with a NUL character is refused.
const nulMessage = "text with a NUL character (\\u0000) cannot be stored in PostgreSQL"

// utf8Message says why text that is not UTF-8 is refused.
const utf8Message = "text that is not valid UTF-8 cannot be stored in PostgreSQL"

// unstorable says why PostgreSQL's text type cannot hold one of ss (a NUL
// character, or bytes that are not UTF-8), or returns "" when it can.
func unstorable(ss ...string) string {
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 {
			return nulMessage
		}
		if !utf8.ValidString(s) {
			return utf8Message
		}
	}
	return ""
}

// claimIDs claims the ids of rows in prediction_ids and returns the rows
// to store, in batch order: the rows whose id was free or held a pending
// label (handed over); the others are duplicates. Ids are claimed in id
// order, so that concurrent batches lock them in the same order.
//
// Most batches are new predictions only: a plain INSERT, in a savepoint,
// claims them at half the cost of an upsert. When it meets an id that
// exists (a duplicate, a pending label, or a batch being stored at the same
// moment), the savepoint is rolled back and the upsert sorts them out.
func (db *DB) claimIDs(ctx context.Context, tx pgx.Tx, ps []modelwatch.Prediction, rows []newRow) ([]newRow, error) {
	order := make([]int, len(rows))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(ps[rows[a].i].ID, ps[rows[b].i].ID) })
	ids := make([]string, len(rows))
	tss := make([]time.Time, len(rows))
	for n, k := range order {
		ids[n], tss[n] = ps[rows[k].i].ID, ps[rows[k].i].Timestamp
	}
	stored := make([]newRow, 0, len(rows))
	label := func(r newRow, pending *string, at *time.Time) newRow {
		p := &ps[r.i]
		if p.GroundTruth != "" {
			r.label, r.labelAt, r.labelled = string(p.GroundTruth), p.LabelledAt, true
			if r.labelAt.IsZero() {
				r.labelAt = db.now()
			}
		}
		if pending != nil {
			r.pending = true
			if *pending != r.label {
				// The pending label came later than the one the prediction
				// carried (or it carried none): it wins.
				r.joined = p.GroundTruth == ""
				r.label, r.labelAt, r.labelled = *pending, *at, true
			}
		}
		return r
	}

	// One round trip: the savepoint, the insert and its release.
	var claim pgx.Batch
	claim.Queue(`SAVEPOINT claim_ids`)
	claim.Queue(`INSERT INTO prediction_ids (id, ts) SELECT * FROM unnest($1::text[], $2::timestamptz[])`, ids, tss)
	claim.Queue(`RELEASE SAVEPOINT claim_ids`)
	br := tx.SendBatch(ctx, &claim)
	var err error
	for range claim.Len() {
		if _, err = br.Exec(); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	var pe *pgconn.PgError
	switch {
	case err == nil:
		for _, r := range rows {
			stored = append(stored, label(r, nil, nil))
		}
		return stored, nil
	case errors.As(err, &pe) && pe.Code == "23505": // unique_violation
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT claim_ids`); err != nil {
			return nil, unavailable("claim prediction ids", err)
		}
	default:
		return nil, unavailable("claim prediction ids", err)
	}

	// A pending label's row becomes the prediction's; a stored
	// prediction's row is a duplicate and is not returned.
	byID := make(map[string]int, len(rows))
	for n, k := range order {
		byID[ids[n]] = k
	}
	claimed, err := tx.Query(ctx, `INSERT INTO prediction_ids AS i (id, ts)
		SELECT * FROM unnest($1::text[], $2::timestamptz[])
		ON CONFLICT (id) DO UPDATE SET ts = excluded.ts WHERE i.ts IS NULL
		RETURNING i.id, i.pending_label, i.pending_at`, ids, tss)
	if err != nil {
		return nil, unavailable("claim prediction ids", err)
	}
	var id string
	var pending *string
	var at *time.Time
	_, err = pgx.ForEachRow(claimed, []any{&id, &pending, &at}, func() error {
		stored = append(stored, label(rows[byID[id]], pending, at))
		pending, at = nil, nil
		return nil
	})
	if err != nil {
		return nil, unavailable("claim prediction ids", err)
	}
	slices.SortFunc(stored, func(a, b newRow) int { return a.i - b.i })
	return stored, nil
}

// modelVersionID returns the id of a model version, creating it if needed.
// An id created in tx is only cached once tx has committed.
func (db *DB) modelVersionID(ctx context.Context, tx pgx.Tx, k modelwatch.ModelKey) (int64, error) {
	db.mu.Lock()
	id, ok := db.mvs[k]
	db.mu.Unlock()
	if ok {
		return id, nil
	}
	err := tx.QueryRow(ctx, `INSERT INTO model_versions (model_name, model_version, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (model_name, model_version) DO NOTHING RETURNING id`, k.Name, k.Version, db.now()).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		// It exists, possibly committed by another transaction after this
		// statement began: a new statement sees it.
		err = tx.QueryRow(ctx, `SELECT id FROM model_versions WHERE model_name = $1 AND model_version = $2`, k.Name, k.Version).Scan(&id)
	}
	if err != nil {
		return 0, unavailable(fmt.Sprintf("create model version %s", k), err)
	}
	return id, nil
}
