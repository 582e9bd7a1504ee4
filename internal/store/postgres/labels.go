package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// nextRevisions reserves n consecutive label revisions for tx and returns
// the first.
//
// Every replica's sliding windows tail label changes with
// LabelEvents(after rev): a window that has read revision 12 never asks for
// 11 again. So a revision must not become visible after a higher one:
// revision order has to be commit order. A sequence alone does not give
// that (two transactions take 11 and 12, the one with 12 commits first, a
// window reads 12, then 11 commits and is never seen). So every
// transaction that assigns revisions first takes one transaction-level
// advisory lock and keeps it until it commits or rolls back: while a
// transaction holds revisions that are not yet committed, nobody else can
// take newer ones. PostgreSQL makes a commit visible before it releases the
// transaction's locks, so the next holder's revisions are higher than every
// revision a reader can see.
//
// The lock is held only from here to the commit, and taken after the row
// locks on prediction_ids (which order a label and its prediction) and
// before the rollup row locks; a transaction that holds rollup rows never
// waits for the lock, so the lock takes part in no deadlock. Writes that
// assign no revision (ingest of unlabelled predictions, which is most of
// them) never take it and run concurrently.
func nextRevisions(ctx context.Context, tx pgx.Tx, n int) (int64, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockClass, lockRevisions); err != nil {
		return 0, unavailable("lock label revisions", err)
	}
	var last int64
	// The lock makes this read-and-advance atomic with respect to every
	// other caller.
	if err := tx.QueryRow(ctx, `SELECT setval('label_revisions', nextval('label_revisions') + $1 - 1)`, n).Scan(&last); err != nil {
		return 0, unavailable("take label revisions", err)
	}
	return last - int64(n) + 1, nil
}

// AddGroundTruth implements store.Store.
func (db *DB) AddGroundTruth(ctx context.Context, labels []modelwatch.GroundTruth) (store.LabelResult, error) {
	res := store.LabelResult{Labelled: map[modelwatch.ModelKey]int{}}
	if len(labels) == 0 {
		return res, nil
	}
	// The last label for an id in the batch wins.
	last := make(map[string]string, len(labels))
	order := make([]string, 0, len(labels))
	for i, l := range labels {
		if l.ID == "" || l.GroundTruth == "" {
			return res, modelwatch.Errorf(modelwatch.EInvalid, "ground truth %d has no id or label", i)
		}
		if msg := unstorable(l.ID, string(l.GroundTruth)); msg != "" {
			return res, modelwatch.Errorf(modelwatch.EInvalid, "ground truth %d: %s", i, msg)
		}
		if _, ok := last[l.ID]; !ok {
			order = append(order, l.ID)
		}
		last[l.ID] = string(l.GroundTruth)
	}
	now := db.now()
	err := db.inTx(ctx, "add ground truth", func(tx pgx.Tx) error {
		res = store.LabelResult{Labelled: map[modelwatch.ModelKey]int{}}
		return db.addGroundTruth(ctx, tx, order, last, now, &res)
	})
	return res, err
}

// storedPrediction is what labelling needs to know of a stored prediction.
type storedPrediction struct {
	ts     time.Time
	mv     int64
	key    modelwatch.ModelKey
	pred   string
	truth  *string
	labSeq *int64
}

