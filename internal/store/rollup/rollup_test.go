package rollup

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

func TestCover(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		from, to time.Time
		want     []Range
	}{
		{"empty", day, day, nil},
		{
			"minutes only", day.Add(10*time.Hour + 5*time.Minute), day.Add(10*time.Hour + 20*time.Minute),
			[]Range{{Minute, sec(day, 10*time.Hour+5*time.Minute), sec(day, 10*time.Hour+20*time.Minute)}},
		},
		{
			"rounded to minutes", day.Add(10*time.Hour + 5*time.Minute + 30*time.Second), day.Add(10*time.Hour + 6*time.Minute + time.Second),
			[]Range{{Minute, sec(day, 10*time.Hour+5*time.Minute), sec(day, 10*time.Hour+7*time.Minute)}},
		},
		{
			"minutes and hours", day.Add(10*time.Hour + 50*time.Minute), day.Add(13*time.Hour + 10*time.Minute),
			[]Range{
				{Minute, sec(day, 10*time.Hour+50*time.Minute), sec(day, 11*time.Hour)},
				{Hour, sec(day, 11*time.Hour), sec(day, 13*time.Hour)},
				{Minute, sec(day, 13*time.Hour), sec(day, 13*time.Hour+10*time.Minute)},
			},
		},
		{
			"days", day.Add(-90 * time.Minute), day.Add(3*24*time.Hour + 2*time.Hour + 3*time.Minute),
			[]Range{
				{Minute, sec(day, -90*time.Minute), sec(day, -time.Hour)},
				{Hour, sec(day, -time.Hour), sec(day, 0)},
				{Day, sec(day, 0), sec(day, 72*time.Hour)},
				{Hour, sec(day, 72*time.Hour), sec(day, 74*time.Hour)},
				{Minute, sec(day, 74*time.Hour), sec(day, 74*time.Hour+3*time.Minute)},
			},
		},
	}
	for _, c := range cases {
		got := Cover(c.from, c.to, Kept{})
		if len(got) != len(c.want) {
			t.Errorf("Cover(%s) = %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Cover(%s)[%d] = %v, want %v", c.name, i, got[i], c.want[i])
			}
		}
	}
}

// TestCoverPartitions checks on many ranges that Cover's pieces are aligned,
// contiguous and cover exactly the minute-rounded range.
func TestCoverPartitions(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		from := base.Add(time.Duration(i*7919) * time.Second)
		to := from.Add(time.Duration(i*i*131) * time.Second)
		rs := Cover(from, to, Kept{})
		next := BucketStart(from, Minute)
		for _, r := range rs {
			if r.From != next || r.From%r.Res != 0 || r.To%r.Res != 0 || r.To <= r.From {
				t.Fatalf("Cover(%v, %v) = %v: piece %v is not aligned and contiguous", from, to, rs, r)
			}
			next = r.To
		}
		end := BucketStart(to, Minute)
		if end < to.Unix() {
			end += Minute
		}
		if len(rs) > 0 && next != end {
			t.Fatalf("Cover(%v, %v) ends at %d, want %d", from, to, next, end)
		}
		if len(rs) > 5 {
			t.Fatalf("Cover returned %d pieces, want at most 5", len(rs))
		}
	}
}

func sec(day time.Time, d time.Duration) int64 { return day.Add(d).Unix() }

func TestBucketStartNegative(t *testing.T) {
	t1 := time.Unix(-30, 0)
	if got := BucketStart(t1, Minute); got != -60 {
		t.Errorf("BucketStart(-30s) = %d, want -60", got)
	}
}

