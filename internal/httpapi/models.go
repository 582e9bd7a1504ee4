package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/concept"
	"github.com/modelwatch/modelwatch/drift"
	"github.com/modelwatch/modelwatch/estimate"
	"github.com/modelwatch/modelwatch/internal/monitor"
	"github.com/modelwatch/modelwatch/internal/scheduler"
)

func modelKey(r *http.Request) modelwatch.ModelKey {
	return modelwatch.ModelKey{Name: r.PathValue("name"), Version: r.PathValue("version")}
}

// knownModel checks that a model version exists.
func (s *Server) knownModel(r *http.Request, k modelwatch.ModelKey) error {
	mvs, err := s.store.ModelVersions(r.Context())
	if err != nil {
		return err
	}
	for _, mv := range mvs {
		if mv.ModelKey == k {
			return nil
		}
	}
	return modelwatch.Errorf(modelwatch.ENotFound, "model %q version %q is not known: send its predictions or settings first", k.Name, k.Version)
}

type modelDetail struct {
	modelwatch.ModelVersion
	Window    *windowItem                     `json:"window"`
	Settings  modelwatch.ModelSettings        `json:"settings"`
	Reference *modelwatch.Reference           `json:"reference"`
	LastRuns  map[string]*modelwatch.DriftRun `json:"last_runs"`
	// Estimation is the state of label-free performance estimation.
	Estimation *estimationItem `json:"estimation"`
}

type estimationItem struct {
	Status  string               `json:"status"` // off, waiting, fitted or unavailable
	Message string               `json:"message,omitempty"`
	Latest  *modelwatch.Estimate `json:"latest"`
}

// handleModel serves GET /api/v1/models/{name}/versions/{version}.
func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	k := modelKey(r)
	mvs, err := s.store.ModelVersions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var d *modelDetail
	for _, mv := range mvs {
		if mv.ModelKey == k {
			d = &modelDetail{ModelVersion: mv, Window: s.windowItem(k), LastRuns: map[string]*modelwatch.DriftRun{}}
		}
	}
	if d == nil {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.ENotFound, "model %q version %q is not known", k.Name, k.Version))
		return
	}
	raw, err := s.store.ModelSettings(r.Context(), k)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d.Settings = raw.WithDefaults()
	if ref, err := s.store.Reference(r.Context(), k, false); err == nil {
		d.Reference = &ref
	} else if modelwatch.ErrorCode(err) != modelwatch.ENotFound {
		s.writeError(w, r, err)
		return
	}
	for _, kind := range []string{modelwatch.KindData, modelwatch.KindConcept} {
		runs, err := s.store.DriftRuns(r.Context(), k, kind, 1)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if len(runs) > 0 {
			d.LastRuns[kind] = &runs[0]
		}
	}
	if d.Estimation, err = s.estimationItem(r.Context(), k, d.Settings.Estimation.Off); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) estimationItem(ctx context.Context, k modelwatch.ModelKey, off bool) (*estimationItem, error) {
	item := &estimationItem{Status: "off"}
	if !off && s.checks != nil {
		item.Status, item.Message = s.checks.EstimationStatus(k)
	}
	ests, err := s.store.Estimates(ctx, k, 1)
	if err != nil {
		return nil, err
	}
	if len(ests) > 0 {
		item.Latest = &ests[0]
	}
	return item, nil
}

func (s *Server) windowItem(k modelwatch.ModelKey) *windowItem {
	item := &windowItem{}
	if m, ok := s.windows.Stat(k); ok {
		item.LabelledPredictions = m.Count
		if m.Count >= s.opts.WindowMinCount {
			item.Accuracy, item.Precision, item.Recall, item.F1Score = new(m.Accuracy), new(m.Precision), new(m.Recall), new(m.F1)
		}
	}
	return item
}

type settingsResponse struct {
	Settings  modelwatch.ModelSettings `json:"settings"`  // as stored
	Effective modelwatch.ModelSettings `json:"effective"` // with defaults
}

// handleGetSettings serves GET .../settings.
func (s *Server) handleGetSettings(w http.ResponseWriter, r *http.Request) {
	k := modelKey(r)
	raw, err := s.store.ModelSettings(r.Context(), k)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, settingsResponse{Settings: raw, Effective: raw.WithDefaults()})
}

