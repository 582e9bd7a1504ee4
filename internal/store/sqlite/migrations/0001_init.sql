-- Model versions get a small integer id that every other table refers to.
CREATE TABLE model_versions (
    id            INTEGER PRIMARY KEY,
    model_name    TEXT    NOT NULL,
    model_version TEXT    NOT NULL,
    created_at    INTEGER NOT NULL, -- Unix microseconds
    UNIQUE (model_name, model_version)
);

-- One row per prediction. Times are Unix microseconds (UTC).
-- label_seq orders predictions by the arrival of their first label (the
-- sliding window's order); label_rev increases at every label change (what
-- window refreshes tail). Both come from one counter: label_seq is the
-- label_rev of the first label.
CREATE TABLE predictions (
    seq               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    mv_id             INTEGER NOT NULL REFERENCES model_versions (id),
    ts                INTEGER NOT NULL,
    features          TEXT,
    prediction        TEXT    NOT NULL,
    confidence        REAL,
    probabilities     TEXT,
    preprocessing_ms  REAL,
    inference_ms      REAL,
    postprocessing_ms REAL,
    latency_ms        REAL,
    ground_truth      TEXT,
    labelled_at       INTEGER,
    label_seq         INTEGER,
    label_rev         INTEGER
);
CREATE INDEX predictions_mv_ts ON predictions (mv_id, ts);
CREATE INDEX predictions_confidence ON predictions (confidence) WHERE confidence IS NOT NULL;
CREATE INDEX predictions_label_seq ON predictions (mv_id, label_seq) WHERE label_seq IS NOT NULL;
CREATE INDEX predictions_label_rev ON predictions (label_rev) WHERE label_rev IS NOT NULL;

-- Ground truth that arrived before its prediction.
CREATE TABLE pending_labels (
    id           TEXT    PRIMARY KEY,
    ground_truth TEXT    NOT NULL,
    received_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Per-minute, per-hour and per-day summaries (res = 60, 3600, 86400 seconds;
-- bucket = start of the bucket in Unix seconds), written in the same
-- transaction as the predictions and labels they summarise.
CREATE TABLE rollups (
    mv_id    INTEGER NOT NULL,
    res      INTEGER NOT NULL,
    bucket   INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    conf_n   INTEGER NOT NULL,
    conf_sum REAL    NOT NULL,
    lat_sum  REAL    NOT NULL, -- sum of total latencies, ms
    labelled INTEGER NOT NULL,
    correct  INTEGER NOT NULL, -- labelled predictions equal to their ground truth
    PRIMARY KEY (mv_id, res, bucket)
) WITHOUT ROWID;

-- Latency distributions per bucket: kind is total, preprocessing, inference
-- or postprocessing; sketch is a DDSketch (1 % relative accuracy).
CREATE TABLE rollup_sketches (
    mv_id  INTEGER NOT NULL,
    res    INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    kind   TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    min    REAL    NOT NULL,
    max    REAL    NOT NULL,
    sketch BLOB    NOT NULL,
    PRIMARY KEY (mv_id, res, bucket, kind)
) WITHOUT ROWID;

-- Predicted classes per bucket.
CREATE TABLE rollup_classes (
    mv_id  INTEGER NOT NULL,
    res    INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    class  TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (mv_id, res, bucket, class)
) WITHOUT ROWID;

-- Labelled predictions per bucket by (ground truth, prediction): the
-- confusion matrix behind accuracy, precision, recall and F1 over time.
CREATE TABLE rollup_confusion (
    mv_id  INTEGER NOT NULL,
    res    INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    truth  TEXT    NOT NULL,
    pred   TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (mv_id, res, bucket, truth, pred)
) WITHOUT ROWID;
