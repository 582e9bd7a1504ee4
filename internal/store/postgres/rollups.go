package postgres

import (
	"cmp"
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// sketchKinds names the latency sketches of a rollup, in the order of
// rollup.Agg's Latency followed by its Stages.
var sketchKinds = [4]string{"total", rollup.Stages[0], rollup.Stages[1], rollup.Stages[2]}

func sketchesOf(a *rollup.Agg) [4]*rollup.Sketch {
	return [4]*rollup.Sketch{&a.Latency, &a.Stages[0], &a.Stages[1], &a.Stages[2]}
}

func sortedKeys(b *rollup.Batch) []rollup.Key {
	keys := make([]rollup.Key, 0, len(b.Aggs))
	for k := range b.Aggs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y rollup.Key) int {
		return cmp.Or(cmp.Compare(x.Model, y.Model), cmp.Compare(x.Res, y.Res), cmp.Compare(x.Bucket, y.Bucket))
	})
	return keys
}

// writeRollups adds a batch's summaries to the stored rollups, in the
// transaction that stored what they summarise.
//
// The counts are upserted first, in key order: that locks each bucket's
// rollups row until commit, and a writer touches a bucket's sketches,
// classes and confusion counts only while it holds that lock. Latency
// sketches are merged in Go (read, merge, write back), which is safe under
// the lock.
func writeRollups(ctx context.Context, tx pgx.Tx, b *rollup.Batch) error {
	if len(b.Aggs) == 0 {
		return nil
	}
	keys := sortedKeys(b)
	n := len(keys)
	mv, res, bucket := make([]int64, n), make([]int64, n), make([]int64, n)
	cnt, confN, labelled, correct := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	confSum, latSum := make([]float64, n), make([]float64, n)
	var skMV, skRes, skBucket []int64
	for i, k := range keys {
		a := b.Aggs[k]
		mv[i], res[i], bucket[i] = k.Model, k.Res, k.Bucket
		cnt[i], confN[i], confSum[i], latSum[i], labelled[i], correct[i] = a.N, a.ConfN, a.ConfSum, a.LatSum, a.Labelled, a.Correct
		for _, sk := range sketchesOf(a) {
			if sk.N > 0 {
				skMV, skRes, skBucket = append(skMV, k.Model), append(skRes, k.Res), append(skBucket, k.Bucket)
				break
			}
		}
	}
	// One round trip: the counts (which lock the buckets), then the stored
	// sketches of the buckets, read under those locks.
	var first pgx.Batch
	first.Queue(`INSERT INTO rollups AS r (mv_id, res, bucket, n, conf_n, conf_sum, lat_sum, labelled, correct)
		SELECT * FROM unnest($1::int[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::float8[], $7::float8[], $8::bigint[], $9::bigint[])
		ON CONFLICT (mv_id, res, bucket) DO UPDATE SET
			n = r.n + excluded.n, conf_n = r.conf_n + excluded.conf_n, conf_sum = r.conf_sum + excluded.conf_sum,
			lat_sum = r.lat_sum + excluded.lat_sum, labelled = r.labelled + excluded.labelled, correct = r.correct + excluded.correct`,
		mv, res, bucket, cnt, confN, confSum, latSum, labelled, correct)
	if len(skMV) > 0 {
		first.Queue(`SELECT s.mv_id, s.res, s.bucket, s.kind, s.n, s.min, s.max, s.sketch FROM rollup_sketches s
			JOIN unnest($1::int[], $2::int[], $3::bigint[]) AS u (mv_id, res, bucket) USING (mv_id, res, bucket)`, skMV, skRes, skBucket)
	}
	br := tx.SendBatch(ctx, &first)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return unavailable("write rollups", err)
	}
	var out pgx.Batch
	if len(skMV) > 0 {
		rows, err := br.Query()
		if err != nil {
			_ = br.Close()
			return unavailable("read latency sketches", err)
		}
		stored := map[rollup.Key]*rollup.Agg{}
		var k rollup.Key
		var kind string
		var cnt int64
		var lo, hi float64
		var enc []byte
		_, err = pgx.ForEachRow(rows, []any{&k.Model, &k.Res, &k.Bucket, &kind, &cnt, &lo, &hi, &enc}, func() error {
			a := stored[k]
			if a == nil {
				a = &rollup.Agg{}
				stored[k] = a
			}
			for i, sk := range sketchKinds {
				if sk == kind {
					sketchesOf(a)[i].SetEncoded(enc, cnt, lo, hi)
				}
			}
			enc = nil // scan the next sketch into a new slice
			return nil
		})
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return unavailable("read latency sketches", err)
		}
		var sMV, sRes, sBucket, sN []int64
		var sKind []string
		var sMin, sMax []float64
		var sEnc [][]byte
		for _, k := range keys {
			a := b.Aggs[k]
			prev := stored[k]
			for i, sk := range sketchesOf(a) {
				if sk.N == 0 {
					continue
				}
				// The stored sketch is decoded into the batch's (which
				// becomes the sum), not the other way round: one sketch
				// decoded, none copied.
				if prev != nil {
					if err := sk.Merge(sketchesOf(prev)[i]); err != nil {
						return err
					}
				}
				e, err := sk.Encoded()
				if err != nil {
					return err
				}
				sMV, sRes, sBucket, sKind = append(sMV, k.Model), append(sRes, k.Res), append(sBucket, k.Bucket), append(sKind, sketchKinds[i])
				sN, sMin, sMax, sEnc = append(sN, sk.N), append(sMin, sk.Min), append(sMax, sk.Max), append(sEnc, e)
			}
		}
		out.Queue(`INSERT INTO rollup_sketches AS s (mv_id, res, bucket, kind, n, min, max, sketch)
			SELECT * FROM unnest($1::int[], $2::int[], $3::bigint[], $4::text[], $5::bigint[], $6::float8[], $7::float8[], $8::bytea[])
			ON CONFLICT (mv_id, res, bucket, kind) DO UPDATE SET n = excluded.n, min = excluded.min, max = excluded.max, sketch = excluded.sketch`,
			sMV, sRes, sBucket, sKind, sN, sMin, sMax, sEnc)
	}
	if len(skMV) == 0 {
		if err := br.Close(); err != nil {
			return unavailable("write rollups", err)
		}
	}
	var cMV, cRes, cBucket, cN []int64
	var cClass []string
	var fMV, fRes, fBucket, fN []int64
	var fTruth, fPred []string
	for _, k := range keys {
		a := b.Aggs[k]
		for class, n := range a.Classes {
			cMV, cRes, cBucket, cClass, cN = append(cMV, k.Model), append(cRes, k.Res), append(cBucket, k.Bucket), append(cClass, class), append(cN, n)
		}
		for p, n := range a.Confusion {
			if n != 0 {
				fMV, fRes, fBucket, fTruth, fPred, fN = append(fMV, k.Model), append(fRes, k.Res), append(fBucket, k.Bucket),
					append(fTruth, p.Truth), append(fPred, p.Pred), append(fN, n)
			}
		}
	}
	if len(cMV) > 0 {
		out.Queue(`INSERT INTO rollup_classes AS c (mv_id, res, bucket, class, n)
			SELECT * FROM unnest($1::int[], $2::int[], $3::bigint[], $4::text[], $5::bigint[])
			ON CONFLICT (mv_id, res, bucket, class) DO UPDATE SET n = c.n + excluded.n`, cMV, cRes, cBucket, cClass, cN)
	}
	if len(fMV) > 0 {
		out.Queue(`INSERT INTO rollup_confusion AS f (mv_id, res, bucket, truth, pred, n)
			SELECT * FROM unnest($1::int[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::bigint[])
			ON CONFLICT (mv_id, res, bucket, truth, pred) DO UPDATE SET n = f.n + excluded.n`, fMV, fRes, fBucket, fTruth, fPred, fN)
	}
	if out.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, &out).Close(); err != nil {
		return unavailable("write rollups", err)
	}
	return nil
}