// handlePutSettings serves PUT .../settings: it replaces a model version's
// settings after checking every field.
func (s *Server) handlePutSettings(w http.ResponseWriter, r *http.Request) {
	k := modelKey(r)
	if msg := checkKey(k); msg != "" {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.EInvalid, "%s", msg))
		return
	}
	body, err := readBody(r, s.opts.MaxBodyBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var set modelwatch.ModelSettings
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.EInvalid, "settings: %v", err))
		return
	}
	if errs := ValidateSettings(set); len(errs) > 0 {
		s.writeError(w, r, &modelwatch.Error{Code: modelwatch.EInvalid, Message: "invalid settings: " + errs[0].Field + " " + errs[0].Message, Details: errs})
		return
	}
	if err := s.store.PutModelSettings(r.Context(), k, set); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.checks != nil {
		s.checks.Invalidate(k)
	}
	s.audit(r, "settings.update", k, set)
	writeJSON(w, http.StatusOK, settingsResponse{Settings: set, Effective: set.WithDefaults()})
}

func checkKey(k modelwatch.ModelKey) string {
	p := modelwatch.Prediction{ModelName: k.Name, ModelVersion: k.Version, Prediction: "x"}
	if errs := p.Validate(); len(errs) > 0 {
		return errs[0].Field + " " + errs[0].Message
	}
	return ""
}

// ValidateSettings checks model settings field by field.
func ValidateSettings(set modelwatch.ModelSettings) []modelwatch.FieldError {
	var errs []modelwatch.FieldError
	add := func(field, msg string) { errs = append(errs, modelwatch.FieldError{Field: field, Message: msg}) }
	if b := set.BaselineAccuracy; b != nil && !(*b > 0 && *b <= 1) {
		add("baseline_accuracy", "must be in (0, 1]")
	}
	if set.BaselineSample < 0 {
		add("baseline_sample", "must not be negative")
	}
	if t := set.ConceptTolerance; t != nil && !(*t >= 0 && *t < 1) {
		add("concept_tolerance", "must be in [0, 1)")
	}
	for _, c := range []struct {
		field string
		c     modelwatch.CheckSettings
	}{{"data_drift", set.DataDrift}, {"concept_drift", set.ConceptDrift}} {
		if c.c.Schedule != "" && c.c.Schedule != "off" {
			if _, err := scheduler.Parse(c.c.Schedule); err != nil {
				add(c.field+".schedule", modelwatch.ErrorMessage(err))
			}
		}
		if c.c.Window < 0 {
			add(c.field+".window", "must not be negative")
		}
		if c.c.MinRows < 0 {
			add(c.field+".min_rows", "must not be negative")
		}
		switch {
		case c.c.MaxRows < 0:
			add(c.field+".max_rows", "must not be negative")
		case c.c.MaxRows > 0 && c.field != "data_drift":
			add(c.field+".max_rows", "applies to data_drift only: a concept-drift check counts in the database")
		case c.c.MaxRows > 0 && c.c.MaxRows < c.c.MinRows:
			add(c.field+".max_rows", "must not be below min_rows")
		}
	}
	checkTest := func(field, key string) {
		if key == "" {
			return
		}
		if _, ok := drift.LookupTest(key); !ok {
			add(field, "is not a known test: "+strings.Join(testKeys(), ", "))
		}
	}
	checkTest("stattest", set.Stattest)
	checkTest("num_stattest", set.NumStattest)
	checkTest("cat_stattest", set.CatStattest)
	for col, t := range set.PerColumnStattest {
		checkTest("per_column_stattest."+col, t)
	}
	for _, th := range []struct {
		field string
		v     *float64
	}{{"stattest_threshold", set.StattestThreshold}, {"num_stattest_threshold", set.NumStattestThreshold}, {"cat_stattest_threshold", set.CatStattestThreshold}} {
		if th.v != nil && !(*th.v > 0) {
			add(th.field, "must be greater than 0")
		}
	}
	for col, v := range set.PerColumnStattestThreshold {
		if !(v > 0) {
			add("per_column_stattest_threshold."+col, "must be greater than 0")
		}
	}
	if d := set.DriftShare; d != nil && !(*d > 0 && *d <= 1) {
		add("drift_share", "must be in (0, 1]")
	}
	seen := map[string]bool{}
	for i, d := range set.Detectors {
		field := "detectors." + strconv.Itoa(i)
		if seen[d.Name] {
			add(field+".name", "repeats detector "+strconv.Quote(d.Name)+"; use each detector once")
		}
		seen[d.Name] = true
		if d.Role != "" && d.Role != modelwatch.RoleDrift && d.Role != modelwatch.RoleWarning {
			add(field+".role", "must be drift or warning")
		}
		if _, _, err := concept.Build(d.Name, d.Params); err != nil {
			add(field, modelwatch.ErrorMessage(err))
		}
	}
	if r := set.ReferenceRange; r != nil && !r.From.Before(r.To) {
		add("reference_range", "must end after it starts")
	}
	est := set.Estimation
	if est.ReferenceSize < 0 || est.ChunkSize < 0 {
		add("estimation", "reference_size and chunk_size must not be negative")
	} else if eff := set.WithDefaults().Estimation; eff.ReferenceSize < estimate.MinChunks*eff.ChunkSize {
		add("estimation.reference_size", "must hold at least "+strconv.Itoa(estimate.MinChunks)+" chunks of chunk_size predictions")
	}
	if len(est.Metrics) > 0 {
		if _, err := estimate.ParseMetrics(strings.Join(est.Metrics, ",")); err != nil {
			add("estimation.metrics", err.Error())
		}
	}
	if est.Calibration != "" {
		if _, err := estimate.ParseCalibration(est.Calibration); err != nil {
			add("estimation.calibration", err.Error())
		}
	}
	switch est.Reference {
	case "", modelwatch.EstimationAuto, modelwatch.EstimationUploaded, modelwatch.EstimationProduction:
	default:
		add("estimation.reference", "must be auto, uploaded or production")
	}
	return errs
}

