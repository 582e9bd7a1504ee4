package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch"
)

func testSettings(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	k := modelwatch.ModelKey{Name: "new", Version: "1"}
	got, err := s.ModelSettings(ctx(t), k)
	if err != nil || !reflect.DeepEqual(got, modelwatch.ModelSettings{}) {
		t.Fatalf("settings of an unknown version = %+v, %v; want zero", got, err)
	}
	want := modelwatch.ModelSettings{
		BaselineAccuracy: new(0.87),
		DataDrift:        modelwatch.CheckSettings{Schedule: "@daily", Window: modelwatch.Duration(48 * time.Hour), MinRows: 50},
		NumStattest:      "psi",
		Detectors:        []modelwatch.DetectorSpec{{Name: "ddm", Params: map[string]string{"warning_threshold": "2"}}},
		ReferenceRange:   &modelwatch.TimeRange{From: t0.Add(-time.Hour), To: t0},
	}
	if err := s.PutModelSettings(ctx(t), k, want); err != nil {
		t.Fatal(err)
	}
	got, err = s.ModelSettings(ctx(t), k)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("settings round trip = %+v, %v; want %+v", got, err, want)
	}
	// Settings make the version known, and replacing them works.
	mvs, _ := s.ModelVersions(ctx(t))
	if len(mvs) != 1 || mvs[0].ModelKey != k {
		t.Errorf("ModelVersions after PutModelSettings = %v", mvs)
	}
	want.NumStattest = "ks"
	if err := s.PutModelSettings(ctx(t), k, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ModelSettings(ctx(t), k); got.NumStattest != "ks" {
		t.Errorf("replaced settings: num_stattest %q", got.NumStattest)
	}
}

func testReference(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	if _, err := s.Reference(ctx(t), key, false); modelwatch.ErrorCode(err) != modelwatch.ENotFound {
		t.Fatalf("Reference of a version without one: %v, want not_found", err)
	}
	ref := modelwatch.Reference{
		Model: key, Format: "csv", Filename: "train.csv", UploadedAt: t0,
		Rows: 2, Columns: []string{"a", "b"}, Data: []byte("a,b\n1,x\n2,y\n"),
	}
	if err := s.PutReference(ctx(t), ref); err != nil {
		t.Fatal(err)
	}
	got, err := s.Reference(ctx(t), key, true)
	ref.Size = int64(len(ref.Data))
	if err != nil || !reflect.DeepEqual(got, ref) {
		t.Fatalf("Reference round trip = %+v, %v; want %+v", got, err, ref)
	}
	meta, _ := s.Reference(ctx(t), key, false)
	if meta.Data != nil || meta.Size != ref.Size || meta.Rows != 2 {
		t.Errorf("Reference without data = %+v", meta)
	}
	ref.Data, ref.Rows = []byte("a\n3\n"), 1
	if err := s.PutReference(ctx(t), ref); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Reference(ctx(t), key, true); string(got.Data) != "a\n3\n" || got.Rows != 1 {
		t.Errorf("replaced reference = %+v", got)
	}
}

