package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

func testLatestAndFirstLabelled(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	var ps []modelwatch.Prediction
	for i := range 20 {
		p := pred(fmt.Sprintf("p%02d", i), "m", "1", t0.Add(time.Duration(i)*time.Second), "x", 0.5)
		p.Probabilities = map[string]float64{"x": 0.5, "y": 0.5}
		ps = append(ps, p)
	}
	ps = append(ps, pred("other", "m", "2", t0.Add(time.Hour), "x", 0.5))
	mustIngest(t, s, ps...)
	latest, err := s.LatestPredictions(ctx(t), key, 5)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range latest {
		ids = append(ids, p.ID)
	}
	if fmt.Sprint(ids) != "[p15 p16 p17 p18 p19]" || !reflect.DeepEqual(latest[0].Probabilities, map[string]float64{"x": 0.5, "y": 0.5}) {
		t.Errorf("LatestPredictions(5) = %v (%+v), want p15…p19 oldest first with probabilities", ids, latest[0])
	}
	mustLabel(t, s, gt("p07", "x"), gt("p03", "y"))
	mustLabel(t, s, gt("p11", "x"))
	first, err := s.FirstLabelledPredictions(ctx(t), key, 10)
	if err != nil {
		t.Fatal(err)
	}
	ids = nil
	for _, p := range first {
		ids = append(ids, p.ID+"="+string(p.GroundTruth))
	}
	if fmt.Sprint(ids) != "[p07=x p03=y p11=x]" {
		t.Errorf("FirstLabelledPredictions = %v, want label order [p07=x p03=y p11=x]", ids)
	}
	if none, err := s.LatestPredictions(ctx(t), modelwatch.ModelKey{Name: "no", Version: "1"}, 5); err != nil || len(none) != 0 {
		t.Errorf("LatestPredictions of an unknown version = %v, %v", none, err)
	}
}

func testEstimates(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	e1 := modelwatch.Estimate{
		Model: key, At: t0, From: t0.Add(-time.Hour), To: t0, Rows: 500, Labelled: 12,
		Result: json.RawMessage(`{"accuracy":{"value":0.8}}`),
	}
	id1, err := s.AddEstimate(ctx(t), e1)
	if err != nil {
		t.Fatal(err)
	}
	e2 := e1
	e2.At, e2.Rows = t0.Add(time.Minute), 400
	id2, err := s.AddEstimate(ctx(t), e2)
	if err != nil || id2 <= id1 {
		t.Fatalf("second estimate id %d, %v", id2, err)
	}
	got, err := s.Estimates(ctx(t), key, 10)
	e1.ID, e2.ID = id1, id2
	if err != nil || !reflect.DeepEqual(got, []modelwatch.Estimate{e2, e1}) {
		t.Errorf("Estimates = %+v, %v; want newest first %+v", got, err, []modelwatch.Estimate{e2, e1})
	}
}
