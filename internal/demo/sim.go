package demo

import (
	"container/heap"
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
)

// Model name and version the simulated service reports.
const (
	ModelName    = "churn-demo"
	ModelVersion = "v1"
)

// Options configure a Simulator. Zero values give the defaults.
type Options struct {
	Endpoint string // modelwatch's URL
	Token    string // API token, when the server requires one
	// Speed compresses simulated time: labels arrive Speed times sooner
	// and the drift starts Speed times sooner (default 1).
	Speed float64
	// DriftAfter is the simulated time after which inputs and concept drift
	// (default 3m).
	DriftAfter time.Duration
	// Rate is predictions per second of real time (default 20).
	Rate   float64
	Seed   uint64
	Logger *slog.Logger
}

// Simulator is a simulated model service.
type Simulator struct {
	opts    Options
	client  *sdk.Client
	rng     *rand.Rand
	start   time.Time
	sent    atomic.Int64
	drifted atomic.Bool
}

// New returns a Simulator that sends to opts.Endpoint.
func New(opts Options) (*Simulator, error) {
	if opts.Speed <= 0 {
		opts.Speed = 1
	}
	if opts.DriftAfter <= 0 {
		opts.DriftAfter = 3 * time.Minute
	}
	if opts.Rate <= 0 {
		opts.Rate = 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	client, err := sdk.New(sdk.Config{
		Endpoint: opts.Endpoint, Token: opts.Token, FlushInterval: 500 * time.Millisecond,
		OnError: func(err error) { opts.Logger.Warn("demo model service could not deliver", "err", err) },
	})
	if err != nil {
		return nil, err
	}
	return &Simulator{opts: opts, client: client, rng: rand.New(rand.NewPCG(opts.Seed, 17))}, nil
}

// Reference returns n rows of pre-drift inputs as CSV: the training data.
func (s *Simulator) Reference(n int) []byte {
	rng := rand.New(rand.NewPCG(s.opts.Seed, 99))
	var b strings.Builder
	b.WriteString(csvHeader + "\n")
	for range n {
		b.WriteString(draw(rng, false).csvRow())
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Drifted reports whether the drift has started.
func (s *Simulator) Drifted() bool { return s.drifted.Load() }

// Sent returns the number of predictions made so far.
func (s *Simulator) Sent() int64 { return s.sent.Load() }

// pending is a label that will arrive later.
type pending struct {
	at    time.Time
	id    string
	label modelwatch.Label
}

type labelQueue []pending

func (q labelQueue) Len() int           { return len(q) }
func (q labelQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q labelQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }

// Push implements heap.Interface.
func (q *labelQueue) Push(x any) { *q = append(*q, x.(pending)) }

// Pop implements heap.Interface.
func (q *labelQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	*q = old[:len(old)-1]
	return p
}

// Run makes predictions at the configured rate until ctx ends, then flushes
// what is queued and closes the client.
func (s *Simulator) Run(ctx context.Context) error {
	s.start = time.Now()
	driftAt := s.start.Add(time.Duration(float64(s.opts.DriftAfter) / s.opts.Speed))
	tick := time.NewTicker(time.Duration(float64(time.Second) / s.opts.Rate))
	defer tick.Stop()
	var labels labelQueue
	for {
		select {
		case <-ctx.Done():
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			return s.client.Close(cctx)
		case now := <-tick.C:
			if !s.drifted.Load() && !now.Before(driftAt) {
				s.drifted.Store(true)
				s.opts.Logger.Info("demo: the inputs and the concept drift now")
			}
			if l, ok := s.predict(now); ok {
				heap.Push(&labels, l)
			}
			for labels.Len() > 0 && !labels[0].at.After(now) {
				l := heap.Pop(&labels).(pending)
				s.client.LogGroundTruth(l.id, l.label)
			}
		}
	}
}

// predict makes and logs one prediction; it returns its label and when the
// label will arrive, unless the label never comes.
func (s *Simulator) predict(now time.Time) (pending, bool) {
	drifted := s.drifted.Load()
	c := draw(s.rng, drifted)
	// Simulated stage latencies: a little slower after the drift, when
	// inputs are unusual.
	slow := 1.0
	if drifted {
		slow = 1.5
	}
	lat := modelwatch.Latency{
		PreprocessingMs:  new(round3(1 + s.rng.Float64()*2)),
		InferenceMs:      new(round3((8 + s.rng.ExpFloat64()*25) * slow)),
		PostprocessingMs: new(round3(0.3 + s.rng.Float64()*0.5)),
	}
	if s.rng.Float64() < 0.01 {
		s.client.LogError(ModelName, ModelVersion, []string{"TimeoutError", "ValueError"}[s.rng.IntN(2)])
		return pending{}, false
	}
	p := sigmoid(churnScore(c, 0)) // the deployed model knows the old concept
	class := modelwatch.Label("0")
	conf := 1 - p
	if p >= 0.5 {
		class, conf = "1", p
	}
	id := modelwatch.NewID()
	pred := modelwatch.Prediction{
		ID: id, ModelName: ModelName, ModelVersion: ModelVersion, Timestamp: now,
		Features: modelwatch.Features(c.features()), Prediction: class, Confidence: new(math.Round(conf*1e4) / 1e4),
		Probabilities: map[string]float64{"0": math.Round((1-p)*1e4) / 1e4, "1": math.Round(p*1e4) / 1e4},
	}
	pred.Latency = lat
	s.client.Log(pred)
	s.sent.Add(1)
	if s.rng.Float64() < 0.1 {
		return pending{}, false // this customer's outcome is never known
	}
	concept := 0
	if drifted {
		concept = 1
	}
	truth := modelwatch.Label("0")
	if s.rng.Float64() < sigmoid(churnScore(c, concept)) {
		truth = "1"
	}
	delay := time.Duration((2 + s.rng.ExpFloat64()*40) * float64(time.Second) / s.opts.Speed)
	return pending{at: now.Add(delay), id: id, label: truth}, true
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
