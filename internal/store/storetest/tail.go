package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

// testLabelEventsTail is what every replica's sliding windows do: follow
// LabelEvents(after the last revision seen) while other writers label
// predictions concurrently. A revision that becomes visible after a higher
// one was read is never seen by the follower, so the follower's picture
// would differ from the store's: revision order must be commit order.
func testLabelEventsTail(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	const writers, rounds, size = 4, 25, 20
	var done atomic.Bool
	type state struct {
		truth string
		rev   int64
	}
	followed := map[int64]state{} // label seq → latest event seen
	var after int64
	follow := func() error {
		for {
			evs, err := s.LabelEvents(ctx(t), after, 50)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if e.Rev <= after {
					return fmt.Errorf("LabelEvents(after %d) returned revision %d", after, e.Rev)
				}
				followed[e.Seq] = state{string(e.Truth), e.Rev}
				after = e.Rev
			}
			if len(evs) < 50 {
				return nil
			}
		}
	}
	followErr := make(chan error, 1)
	go func() {
		for !done.Load() {
			if err := follow(); err != nil {
				followErr <- err
				return
			}
		}
		followErr <- nil
	}()

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				var ps []modelwatch.Prediction
				var ls []modelwatch.GroundTruth
				for i := range size {
					id := fmt.Sprintf("t%d-%d-%d", w, r, i)
					p := pred(id, "m", "1", t0.Add(time.Duration(i)*time.Second), "x", 0.5)
					switch i % 4 {
					case 0: // sent with its label
						p.GroundTruth = "x"
					case 1: // labelled before it arrives
						ls = append(ls, gt(id, "y"))
					}
					ps = append(ps, p)
					// Label and relabel the previous round's predictions.
					if r > 0 {
						ls = append(ls, gt(fmt.Sprintf("t%d-%d-%d", w, r-1, i), []string{"x", "y", "z"}[(r+i)%3]))
					}
				}
				if _, err := s.AddGroundTruth(ctx(t), ls[:len(ls)/2]); err != nil {
					errs <- err
					return
				}
				if _, err := s.IngestPredictions(ctx(t), ps); err != nil {
					errs <- err
					return
				}
				if _, err := s.AddGroundTruth(ctx(t), ls[len(ls)/2:]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	done.Store(true)
	for err := range errs {
		t.Fatalf("concurrent write: %v", err)
	}
	if err := <-followErr; err != nil {
		t.Fatalf("following label events: %v", err)
	}
	if err := follow(); err != nil { // what was committed after the last look
		t.Fatal(err)
	}
	final := events(t, s, 0)
	if len(final) != len(followed) {
		t.Errorf("the follower saw %d labelled predictions, the store has %d", len(followed), len(final))
	}
	lost := 0
	for _, e := range final {
		if got := followed[e.Seq]; got.truth != string(e.Truth) || got.rev != e.Rev {
			if lost < 5 {
				t.Errorf("prediction with label seq %d: the follower has %q at rev %d, the store %q at rev %d",
					e.Seq, got.truth, got.rev, e.Truth, e.Rev)
			}
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d label changes were missed by a follower of LabelEvents: revisions became visible out of order", lost, len(final))
	}
	latest, _, err := s.LatestLabelled(ctx(t), key, 100000)
	if err != nil || len(latest) != len(final) {
		t.Errorf("LatestLabelled = %d events, %v; want %d", len(latest), err, len(final))
	}
}