func testKeys() []string {
	var keys []string
	for _, t := range drift.Tests() {
		keys = append(keys, t.Key)
	}
	return keys
}

// referenceFormat decides an upload's format from ?format= or its
// Content-Type.
func referenceFormat(r *http.Request) (string, error) {
	if f := r.URL.Query().Get("format"); f != "" {
		switch f {
		case "csv", "ndjson", "parquet":
			return f, nil
		}
		return "", modelwatch.Errorf(modelwatch.EInvalid, "format must be csv, ndjson or parquet, not %q", f)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "text/csv", "application/csv":
		return "csv", nil
	case "application/x-ndjson", "application/ndjson", "application/jsonl":
		return "ndjson", nil
	case "application/vnd.apache.parquet", "application/x-parquet":
		return "parquet", nil
	}
	return "", modelwatch.Errorf(modelwatch.EInvalid, "say the reference's format with Content-Type text/csv, application/x-ndjson or application/vnd.apache.parquet, or with ?format=csv|ndjson|parquet")
}

// maxFilename bounds the name a reference dataset is uploaded with.
const maxFilename = 255

// handlePutReference serves PUT .../reference: it stores a reference
// dataset after reading it once to check it.
func (s *Server) handlePutReference(w http.ResponseWriter, r *http.Request) {
	k := modelKey(r)
	if msg := checkKey(k); msg != "" {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.EInvalid, "%s", msg))
		return
	}
	format, err := referenceFormat(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	filename := r.URL.Query().Get("filename")
	if len(filename) > maxFilename || !modelwatch.ValidText(filename) {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.EInvalid, "filename must be printable UTF-8 text of at most %d bytes", maxFilename))
		return
	}
	data, err := readBody(r, s.opts.MaxReferenceBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	set, err := s.store.ModelSettings(r.Context(), k)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	table, err := monitor.ParseReference(format, data, set)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ref := modelwatch.Reference{
		Model: k, Format: format, Filename: filename, UploadedAt: s.opts.Now().UTC(),
		Rows: table.Rows, Size: int64(len(data)), Data: data,
	}
	for _, c := range table.Columns {
		ref.Columns = append(ref.Columns, c.Name)
	}
	if err := s.store.PutReference(r.Context(), ref); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.checks != nil {
		s.checks.Invalidate(k)
	}
	s.audit(r, "reference.upload", k, map[string]any{"format": ref.Format, "filename": ref.Filename, "rows": ref.Rows, "columns": ref.Columns, "size": ref.Size})
	writeJSON(w, http.StatusOK, ref)
}