func (db *DB) addGroundTruth(ctx context.Context, tx pgx.Tx, order []string, last map[string]string, now time.Time, res *store.LabelResult) error {
	// Claim every id, in id order: an unknown id gets (or updates) a pending
	// label; a stored prediction's row is locked, not changed, and not
	// returned. Either way no ingest of the same id can run in between.
	ids := slices.Clone(order)
	slices.Sort(ids)
	values := make([]string, len(ids))
	for k, id := range ids {
		values[k] = last[id]
	}
	rows, err := tx.Query(ctx, `INSERT INTO prediction_ids AS i (id, pending_label, pending_at)
		SELECT u.id, u.label, $3 FROM unnest($1::text[], $2::text[]) AS u (id, label) ORDER BY u.id
		ON CONFLICT (id) DO UPDATE SET pending_label = excluded.pending_label, pending_at = excluded.pending_at
			WHERE i.ts IS NULL
		RETURNING i.id`, ids, values, now)
	if err != nil {
		return unavailable("store labels", err)
	}
	pending, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return unavailable("store labels", err)
	}
	res.Pending = len(pending)
	if len(pending) == len(ids) {
		return nil
	}
	isPending := make(map[string]bool, len(pending))
	for _, id := range pending {
		isPending[id] = true
	}
	var storedIDs []string
	for _, id := range ids {
		if !isPending[id] {
			storedIDs = append(storedIDs, id)
		}
	}
	rows, err = tx.Query(ctx, `SELECT p.id, p.ts, p.mv_id, m.model_name, m.model_version, p.prediction, p.ground_truth, p.label_seq
		FROM prediction_ids i
		JOIN predictions p ON p.ts = i.ts AND p.id = i.id
		JOIN model_versions m ON m.id = p.mv_id
		WHERE i.id = ANY($1)`, storedIDs)
	if err != nil {
		return unavailable("read labelled predictions", err)
	}
	found := make(map[string]storedPrediction, len(storedIDs))
	var id string
	var s storedPrediction
	_, err = pgx.ForEachRow(rows, []any{&id, &s.ts, &s.mv, &s.key.Name, &s.key.Version, &s.pred, &s.truth, &s.labSeq}, func() error {
		found[id] = s
		s.truth, s.labSeq = nil, nil // scan the next row into new values
		return nil
	})
	if err != nil {
		return unavailable("read labelled predictions", err)
	}

	// Label in the batch's order of first appearance.
	type change struct {
		id, label string
		ts        time.Time
	}
	var changes []change
	batch := rollup.NewBatch()
	for _, id := range order {
		if isPending[id] {
			continue
		}
		s, ok := found[id]
		if !ok {
			return fmt.Errorf("label prediction %q: its id is stored but the prediction is not", id)
		}
		label := last[id]
		switch {
		case s.truth != nil && *s.truth == label:
			res.Unchanged++
			continue
		case s.labSeq != nil:
			res.Relabelled++
			batch.AddCorrection(s.mv, utc(s.ts), *s.truth, label, s.pred)
		default:
			res.Joined++
			res.Labelled[s.key]++
			batch.AddLabelled(s.mv, utc(s.ts), label, s.pred)
		}
		changes = append(changes, change{id: id, label: label, ts: s.ts})
	}
	if len(changes) == 0 {
		return nil
	}
	rev, err := nextRevisions(ctx, tx, len(changes))
	if err != nil {
		return err
	}
	cids := make([]string, len(changes))
	ctss := make([]time.Time, len(changes))
	clabels := make([]string, len(changes))
	revs := make([]int64, len(changes))
	for k, c := range changes {
		cids[k], ctss[k], clabels[k], revs[k] = c.id, c.ts, c.label, rev+int64(k)
	}
	// The first label also fixes the prediction's place in the windows
	// (label_seq); later ones only change label_rev.
	tag, err := tx.Exec(ctx, `UPDATE predictions AS p
		SET ground_truth = u.label, labelled_at = $5, label_rev = u.rev, label_seq = coalesce(p.label_seq, u.rev)
		FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[]) AS u (id, ts, label, rev)
		WHERE p.ts = u.ts AND p.id = u.id`, cids, ctss, clabels, revs, now)
	if err != nil {
		return unavailable("label predictions", err)
	}
	if tag.RowsAffected() != int64(len(changes)) {
		return fmt.Errorf("label predictions: %d of %d rows updated", tag.RowsAffected(), len(changes))
	}
	return writeRollups(ctx, tx, batch)
}

// LabelEvents implements store.Store.
func (db *DB) LabelEvents(ctx context.Context, after int64, limit int) ([]store.LabelEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT p.label_rev, p.label_seq, m.model_name, m.model_version, p.ground_truth, p.prediction
		FROM predictions p JOIN model_versions m ON m.id = p.mv_id
		WHERE p.label_rev > $1 ORDER BY p.label_rev LIMIT $2`, after, limit)
	if err != nil {
		return nil, unavailable("read label events", err)
	}
	return scanEvents(rows)
}

// LatestLabelled implements store.Store.
func (db *DB) LatestLabelled(ctx context.Context, key modelwatch.ModelKey, n int) ([]store.LabelEvent, int64, error) {
	var evs []store.LabelEvent
	var rev int64
	err := db.readTx(ctx, "read labelled predictions", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(label_rev), 0) FROM predictions`).Scan(&rev); err != nil {
			return unavailable("read label revision", err)
		}
		rows, err := tx.Query(ctx, `SELECT p.label_rev, p.label_seq, m.model_name, m.model_version, p.ground_truth, p.prediction
			FROM predictions p JOIN model_versions m ON m.id = p.mv_id
			WHERE m.model_name = $1 AND m.model_version = $2 AND p.label_seq IS NOT NULL
			ORDER BY p.label_seq DESC LIMIT $3`, key.Name, key.Version, n)
		if err != nil {
			return unavailable("read labelled predictions", err)
		}
		evs, err = scanEvents(rows)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	slices.Reverse(evs)
	return evs, rev, nil
}

func scanEvents(rows pgx.Rows) ([]store.LabelEvent, error) {
	var out []store.LabelEvent
	var e store.LabelEvent
	var truth, pred string
	_, err := pgx.ForEachRow(rows, []any{&e.Rev, &e.Seq, &e.Model.Name, &e.Model.Version, &truth, &pred}, func() error {
		e.Truth, e.Prediction = modelwatch.Label(truth), modelwatch.Label(pred)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, unavailable("read label events", err)
	}
	return out, nil
}
