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

	// PredictionsBetween reads a chunk again: both ends included, the most
	// recent n, oldest first, with the labels that arrived since.
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	idsOf := func(ps []modelwatch.Prediction) string {
		var ids []string
		for _, p := range ps {
			ids = append(ids, p.ID+"="+string(p.GroundTruth))
		}
		return fmt.Sprint(ids)
	}
	for _, c := range []struct {
		from, to, n int
		want        string
	}{
		{15, 19, 5, "[p15= p16= p17= p18= p19=]"},
		{15, 19, 100, "[p15= p16= p17= p18= p19=]"},
		{3, 11, 3, "[p09= p10= p11=x]"},
		{3, 7, 100, "[p03=y p04= p05= p06= p07=x]"},
		{7, 7, 5, "[p07=x]"},
		{21, 30, 5, "[]"},
	} {
		got, err := s.PredictionsBetween(ctx(t), key, at(c.from), at(c.to), c.n)
		if err != nil || idsOf(got) != c.want {
			t.Errorf("PredictionsBetween(%ds, %ds, %d) = %s, %v; want %s", c.from, c.to, c.n, idsOf(got), err, c.want)
		}
	}
	// Predictions sharing a timestamp come in the order of LatestPredictions,
	// so that a chunk whose first row ties with older rows is read again
	// with the same rows.
	var ties []modelwatch.Prediction
	for i := range 4 {
		p := pred(fmt.Sprintf("tie%d", i), "m", "1", at(40), "x", 0.5)
		p.Probabilities = map[string]float64{"x": 0.5, "y": 0.5}
		ties = append(ties, p)
	}
	mustIngest(t, s, ties[:2]...)
	mustIngest(t, s, ties[2:]...)
	for n := 1; n <= 4; n++ {
		latest, err1 := s.LatestPredictions(ctx(t), key, n)
		again, err2 := s.PredictionsBetween(ctx(t), key, at(40), at(40), n)
		if err1 != nil || err2 != nil || idsOf(again) != idsOf(latest) || len(again) != n {
			t.Errorf("PredictionsBetween(40s, 40s, %d) = %s, %v; LatestPredictions(%d) = %s, %v; want the same %d rows",
				n, idsOf(again), err2, n, idsOf(latest), err1, n)
		}
	}
	if !reflect.DeepEqual(ties[0].Probabilities, map[string]float64{"x": 0.5, "y": 0.5}) {
		t.Error("the probabilities were changed")
	}
	if none, err := s.PredictionsBetween(ctx(t), modelwatch.ModelKey{Name: "no", Version: "1"}, at(0), at(100), 5); err != nil || len(none) != 0 {
		t.Errorf("PredictionsBetween of an unknown version = %v, %v", none, err)
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

	// Labels of the first chunk arrive: its count and result are replaced,
	// nothing else.
	up := e1
	up.Labelled, up.Result = 500, json.RawMessage(`{"accuracy":{"value":0.8,"realized":0.75}}`)
	up.At, up.Rows = t0.Add(time.Hour), 1 // not stored
	if err := s.UpdateEstimate(ctx(t), up); err != nil {
		t.Fatal(err)
	}
	want := e1
	want.Labelled, want.Result = up.Labelled, up.Result
	got, err = s.Estimates(ctx(t), key, 10)
	if err != nil || !reflect.DeepEqual(got, []modelwatch.Estimate{e2, want}) {
		t.Errorf("Estimates after UpdateEstimate = %+v, %v; want %+v", got, err, []modelwatch.Estimate{e2, want})
	}
	other := up
	other.Model = modelwatch.ModelKey{Name: "m", Version: "2"}
	mustIngest(t, s, pred("v2", "m", "2", t0, "x", 0.5))
	for name, e := range map[string]modelwatch.Estimate{"unknown id": func() modelwatch.Estimate { e := up; e.ID = id2 + 100; return e }(), "another version's": other} {
		if err := s.UpdateEstimate(ctx(t), e); modelwatch.ErrorCode(err) != modelwatch.ENotFound {
			t.Errorf("UpdateEstimate of an %s estimate: %v, want not_found", name, err)
		}
	}
	if got, _ := s.Estimates(ctx(t), key, 10); !reflect.DeepEqual(got, []modelwatch.Estimate{e2, want}) {
		t.Errorf("Estimates after refused updates = %+v", got)
	}
}