func TestAggMergeAndQuantile(t *testing.T) {
	var a, b Agg
	for i := 1; i <= 100; i++ {
		p := &modelwatch.Prediction{Prediction: "x", LatencyMs: new(float64(i)), Confidence: new(0.5)}
		if i%2 == 0 {
			a.AddPrediction(p)
		} else {
			b.AddPrediction(p)
		}
	}
	enc, err := b.Latency.Encoded()
	if err != nil {
		t.Fatal(err)
	}
	stored := Agg{N: b.N, LatSum: b.LatSum, Classes: b.Classes}
	stored.Latency.SetEncoded(enc, b.Latency.N, b.Latency.Min, b.Latency.Max)
	if err := a.Merge(&stored); err != nil {
		t.Fatal(err)
	}
	if a.N != 100 || a.Latency.N != 100 || a.Latency.Min != 1 || a.Latency.Max != 100 || a.Classes["x"] != 100 {
		t.Fatalf("merged = %+v", a)
	}
	for _, q := range []float64{0, 0.5, 0.95, 0.99, 1} {
		got, ok, err := a.Latency.Quantile(q)
		if err != nil || !ok {
			t.Fatalf("Quantile(%v) = %v, %v, %v", q, got, ok, err)
		}
		want := 1 + q*99 // exact quantiles of 1..100 (linear interpolation)
		if math.Abs(got-want) > 0.02*want {
			t.Errorf("Quantile(%v) = %v, want %v (±2%%)", q, got, want)
		}
	}
	var empty Agg
	if _, ok, err := empty.Latency.Quantile(0.5); ok || err != nil {
		t.Errorf("empty Quantile ok=%v err=%v, want not ok", ok, err)
	}
	st, err := Stats(&empty, 24*time.Hour)
	if err != nil || st.AvgLatencyMs != nil || st.P95LatencyMs != nil || st.GroundTruthCoverage != nil {
		t.Errorf("Stats(empty) = %+v, %v", st, err)
	}
}

// TestBatchMatchesSketchAdd checks that a Batch, which finds each latency's
// bin once for all resolutions and reuses the buckets of the previous
// prediction, summarises exactly as adding every value to every bucket's
// sketches one by one: zero and tiny latencies (the zero bin), latencies too
// large to track, missing stages, and predictions that go back and forth
// between buckets.
func TestBatchMatchesSketchAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 11, 20, 23, 58, 0, 0, time.UTC)
	values := func() *float64 {
		switch rng.IntN(8) {
		case 0:
			return nil
		case 1:
			return new(0.0)
		case 2:
			return new(1e-320) // below the smallest indexable value
		case 3:
			return new(math.MaxFloat64) // beyond the largest
		default:
			return new(rng.ExpFloat64() * 50)
		}
	}
	batch := NewBatch()
	want := map[Key]*[4]Sketch{}
	for i := range 5000 {
		p := &modelwatch.Prediction{
			Prediction: modelwatch.Label(strconv.Itoa(i % 4)),
			Timestamp:  base.Add(time.Duration(rng.IntN(300)) * time.Second),
		}
		p.Latency.PreprocessingMs, p.Latency.InferenceMs, p.Latency.PostprocessingMs = values(), values(), values()
		if i%7 == 0 {
			p.LatencyMs = values()
		}
		mv := int64(1 + i%2)
		batch.AddPrediction(mv, p)
		for _, res := range Resolutions {
			k := Key{Model: mv, Res: res, Bucket: BucketStart(p.Timestamp, res)}
			w := want[k]
			if w == nil {
				w = &[4]Sketch{}
				want[k] = w
			}
			if ms, ok := p.Total(); ok {
				w[0].Add(ms)
			}
			for j, v := range []*float64{p.Latency.PreprocessingMs, p.Latency.InferenceMs, p.Latency.PostprocessingMs} {
				if v != nil {
					w[j+1].Add(*v)
				}
			}
		}
	}
	if len(batch.Aggs) != len(want) {
		t.Fatalf("batch has %d buckets, want %d", len(batch.Aggs), len(want))
	}
	for k, w := range want {
		a := batch.Aggs[k]
		if a == nil {
			t.Fatalf("bucket %+v missing", k)
		}
		for j, got := range []*Sketch{&a.Latency, &a.Stages[0], &a.Stages[1], &a.Stages[2]} {
			ge, err := got.Encoded()
			if err != nil {
				t.Fatal(err)
			}
			we, err := w[j].Encoded()
			if err != nil {
				t.Fatal(err)
			}
			if got.N != w[j].N || got.Min != w[j].Min || got.Max != w[j].Max || !bytes.Equal(ge, we) {
				t.Errorf("bucket %+v sketch %d: got n=%d [%v, %v], want n=%d [%v, %v], encodings equal: %v",
					k, j, got.N, got.Min, got.Max, w[j].N, w[j].Min, w[j].Max, bytes.Equal(ge, we))
			}
		}
	}
}