func testScanFeatures(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	var ps []modelwatch.Prediction
	for i := range 20 {
		p := pred(fmt.Sprint(i), "m", "1", t0.Add(time.Duration(19-i)*time.Minute), "x", 0.5)
		p.Features = modelwatch.Features(fmt.Sprintf(`{"i":%d}`, i))
		if i == 7 {
			p.Features = nil
		}
		ps = append(ps, p)
	}
	ps = append(ps, pred("other", "m", "2", t0, "x", 0.5))
	mustIngest(t, s, ps...)
	var got []string
	err := s.ScanFeatures(ctx(t), key, t0.Add(5*time.Minute), t0.Add(15*time.Minute), func(ts time.Time, f []byte) error {
		got = append(got, ts.Sub(t0).String()+"="+string(f))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`5m0s={"i":14}`, `6m0s={"i":13}`, `7m0s={"i":12}`, `8m0s={"i":11}`, `9m0s={"i":10}`,
		`10m0s={"i":9}`, `11m0s={"i":8}`, `12m0s={}`, `13m0s={"i":6}`, `14m0s={"i":5}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ScanFeatures = %v\nwant %v", got, want)
	}
	stop := fmt.Errorf("stop")
	n := 0
	if err := s.ScanFeatures(ctx(t), key, t0, t0.Add(time.Hour), func(time.Time, []byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("ScanFeatures did not stop at the callback's error: %v after %d rows", err, n)
	}
	if err := s.ScanFeatures(ctx(t), modelwatch.ModelKey{Name: "none", Version: "1"}, t0, t0.Add(time.Hour),
		func(time.Time, []byte) error { t.Error("rows for an unknown version"); return nil }); err != nil {
		t.Errorf("ScanFeatures of an unknown version: %v", err)
	}
}

func testAccuracy(t *testing.T, h Harness) {
	clock := NewClock(t0)
	s := h.Open(t, clock.Now)
	var ps []modelwatch.Prediction
	for i := range 10 {
		ps = append(ps, pred(fmt.Sprint(i), "m", "1", t0.Add(-time.Duration(i)*time.Hour), "x", 0.5))
	}
	p := pred("sent-labelled", "m", "1", t0, "x", 0.5)
	p.GroundTruth = "x"
	ps = append(ps, p)
	mustIngest(t, s, ps...)
	mustLabel(t, s, gt("0", "x"), gt("1", "y"), gt("2", "x"), gt("3", "y"), gt("9", "x"))
	mustLabel(t, s, gt("early", "x"))
	mustIngest(t, s, pred("early", "m", "1", t0.Add(-30*time.Minute), "y", 0.5))
	check := func(from, to time.Time, wantL, wantC int64) {
		t.Helper()
		l, c, err := s.Accuracy(ctx(t), key, from, to)
		if err != nil || l != wantL || c != wantC {
			t.Errorf("Accuracy = %d labelled, %d correct, %v; want %d, %d", l, c, err, wantL, wantC)
		}
	}
	check(t0.Add(-24*time.Hour), t0.Add(time.Minute), 7, 4)
	check(t0.Add(-2*time.Hour), t0.Add(time.Minute), 5, 3) // 0, 1 (wrong), 2, sent-labelled and early (wrong)
	// Corrections move predictions between right and wrong.
	mustLabel(t, s, gt("1", "x"), gt("0", "z"))
	check(t0.Add(-24*time.Hour), t0.Add(time.Minute), 7, 4)
	mustLabel(t, s, gt("3", "x"))
	check(t0.Add(-24*time.Hour), t0.Add(time.Minute), 7, 5)
	l, c, err := s.Accuracy(ctx(t), modelwatch.ModelKey{Name: "x", Version: "y"}, t0.Add(-time.Hour), t0)
	if err != nil || l != 0 || c != 0 {
		t.Errorf("Accuracy of an unknown version = %d, %d, %v", l, c, err)
	}

	// The first labelled predictions, in label order: 0 (z, wrong), 1 (x,
	// right after correction), 2 (x, right).
	l, c, err = s.FirstLabelled(ctx(t), key, 3)
	if err != nil || l != 3 || c != 2 {
		t.Errorf("FirstLabelled(3) = %d, %d, %v; want 3 labelled, 2 correct", l, c, err)
	}
	l, _, _ = s.FirstLabelled(ctx(t), key, 100)
	if l != 7 {
		t.Errorf("FirstLabelled(100) labelled = %d, want 7", l)
	}
}

func testDriftRuns(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	if _, err := s.DriftRun(ctx(t), key, 1); modelwatch.ErrorCode(err) != modelwatch.ENotFound {
		t.Errorf("DriftRun of nothing: %v, want not_found", err)
	}
	data := modelwatch.DriftRun{
		Model: key, Kind: modelwatch.KindData, Trigger: "schedule", ScheduledFor: t0,
		StartedAt: t0.Add(time.Second), FinishedAt: t0.Add(3 * time.Second),
		Window: modelwatch.TimeRange{From: t0.Add(-7 * 24 * time.Hour), To: t0},
		Status: modelwatch.RunOK, Rows: 1234, DriftDetected: true, DriftedColumns: 3, DriftedColumnsShare: new(0.6),
		Result: json.RawMessage(`{"dataset_drift":true}`),
	}
	report := []byte("<!doctype html><title>report</title>")
	id1, err := s.AddDriftRun(ctx(t), data, report)
	if err != nil {
		t.Fatal(err)
	}
	concept := modelwatch.DriftRun{
		Model: key, Kind: modelwatch.KindConcept, Trigger: "manual", StartedAt: t0, FinishedAt: t0,
		Window: modelwatch.TimeRange{From: t0.Add(-time.Hour), To: t0}, Status: modelwatch.RunNotEnoughData,
		Message: "42 labelled predictions, fewer than 100", Rows: 42, Accuracy: new(0.7), BaselineAccuracy: new(0.9),
		AccuracyDropPercent: new(22.2),
	}
	id2, err := s.AddDriftRun(ctx(t), concept, nil)
	if err != nil || id2 <= id1 {
		t.Fatalf("second run id %d (err %v), want > %d", id2, err, id1)
	}
	got, err := s.DriftRun(ctx(t), key, id1)
	data.ID, data.HasReport = id1, true
	if err != nil || !reflect.DeepEqual(got, data) {
		t.Fatalf("DriftRun round trip:\n got %+v\nwant %+v (err %v)", got, data, err)
	}
	list, err := s.DriftRuns(ctx(t), key, "", 10)
	if err != nil || len(list) != 2 || list[0].ID != id2 || list[1].ID != id1 || list[1].Result != nil {
		t.Fatalf("DriftRuns = %+v, %v; want newest first, without results", list, err)
	}
	concept.ID = id2
	if !reflect.DeepEqual(list[0], concept) {
		t.Errorf("listed concept run:\n got %+v\nwant %+v", list[0], concept)
	}
	if only, _ := s.DriftRuns(ctx(t), key, modelwatch.KindData, 10); len(only) != 1 || only[0].ID != id1 {
		t.Errorf("DriftRuns(data) = %+v", only)
	}
	if rep, err := s.DriftReport(ctx(t), key, id1); err != nil || string(rep) != string(report) {
		t.Errorf("DriftReport = %q, %v", rep, err)
	}
	if _, err := s.DriftReport(ctx(t), key, id2); modelwatch.ErrorCode(err) != modelwatch.ENotFound {
		t.Errorf("DriftReport of a run without one: %v, want not_found", err)
	}
	if _, err := s.DriftRun(ctx(t), modelwatch.ModelKey{Name: "m", Version: "2"}, id1); modelwatch.ErrorCode(err) != modelwatch.ENotFound {
		t.Errorf("DriftRun of another version's run: %v, want not_found", err)
	}
}

func testConceptEvents(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	evs := []modelwatch.ConceptEvent{
		{Model: key, Detector: "adwin", Kind: "drift", At: t0, Seq: 10},
		{Model: key, Detector: "ddm", Kind: "warning", At: t0.Add(time.Second), Seq: 12},
		{Model: modelwatch.ModelKey{Name: "m", Version: "2"}, Detector: "ddm", Kind: "drift", At: t0, Seq: 3},
	}
	if err := s.AddConceptEvents(ctx(t), evs); err != nil {
		t.Fatal(err)
	}
	// Another replica stores the same detections (at its own clock's time)
	// and one new one: only the new one is added.
	again := slices.Clone(evs)
	for i := range again {
		again[i].At = again[i].At.Add(time.Millisecond)
	}
	if err := s.AddConceptEvents(ctx(t), append(again, modelwatch.ConceptEvent{Model: key, Detector: "adwin", Kind: "drift", At: t0, Seq: 11})); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ConceptEvents(ctx(t), key, 10); err != nil || len(got) != 3 || got[0].Seq != 11 {
		t.Fatalf("ConceptEvents after a second replica stored the same detections = %+v, %v; want the first two once and seq 11", got, err)
	}
	evs = append(evs, modelwatch.ConceptEvent{Model: key, Detector: "adwin", Kind: "drift", At: t0, Seq: 11})
	got, err := s.ConceptEvents(ctx(t), key, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("ConceptEvents = %+v, %v", got, err)
	}
	evs[3].ID, evs[1].ID, evs[0].ID = got[0].ID, got[1].ID, got[2].ID
	if !reflect.DeepEqual(got, []modelwatch.ConceptEvent{evs[3], evs[1], evs[0]}) || got[0].ID <= got[1].ID || got[1].ID <= got[2].ID {
		t.Errorf("ConceptEvents = %+v, want newest first, the first stored copy of each", got)
	}
}

func testAudit(t *testing.T, h Harness) {
	s := h.Open(t, NewClock(t0).Now)
	if got, err := s.AuditLog(ctx(t), 10); err != nil || len(got) != 0 {
		t.Fatalf("empty audit log = %v, %v", got, err)
	}
	entries := []modelwatch.AuditEntry{
		{At: t0, Actor: "ops", Action: "settings.update", Model: key, Details: json.RawMessage(`{"baseline_accuracy":0.9}`)},
		{At: t0.Add(time.Second), Actor: "ci", Action: "reference.upload", Model: key},
	}
	for _, e := range entries {
		if err := s.AddAudit(ctx(t), e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.AuditLog(ctx(t), 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("AuditLog = %v, %v", got, err)
	}
	entries[0].ID, entries[1].ID = got[1].ID, got[0].ID
	if !reflect.DeepEqual(got, []modelwatch.AuditEntry{entries[1], entries[0]}) {
		t.Errorf("AuditLog = %+v, want newest first %+v", got, entries)
	}
	if got, _ := s.AuditLog(ctx(t), 1); len(got) != 1 || got[0].Actor != "ci" {
		t.Errorf("AuditLog(1) = %+v", got)
	}
}
