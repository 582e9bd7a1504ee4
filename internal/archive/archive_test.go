package archive

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/sqlite"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
)

// now is the tests' clock: with the default 90-day retention, days up to
// 2026-08-25 are archived.
var now = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

var (
	typedKey = modelwatch.ModelKey{Name: "fraud", Version: "v1"}
	jsonKey  = modelwatch.ModelKey{Name: "señor churn", Version: "2.0+beta"}
)

// testData is 12 days of predictions ending 85 days before now: the first
// 7 days are past the retention. fraud v1 has the same typed features in
// every prediction (with some nulls); the other version's features vary.
func testData() []modelwatch.Prediction {
	rng := rand.New(rand.NewPCG(5, 8))
	start := now.Add(-97 * 24 * time.Hour).Truncate(24 * time.Hour)
	var ps []modelwatch.Prediction
	for i := range 1200 {
		ts := start.Add(time.Duration(rng.Int64N(int64(12 * 24 * time.Hour)))).Truncate(time.Microsecond)
		k := typedKey
		if i%3 == 0 {
			k = jsonKey
		}
		p := modelwatch.Prediction{
			ID: fmt.Sprintf("p%05d", i), ModelName: k.Name, ModelVersion: k.Version, Timestamp: ts,
			Prediction: modelwatch.Label([]string{"0", "1", "yes"}[rng.IntN(3)]),
		}
		switch rng.IntN(6) {
		case 0:
		case 1:
			p.Confidence = new(0.0) // zero values must not become nulls
		default:
			p.Confidence = new(rng.Float64())
		}
		if rng.IntN(2) == 0 {
			c := rng.Float64()
			p.Probabilities = map[string]float64{"0": c, "1": 1 - c, "yes": 0}
		}
		if rng.IntN(4) > 0 {
			p.Latency = modelwatch.Latency{PreprocessingMs: new(rng.ExpFloat64()), InferenceMs: new(10 + rng.ExpFloat64()*20)}
			if rng.IntN(3) == 0 {
				p.Latency.PostprocessingMs = new(0.25)
			}
		} else if rng.IntN(2) == 0 {
			p.LatencyMs = new(rng.Float64() * 100)
		}
		amount := fmt.Sprintf("%.4f", rng.ExpFloat64()*100)
		switch rng.IntN(10) {
		case 0:
			amount = "null"
		case 1:
			amount = "0"
		}
		if k == typedKey {
			p.Features = modelwatch.Features(fmt.Sprintf(`{"amount":%s,"country":%q,"is_new":%v,"note \"q\"":"a\u00e9\\n"}`,
				amount, []string{"NL", "DE", "FR", ""}[rng.IntN(4)], rng.IntN(2) == 0))
		} else {
			switch rng.IntN(3) {
			case 0:
				p.Features = modelwatch.Features(`{"tenure":12,"plan":"gold"}`)
			case 1:
				p.Features = modelwatch.Features(`{"tenure":"unknown"}`)
			}
		}
		if rng.IntN(4) == 0 {
			p.GroundTruth = p.Prediction
			p.LabelledAt = ts.Add(time.Hour)
		}
		ps = append(ps, p)
	}
	return ps
}

// Env is a database and an archive under test.
type Env struct {
	Store  store.Store
	Bucket *blob.Bucket
	Clock  *storetest.Clock
}

func sqliteEnv(t *testing.T) *Env {
	t.Helper()
	clock := storetest.NewClock(now)
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "m.db"), sqlite.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &Env{Store: db, Bucket: fileBucket(t, t.TempDir()), Clock: clock}
}