// handleGetReference serves GET .../reference: its description, or with
// ?download=1 the file as uploaded.
func (s *Server) handleGetReference(w http.ResponseWriter, r *http.Request) {
	k := modelKey(r)
	download := r.URL.Query().Get("download") != ""
	ref, err := s.store.Reference(r.Context(), k, download)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !download {
		writeJSON(w, http.StatusOK, ref)
		return
	}
	ct := map[string]string{"csv": "text/csv", "ndjson": "application/x-ndjson", "parquet": "application/vnd.apache.parquet"}[ref.Format]
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(ref.Data)))
	_, _ = w.Write(ref.Data)
}

type runRequest struct {
	Kind string     `json:"kind"`
	From *time.Time `json:"from"`
	To   *time.Time `json:"to"`
}

// handlePostRun serves POST .../drift-runs: run a check now.
func (s *Server) handlePostRun(w http.ResponseWriter, r *http.Request) {
	k := modelKey(r)
	if err := s.knownModel(r, k); err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := readBody(r, 1<<20)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req runRequest
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			s.writeError(w, r, modelwatch.Errorf(modelwatch.EInvalid, "run request: %v", err))
			return
		}
	}
	if req.Kind == "" {
		req.Kind = modelwatch.KindData
	}
	set, err := s.store.ModelSettings(r.Context(), k)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	eff := set.WithDefaults()
	window := time.Duration(eff.DataDrift.Window)
	if req.Kind == modelwatch.KindConcept {
		window = time.Duration(eff.ConceptDrift.Window)
	}
	// Up to now, including predictions stamped this second.
	to := s.opts.Now().UTC().Truncate(time.Second).Add(time.Second)
	if req.To != nil {
		to = *req.To
	}
	from := to.Add(-window)
	if req.From != nil {
		from = *req.From
	}
	if s.checks == nil {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.EUnavailable, "drift checks are not running in this server"))
		return
	}
	run, err := s.checks.RunCheck(r.Context(), k, req.Kind, modelwatch.TimeRange{From: from, To: to}, time.Time{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.audit(r, "drift_run.create", k, map[string]any{"kind": run.Kind, "window": run.Window, "run_id": run.ID, "status": run.Status})
	full, err := s.store.DriftRun(r.Context(), k, run.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, full)
}

// handleListRuns serves GET .../drift-runs.
func (s *Server) handleListRuns(w http.ResponseWriter, r *http.Request) {
	k := modelKey(r)
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "" && kind != modelwatch.KindData && kind != modelwatch.KindConcept {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.EInvalid, "kind must be data or concept"))
		return
	}
	limit, err := queryFloat(q, "limit", 50, 1, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	runs, err := s.store.DriftRuns(r.Context(), k, kind, int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if runs == nil {
		runs = []modelwatch.DriftRun{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"drift_runs": runs})
}

func runID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, modelwatch.Errorf(modelwatch.ENotFound, "no drift run %q", r.PathValue("id"))
	}
	return id, nil
}

// handleGetRun serves GET .../drift-runs/{id}.
func (s *Server) handleGetRun(w http.ResponseWriter, r *http.Request) {
	id, err := runID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	run, err := s.store.DriftRun(r.Context(), modelKey(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, run)
}

// handleGetReport serves GET .../drift-runs/{id}/report: the HTML report.
func (s *Server) handleGetReport(w http.ResponseWriter, r *http.Request) {
	id, err := runID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	html, err := s.store.DriftReport(r.Context(), modelKey(r), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The report is self-contained: it needs nothing from anywhere.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(html)
}

// handleConceptEvents serves GET .../concept-events.
func (s *Server) handleConceptEvents(w http.ResponseWriter, r *http.Request) {
	limit, err := queryFloat(r.URL.Query(), "limit", 100, 1, 10000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	evs, err := s.store.ConceptEvents(r.Context(), modelKey(r), int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if evs == nil {
		evs = []modelwatch.ConceptEvent{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"concept_events": evs})
}

// handleEstimates serves GET .../estimates: label-free performance
// estimates of chunks of predictions, newest first.
func (s *Server) handleEstimates(w http.ResponseWriter, r *http.Request) {
	limit, err := queryFloat(r.URL.Query(), "limit", 100, 1, 10000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ests, err := s.store.Estimates(r.Context(), modelKey(r), int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ests == nil {
		ests = []modelwatch.Estimate{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"estimates": ests})
}
