package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// insertChunk is the number of predictions per multi-row INSERT: fewer
// statements per batch, well under SQLite's limit of bound parameters.
const insertChunk = 128

const insertCols = 15

func insertSQL(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO predictions (id, mv_id, ts, features, prediction, confidence, probabilities,
		preprocessing_ms, inference_ms, postprocessing_ms, latency_ms, ground_truth, labelled_at, label_seq, label_rev) VALUES `)
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", insertCols), ",") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	b.WriteString(` ON CONFLICT (id) DO NOTHING RETURNING id`)
	return b.String()
}

// rowResult is what a write transaction did with one prediction.
type rowResult struct {
	duplicate bool // already stored, or earlier in the same group
	labelled  bool // got its first label in this transaction
	joined    bool // ... from a pending label
}

// IngestPredictions implements store.Store. Concurrent calls are committed
// together in one transaction (group commit) by the writer goroutine, which
// shares the cost of a commit among them; a group that fails is retried
// call by call so that one bad batch cannot fail another.
func (db *DB) IngestPredictions(ctx context.Context, ps []modelwatch.Prediction) (store.IngestResult, error) {
	for i := range ps {
		if ps[i].ID == "" || ps[i].Timestamp.IsZero() {
			return store.IngestResult{}, modelwatch.Errorf(modelwatch.EInvalid, "prediction %d has no id or timestamp", i)
		}
	}
	if len(ps) == 0 {
		return store.IngestResult{Duplicate: []bool{}, Labelled: map[modelwatch.ModelKey]int{}}, nil
	}
	req := &ingestRequest{ctx: ctx, ps: ps, done: make(chan struct{})}
	if err := db.enqueue(req); err != nil {
		return store.IngestResult{}, err
	}
	// Wait for the outcome even if ctx ends: once the writer has taken the
	// request, it may be committed, and the caller must not be told
	// otherwise.
	<-req.done
	return req.res, req.err
}

// resultOf builds a call's IngestResult from its rows' results.
func resultOf(ps []modelwatch.Prediction, rows []rowResult) store.IngestResult {
	res := store.IngestResult{Duplicate: make([]bool, len(ps)), Labelled: map[modelwatch.ModelKey]int{}}
	for i, r := range rows {
		res.Duplicate[i] = r.duplicate
		if r.duplicate {
			continue
		}
		res.Accepted++
		if r.labelled {
			res.Labelled[modelwatch.ModelKey{Name: ps[i].ModelName, Version: ps[i].ModelVersion}]++
		}
		if r.joined {
			res.Joined++
		}
	}
	return res
}

// ingest stores ps in one transaction and reports on each row.
func (db *DB) ingest(ctx context.Context, ps []modelwatch.Prediction) ([]rowResult, error) {
	out := make([]rowResult, len(ps))
	// Duplicates inside the batch: the first occurrence wins.
	first := make(map[string]int, len(ps))
	for i := range ps {
		if _, dup := first[ps[i].ID]; dup {
			out[i].duplicate = true
			continue
		}
		first[ps[i].ID] = i
	}

	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, unavailable("begin ingest", err)
	}
	defer func() { _ = tx.Rollback() }()

	newMVs := map[modelwatch.ModelKey]int64{}
	mvOf := func(k modelwatch.ModelKey) (int64, error) {
		if id, ok := newMVs[k]; ok {
			return id, nil
		}
		id, err := db.modelVersionID(ctx, tx, k)
		if err != nil {
			return 0, err
		}
		newMVs[k] = id
		return id, nil
	}

	// Labels that arrive with the prediction need revision numbers.
	var rev int64
	needRev := false
	for i := range ps {
		if !out[i].duplicate && ps[i].GroundTruth != "" {
			needRev = true
			break
		}
	}
	hasPending, err := db.hasPending(ctx, tx)
	if err != nil {
		return nil, err
	}
	if needRev || hasPending {
		if rev, err = maxRev(ctx, tx); err != nil {
			return nil, err
		}
	}

	// Insert, in chunks, the predictions that are not duplicates in the batch.
	mv := make([]int64, len(ps))
	unique := make([]int, 0, len(ps))
	for i := range ps {
		if out[i].duplicate {
			continue
		}
		if mv[i], err = mvOf(modelwatch.ModelKey{Name: ps[i].ModelName, Version: ps[i].ModelVersion}); err != nil {
			return nil, err
		}
		unique = append(unique, i)
	}
	inserted := make(map[string]bool, len(unique))
	args := make([]any, 0, insertChunk*insertCols)
	for start := 0; start < len(unique); start += insertChunk {
		chunk := unique[start:min(start+insertChunk, len(unique))]
		args = args[:0]
		for _, i := range chunk {
			p := &ps[i]
			var lab, labAt, seq any
			if p.GroundTruth != "" {
				rev++
				at := p.LabelledAt
				if at.IsZero() {
					at = db.now()
				}
				lab, labAt, seq = string(p.GroundTruth), micros(at), rev
			}
			var probs any
			if len(p.Probabilities) > 0 {
				b, err := json.Marshal(p.Probabilities)
				if err != nil {
					return nil, fmt.Errorf("encode probabilities of prediction %q: %w", p.ID, err)
				}
				probs = string(b)
			}
			var feats any
			if len(p.Features) > 0 {
				feats = string(p.Features)
			}
			args = append(args, p.ID, mv[i], micros(p.Timestamp), feats, string(p.Prediction),
				p.Confidence, probs, p.Latency.PreprocessingMs, p.Latency.InferenceMs,
				p.Latency.PostprocessingMs, p.LatencyMs, lab, labAt, seq, seq)
		}
		var rows *sql.Rows
		if len(chunk) == insertChunk {
			rows, err = tx.StmtContext(ctx, db.insertFull).QueryContext(ctx, args...)
		} else {
			rows, err = tx.QueryContext(ctx, insertSQL(len(chunk)), args...)
		}
		if err != nil {
			return nil, unavailable("insert predictions", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, unavailable("insert predictions", err)
			}
			inserted[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, unavailable("insert predictions", err)
		}
	}

	batch := rollup.NewBatch()
	var insertedIdx []int
	for _, i := range unique {
		if !inserted[ps[i].ID] {
			out[i].duplicate = true
			continue
		}
		insertedIdx = append(insertedIdx, i)
		out[i].labelled = ps[i].GroundTruth != ""
		batch.AddPrediction(mv[i], &ps[i])
	}

	if hasPending && len(insertedIdx) > 0 {
		if err := db.joinPending(ctx, tx, ps, insertedIdx, mv, &rev, batch, out); err != nil {
			return nil, err
		}
	}
	if err := db.writeRollups(ctx, tx, batch); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, unavailable("commit ingest", err)
	}
	db.mu.Lock()
	for k, id := range newMVs {
		db.mvs[k] = id
	}
	db.mu.Unlock()
	return out, nil
}

// modelVersionID returns the id of a model version, creating it if needed.
func (db *DB) modelVersionID(ctx context.Context, tx *sql.Tx, k modelwatch.ModelKey) (int64, error) {
	db.mu.Lock()
	id, ok := db.mvs[k]
	db.mu.Unlock()
	if ok {
		return id, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO model_versions (model_name, model_version, created_at)
		VALUES (?, ?, ?) ON CONFLICT (model_name, model_version) DO NOTHING`, k.Name, k.Version, micros(db.now())); err != nil {
		return 0, unavailable("create model version", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT id FROM model_versions WHERE model_name = ? AND model_version = ?`,
		k.Name, k.Version).Scan(&id); err != nil {
		return 0, unavailable("read model version", err)
	}
	return id, nil
}

func (db *DB) hasPending(ctx context.Context, tx *sql.Tx) (bool, error) {
	var n int
	if err := tx.StmtContext(ctx, db.stmts.hasPending).QueryRowContext(ctx).Scan(&n); err != nil {
		return false, unavailable("read pending labels", err)
	}
	return n == 1, nil
}

// maxRevSQL selects the highest label revision ever given: stored, or
// deleted with archived predictions.
const maxRevSQL = `SELECT max(coalesce((SELECT max(label_rev) FROM predictions WHERE label_rev IS NOT NULL), 0),
	coalesce((SELECT rev FROM label_revision_floor), 0))`

// maxRev returns the highest label revision ever given.
func maxRev(ctx context.Context, tx *sql.Tx) (int64, error) {
	var rev int64
	if err := tx.QueryRowContext(ctx, maxRevSQL).Scan(&rev); err != nil {
		return 0, unavailable("read label revision", err)
	}
	return rev, nil
}

// joinPending labels newly inserted predictions whose ground truth arrived
// earlier, and marks them in out.
func (db *DB) joinPending(ctx context.Context, tx *sql.Tx, ps []modelwatch.Prediction, idx []int, mv []int64,
	rev *int64, batch *rollup.Batch, out []rowResult,
) error {
	byID := make(map[string]int, len(idx))
	for _, i := range idx {
		byID[ps[i].ID] = i
	}
	const chunk = 500
	for start := 0; start < len(idx); start += chunk {
		part := idx[start:min(start+chunk, len(idx))]
		args := make([]any, len(part))
		for k, i := range part {
			args[k] = ps[i].ID
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM pending_labels WHERE id IN (`+placeholders(len(part))+
			`) RETURNING id, ground_truth, received_at`, args...)
		if err != nil {
			return unavailable("join pending labels", err)
		}
		type found struct {
			id, label string
			at        int64
		}
		var fs []found
		for rows.Next() {
			var f found
			if err := rows.Scan(&f.id, &f.label, &f.at); err != nil {
				rows.Close()
				return unavailable("join pending labels", err)
			}
			fs = append(fs, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return unavailable("join pending labels", err)
		}
		for _, f := range fs {
			i := byID[f.id]
			p := &ps[i]
			if string(p.GroundTruth) == f.label {
				continue // the prediction carried the same label
			}
			*rev++
			if p.GroundTruth == "" {
				// First label: it takes its place in the windows now.
				_, err = tx.ExecContext(ctx, `UPDATE predictions SET ground_truth = ?, labelled_at = ?, label_seq = ?, label_rev = ? WHERE id = ?`,
					f.label, f.at, *rev, *rev, f.id)
				batch.AddLabelled(mv[i], p.Timestamp, f.label, string(p.Prediction))
				out[i].labelled, out[i].joined = true, true
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE predictions SET ground_truth = ?, labelled_at = ?, label_rev = ? WHERE id = ?`,
					f.label, f.at, *rev, f.id)
				batch.AddCorrection(mv[i], p.Timestamp, string(p.GroundTruth), f.label, string(p.Prediction))
			}
			if err != nil {
				return unavailable("join pending labels", err)
			}
		}
	}
	return nil
}

// placeholders returns "?,?,…" with n question marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