func fileBucket(t *testing.T, dir string) *blob.Bucket {
	t.Helper()
	b, err := OpenBucket(t.Context(), "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// load ingests ps, labels some after the fact, and returns every
// prediction as the store holds it, by id.
func load(t *testing.T, e *Env, ps []modelwatch.Prediction) map[string]modelwatch.Prediction {
	t.Helper()
	for i := 0; i < len(ps); i += 500 {
		if _, err := e.Store.IngestPredictions(t.Context(), ps[i:min(i+500, len(ps))]); err != nil {
			t.Fatal(err)
		}
	}
	var ls []modelwatch.GroundTruth
	for i, p := range ps {
		if i%7 == 0 && p.GroundTruth == "" {
			ls = append(ls, modelwatch.GroundTruth{ID: p.ID, GroundTruth: "1"})
		}
	}
	if _, err := e.Store.AddGroundTruth(t.Context(), ls); err != nil {
		t.Fatal(err)
	}
	return snapshot(t, e.Store, ps)
}

// snapshot returns the stored predictions of the days of ps, by id.
func snapshot(t *testing.T, st store.Store, ps []modelwatch.Prediction) map[string]modelwatch.Prediction {
	t.Helper()
	out := map[string]modelwatch.Prediction{}
	days := map[store.ArchiveDay]bool{}
	for _, p := range ps {
		days[store.ArchiveDay{Model: modelwatch.ModelKey{Name: p.ModelName, Version: p.ModelVersion}, Day: p.Timestamp.Truncate(24 * time.Hour)}] = true
	}
	for d := range days {
		if _, err := st.ExportDay(t.Context(), d.Model, d.Day, func(p *modelwatch.Prediction) error {
			out[p.ID] = *p
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// restored reads every prediction in the archive, failing on duplicates.
func restored(t *testing.T, b *blob.Bucket) map[string]modelwatch.Prediction {
	t.Helper()
	parts, err := List(t.Context(), b, "", "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]modelwatch.Prediction{}
	for _, p := range parts {
		err := readObject(t.Context(), b, p.Key, func(pr *modelwatch.Prediction) error {
			if _, dup := out[pr.ID]; dup {
				return fmt.Errorf("prediction %s is archived twice", pr.ID)
			}
			if pr.Timestamp.Truncate(24*time.Hour) != p.Day || pr.ModelName != p.Model.Name || pr.ModelVersion != p.Model.Version {
				return fmt.Errorf("prediction %s of %s:%s at %s is in %s", pr.ID, pr.ModelName, pr.ModelVersion, pr.Timestamp, p.Key)
			}
			out[pr.ID] = *pr
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// samePrediction compares predictions with their features as values: the
// typed columns do not keep the JSON text's key order.
func samePrediction(a, b modelwatch.Prediction) bool {
	fa, errA := a.Features.Map()
	fb, errB := b.Features.Map()
	if errA != nil || errB != nil || !reflect.DeepEqual(fa, fb) || (a.Features == nil) != (b.Features == nil) {
		return false
	}
	a.Features, b.Features = nil, nil
	return reflect.DeepEqual(a, b)
}

func checkArchived(t *testing.T, want, got map[string]modelwatch.Prediction, horizon time.Time) {
	t.Helper()
	archived := 0
	for id, w := range want {
		g, ok := got[id]
		if !w.Timestamp.Before(horizon) {
			if ok {
				t.Errorf("prediction %s of %s, within the retention, was archived", id, w.Timestamp)
			}
			continue
		}
		archived++
		if !ok {
			t.Errorf("prediction %s of %s is missing from the archive", id, w.Timestamp)
		} else if !samePrediction(g, w) {
			wj, _ := json.Marshal(w)
			gj, _ := json.Marshal(g)
			t.Errorf("archived prediction differs:\n got %s\nwant %s", gj, wj)
		}
	}
	if len(got) != archived {
		t.Errorf("the archive holds %d predictions, want %d", len(got), archived)
	}
}

func TestArchiveSQLite(t *testing.T) { testArchive(t, sqliteEnv(t)) }

func testArchive(t *testing.T, e *Env) {
	ps := testData()
	want := load(t, e, ps)
	horizon := now.Add(-DefaultRetention).Truncate(24 * time.Hour)
	a := New(e.Store, e.Bucket, Options{Now: e.Clock.Now})
	res, err := a.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Days != 14 || res.Conflicts != 0 || res.Bytes == 0 {
		t.Errorf("Run = %+v, want 14 model version days archived", res)
	}
	checkArchived(t, want, restored(t, e.Bucket), horizon)
	if days, err := e.Store.ArchiveDays(t.Context(), now.Add(-DefaultRetention)); err != nil || len(days) != 0 {
		t.Errorf("days left to archive after a run: %+v, %v", days, err)
	}
	left := snapshot(t, e.Store, ps)
	for id, p := range left {
		if p.Timestamp.Before(horizon) {
			t.Errorf("archived prediction %s is still in the database", id)
		}
	}
	if len(left)+int(res.Rows) != len(want) {
		t.Errorf("%d in the database + %d archived, want %d", len(left), res.Rows, len(want))
	}
	// Statistics of archived days still come from the rollups.
	st, err := e.Store.Stats(t.Context(), store.StatsQuery{From: now.AddDate(0, 0, -100), To: now})
	if err != nil || st.TotalPredictions != int64(len(ps)) {
		t.Errorf("Stats over archived days = %d predictions, %v; want %d", st.TotalPredictions, err, len(ps))
	}
	parts, err := List(t.Context(), e.Bucket, typedKey.Name, "")
	if err != nil || len(parts) != 7 || parts[0].Part != 1 || parts[0].Model != typedKey {
		t.Fatalf("List(fraud) = %+v, %v; want 7 first parts", parts, err)
	}
	// Running again archives nothing.
	if res, err := a.Run(t.Context()); err != nil || res.Days != 0 {
		t.Errorf("second Run = %+v, %v; want nothing to do", res, err)
	}
	// A prediction that arrives for an archived day goes to the day's
	// second part.
	late := ps[0]
	late.ID, late.GroundTruth, late.LabelledAt = "late", "", time.Time{}
	if _, err := e.Store.IngestPredictions(t.Context(), []modelwatch.Prediction{late}); err != nil {
		t.Fatal(err)
	}
	if res, err := a.Run(t.Context()); err != nil || res.Days != 1 || res.Rows != 1 {
		t.Errorf("Run after a late prediction = %+v, %v; want it archived", res, err)
	}
	lk := modelwatch.ModelKey{Name: late.ModelName, Version: late.ModelVersion}
	parts, _ = List(t.Context(), e.Bucket, lk.Name, lk.Version)
	day := late.Timestamp.Truncate(24 * time.Hour)
	var onDay []int
	for _, p := range parts {
		if p.Day.Equal(day) {
			onDay = append(onDay, p.Part)
		}
	}
	if !slices.Equal(onDay, []int{1, 2}) {
		t.Errorf("parts of the late prediction's day = %v, want [1 2]", onDay)
	}
	want["late"] = late
	checkArchived(t, want, restored(t, e.Bucket), horizon)
}

func TestObjectKey(t *testing.T) {
	k := ObjectKey(jsonKey, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), 3)
	if k != "model_name=se%C3%B1or%20churn/model_version=2.0%2Bbeta/date=2026-08-01/part-0003.parquet" {
		t.Errorf("ObjectKey = %q", k)
	}
	p, ok := parseKey(k)
	if !ok || p.Model != jsonKey || p.Part != 3 || p.Day.Format(time.DateOnly) != "2026-08-01" {
		t.Errorf("parseKey(%q) = %+v, %v", k, p, ok)
	}
	for _, bad := range []string{"_tmp/x.parquet.tmp", "model_name=a/model_version=b/date=2026-08-01/part-1.parquet.tmp", "a/b/c/d"} {
		if _, ok := parseKey(bad); ok {
			t.Errorf("parseKey(%q) accepted a key that is no archive file", bad)
		}
	}
}
