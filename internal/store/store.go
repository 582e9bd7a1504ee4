package store

import (
	"context"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
)

// Store keeps predictions and their ground truth durably. Every method that
// returns without error has committed its changes.
type Store interface {
	// IngestPredictions stores a batch of predictions atomically: either
	// every new prediction is committed or, on error, none is. Predictions
	// must have an ID and a Timestamp and be valid (see
	// modelwatch.Prediction.Validate). A prediction whose ID is already
	// stored, or appears earlier in the same batch, is skipped and reported
	// as a duplicate. A ground truth that arrived before its prediction is
	// joined now. Per-minute rollups are updated in the same transaction.
	IngestPredictions(ctx context.Context, ps []modelwatch.Prediction) (IngestResult, error)

	// AddGroundTruth labels stored predictions by id, atomically for the
	// batch. Labels for ids not stored yet are kept as pending and joined
	// when the prediction arrives. Re-labelling replaces the label; sending
	// the same label again changes nothing. LabelledAt is the store clock's
	// time of arrival.
	AddGroundTruth(ctx context.Context, labels []modelwatch.GroundTruth) (LabelResult, error)

	// LabelEvents returns label changes with revision greater than after, in
	// revision order, at most limit of them. Every join or change of a label
	// produces one event with a new revision.
	LabelEvents(ctx context.Context, after int64, limit int) ([]LabelEvent, error)

	// LatestLabelled returns the n labelled predictions of a model version
	// with the highest label sequence numbers, oldest first, and the highest
	// label revision in the store at the time of reading, so that a window
	// rebuilt from them can continue with LabelEvents(ctx, rev, …).
	LatestLabelled(ctx context.Context, key modelwatch.ModelKey, n int) (events []LabelEvent, rev int64, err error)

	// ModelVersions lists every model version that has predictions, ordered
	// by name and version.
	ModelVersions(ctx context.Context) ([]modelwatch.ModelVersion, error)

	// Stats summarises predictions in [q.From, q.To) from rollups, in time
	// that does not grow with the number of predictions. The edges are
	// rounded outward to the minute, or to the hour (the day) where minute
	// (hour) rollups were pruned: see rollup.Cover.
	Stats(ctx context.Context, q StatsQuery) (modelwatch.PredictionStats, error)

	// Series returns a model version's rollups at resolution q.Step, one
	// point per bucket that has data in [q.From, q.To), oldest first, with
	// every latency sketch, the classes and the confusion counts. Where the
	// rollups of q.Step were pruned, the points are those of the finest
	// resolution kept (Point.Res says which): see rollup.SeriesRanges.
	Series(ctx context.Context, q SeriesQuery) ([]rollup.Point, error)

	// LowConfidence returns predictions made after q.Since whose confidence
	// is below q.Threshold, lowest confidence first, at most q.Limit.
	LowConfidence(ctx context.Context, q LowConfidenceQuery) ([]modelwatch.Prediction, error)

	// ModelSettings returns a model version's monitoring settings as
	// stored (without defaults); the zero value when none were stored.
	ModelSettings(ctx context.Context, key modelwatch.ModelKey) (modelwatch.ModelSettings, error)
	// PutModelSettings replaces a model version's settings, creating the
	// model version if it has no predictions yet.
	PutModelSettings(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings) error

	// PutReference replaces a model version's reference dataset.
	PutReference(ctx context.Context, ref modelwatch.Reference) error
	// Reference returns a model version's reference dataset, with its Data
	// when withData is true; an error of code ENotFound when there is none.
	Reference(ctx context.Context, key modelwatch.ModelKey, withData bool) (modelwatch.Reference, error)

	// ScanFeatures calls fn with the timestamp and features (a JSON object)
	// of every prediction of a model version made in [from, to), oldest
	// first, stopping at fn's first error.
	ScanFeatures(ctx context.Context, key modelwatch.ModelKey, from, to time.Time, fn func(ts time.Time, features []byte) error) error
	// Accuracy counts the labelled and the correctly predicted predictions
	// of a model version made in [from, to), from rollups, with the edges
	// rounded as Stats rounds them.
	Accuracy(ctx context.Context, key modelwatch.ModelKey, from, to time.Time) (labelled, correct int64, err error)
	// FirstLabelled counts, among the first n predictions of a model version
	// to be labelled, how many were labelled and how many were correct.
	FirstLabelled(ctx context.Context, key modelwatch.ModelKey, n int) (labelled, correct int64, err error)

	// AddDriftRun stores a drift run and its HTML report (may be nil) and
	// returns its id.
	AddDriftRun(ctx context.Context, run modelwatch.DriftRun, report []byte) (int64, error)
	// DriftRuns lists a model version's runs of a kind ("" for every kind),
	// newest first, at most limit, without their Result.
	DriftRuns(ctx context.Context, key modelwatch.ModelKey, kind string, limit int) ([]modelwatch.DriftRun, error)
	// DriftRun returns one run with its Result; ENotFound when the model
	// version has no run with that id.
	DriftRun(ctx context.Context, key modelwatch.ModelKey, id int64) (modelwatch.DriftRun, error)
	// DriftReport returns a run's HTML report; ENotFound when it has none.
	DriftReport(ctx context.Context, key modelwatch.ModelKey, id int64) ([]byte, error)

	// AddConceptEvents stores detections of the streaming detectors. A
	// detection already stored (same model version, detector, kind and
	// label sequence number: another replica's detectors saw the same
	// labels) is not stored again.
	AddConceptEvents(ctx context.Context, evs []modelwatch.ConceptEvent) error
	// ConceptEvents lists a model version's detections, newest first, at
	// most limit.
	ConceptEvents(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.ConceptEvent, error)

	// LatestPredictions returns a model version's n most recent predictions
	// (by timestamp), oldest first.
	LatestPredictions(ctx context.Context, key modelwatch.ModelKey, n int) ([]modelwatch.Prediction, error)
	// FirstLabelledPredictions returns the first n predictions of a model
	// version to be labelled, in label order.
	FirstLabelledPredictions(ctx context.Context, key modelwatch.ModelKey, n int) ([]modelwatch.Prediction, error)
	// PredictionsBetween returns the n most recent predictions of a model
	// version made in [from, to] (both ends included), oldest first, in the
	// order of LatestPredictions: the chunk of a stored estimate read again,
	// the same rows as long as no prediction was added to its range.
	PredictionsBetween(ctx context.Context, key modelwatch.ModelKey, from, to time.Time, n int) ([]modelwatch.Prediction, error)
	// AddEstimate stores a performance estimate and returns its id.
	AddEstimate(ctx context.Context, e modelwatch.Estimate) (int64, error)
	// UpdateEstimate replaces the Labelled count and the Result of the
	// stored estimate e.ID of model version e.Model, once more of its
	// chunk's labels arrived; the other fields stay as stored. It is a
	// not_found error when the version has no such estimate.
	UpdateEstimate(ctx context.Context, e modelwatch.Estimate) error
	// Estimates lists a model version's estimates, newest first, at most
	// limit.
	Estimates(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.Estimate, error)

	// AddAudit records an administrative change; At is set by the caller.
	AddAudit(ctx context.Context, e modelwatch.AuditEntry) error
	// AuditLog lists recorded changes, newest first, at most limit.
	AuditLog(ctx context.Context, limit int) ([]modelwatch.AuditEntry, error)

	// ArchiveDays lists the model versions' UTC days that end at or before
	// `before` and still have predictions, oldest first.
	ArchiveDays(ctx context.Context, before time.Time) ([]ArchiveDay, error)
	// ExportDay calls fn with each prediction of a model version made on
	// the UTC day starting at day, in (timestamp, id) order, all read from
	// one snapshot, and returns what identifies that snapshot. It stops at
	// fn's first error. fn must not keep p after it returns.
	ExportDay(ctx context.Context, key modelwatch.ModelKey, day time.Time, fn func(p *modelwatch.Prediction) error) (DaySnapshot, error)
	// DeleteArchived deletes the predictions of part's model version and
	// day and records part, atomically, when they are still exactly those
	// that the export of snap read. When a prediction or a label arrived
	// since, it changes nothing and returns an error of code EConflict: the
	// day must be exported again. Rollups are kept: statistics of archived
	// days still work. A later label for a deleted prediction is kept as
	// pending (see DeletePendingLabels), and a prediction re-sent after its
	// day was archived is stored again, to go to the day's next part.
	DeleteArchived(ctx context.Context, part ArchivedPart, snap DaySnapshot) error
	// DeletePendingLabels deletes the ground truth that arrived before
	// `before` and still waits for its prediction, and returns how many.
	DeletePendingLabels(ctx context.Context, before time.Time) (int64, error)
	// LastRun returns the schedule time the background job named name last
	// ran for, zero if never; replicas sharing the database share it.
	LastRun(ctx context.Context, name string) (time.Time, error)
	// RecordRun records that the job named name ran for scheduledFor.
	RecordRun(ctx context.Context, name string, scheduledFor time.Time) error

	// PruneRollups deletes the minute rollups of buckets that start before
	// minuteBefore and the hour rollups of buckets that start before
	// hourBefore, rounded as rollup.NewKept rounds them; day rollups stay.
	// It first records the new horizons (which never move back), so that
	// every later read uses the finest resolution still kept for each
	// period, then deletes in short transactions that never hold many
	// locks. Running it again, or on several replicas at once, is safe.
	PruneRollups(ctx context.Context, minuteBefore, hourBefore time.Time) (PruneResult, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error

	// Close releases the database. Calls in flight may fail.
	Close() error
}

// IngestResult reports what IngestPredictions did.
type IngestResult struct {
	// Duplicate[i] is true when the i-th prediction of the batch was not
	// stored because its ID was already stored or appeared earlier in the
	// batch.
	Duplicate []bool
	Accepted  int // predictions stored
	Joined    int // stored predictions that were labelled by a pending ground truth
	// Labelled maps each model version to the number of its stored
	// predictions that got their first label in this call: sent with their
	// ground truth, or joined to a pending one.
	Labelled map[modelwatch.ModelKey]int
}

// Duplicates returns the number of predictions reported as duplicates.
func (r IngestResult) Duplicates() int { return len(r.Duplicate) - r.Accepted }

// LabelResult reports what AddGroundTruth did.
type LabelResult struct {
	Joined     int // labels applied to stored predictions for the first time
	Relabelled int // stored predictions whose label changed
	Unchanged  int // stored predictions that already had this label
	Pending    int // labels kept until their prediction arrives
	// Labelled maps each model version to the number of its predictions that
	// were labelled for the first time (joins), for counters.
	Labelled map[modelwatch.ModelKey]int
}

// ArchiveDay is a model version's predictions of one UTC day.
type ArchiveDay struct {
	Model modelwatch.ModelKey
	Day   time.Time // midnight UTC
	Rows  int64     // predictions stored for the day
}

// DaySnapshot identifies the predictions of a model version's day that one
// ExportDay read.
type DaySnapshot struct {
	Rows int64 // predictions read
	Rev  int64 // their highest label revision, 0 when none is labelled
	// Part is the number of the archive part they belong in: one more than
	// the parts of the day already recorded by DeleteArchived.
	Part int
}

// ArchivedPart is an archive file holding predictions of a model version's
// day that were deleted from the database.
type ArchivedPart struct {
	Model    modelwatch.ModelKey
	Day      time.Time // midnight UTC
	Part     int       // 1 for the day's first file
	Object   string    // the file's key in the archive
	Rows     int64
	Checksum string // of the rows, as the archive computes it
}

// PruneResult reports what PruneRollups did.
type PruneResult struct {
	Kept    rollup.Kept // the horizons now recorded
	Buckets int64       // minute and hour buckets deleted, of every model version
	Rows    int64       // rows deleted from every rollup table
}

// LabelEvent is one labelled prediction as the sliding windows need it.
type LabelEvent struct {
	Rev        int64 // revision of this change, increasing over the store
	Seq        int64 // label sequence number: order of the prediction's first label
	Model      modelwatch.ModelKey
	Truth      modelwatch.Label
	Prediction modelwatch.Label
}

// StatsQuery selects the predictions summarised by Stats. Empty Model and
// Version select every model or every version of the model.
type StatsQuery struct {
	Model   string
	Version string
	From    time.Time // inclusive, rounded down to the minute (see Store.Stats)
	To      time.Time // exclusive, rounded up to the minute (see Store.Stats)
}

// SeriesQuery selects the points returned by Series.
type SeriesQuery struct {
	Model    modelwatch.ModelKey
	From, To time.Time
	Step     int64 // rollup.Minute, rollup.Hour or rollup.Day
}

// LowConfidenceQuery selects the predictions returned by LowConfidence.
type LowConfidenceQuery struct {
	Model     string
	Version   string
	Since     time.Time // predictions made strictly after
	Threshold float64   // confidence strictly below
	Limit     int
}
