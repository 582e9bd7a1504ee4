-- modelwatch's PostgreSQL schema. Names and comparisons of identifiers use
-- the C collation, so that ordering is byte order whatever the database's
-- locale, as in SQLite.

-- Model versions get a small integer id that every other table refers to.
CREATE TABLE model_versions (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_name    text COLLATE "C" NOT NULL,
    model_version text COLLATE "C" NOT NULL,
    created_at    timestamptz      NOT NULL,
    UNIQUE (model_name, model_version)
);

-- Every prediction id known to the store, with the prediction's timestamp
-- (its partition key), and ground truth that arrived before its prediction.
-- A unique index on the partitioned predictions table would have to include
-- the timestamp, so it could not make ids unique; this table does. Its rows
-- are also the per-id locks that order concurrent writers: an ingest that
-- inserts an id and a label that names it meet on the same index entry, so
-- a label can neither miss a prediction being stored nor be missed by it.
-- A row with ts NULL is a pending label and nothing else.
CREATE TABLE prediction_ids (
    id            text COLLATE "C" PRIMARY KEY,
    ts            timestamptz,
    pending_label text,
    pending_at    timestamptz
);
CREATE INDEX prediction_ids_pending ON prediction_ids (pending_at) WHERE ts IS NULL;

-- Label revisions (see labels.go): taken in commit order under an advisory
-- lock, so a reader that has seen revision r has seen every revision < r.
CREATE SEQUENCE label_revisions AS bigint;

-- One row per prediction, partitioned by day (UTC) of its timestamp; the
-- store creates partitions ahead and on demand, and drops them once the
-- archive has emptied them. label_seq orders predictions by the arrival of
-- their first label (the sliding window's order); label_rev changes at every
-- label change (what window refreshes tail). label_seq is the label_rev of
-- the first label.
CREATE TABLE predictions (
    ts                timestamptz      NOT NULL,
    mv_id             integer          NOT NULL,
    id                text COLLATE "C" NOT NULL,
    prediction        text             NOT NULL,
    confidence        double precision,
    preprocessing_ms  double precision,
    inference_ms      double precision,
    postprocessing_ms double precision,
    latency_ms        double precision,
    label_seq         bigint,
    label_rev         bigint,
    labelled_at       timestamptz,
    ground_truth      text,
    features          json,
    probabilities     json
) PARTITION BY RANGE (ts);
-- Label joins find a prediction by (ts, id): ts picks the partition.
CREATE INDEX predictions_id ON predictions (id);
-- Feature scans, statistics by model version, the archive.
CREATE INDEX predictions_mv_ts ON predictions (mv_id, ts);
-- The low-confidence review list.
CREATE INDEX predictions_confidence ON predictions (confidence) WHERE confidence IS NOT NULL;
-- Sliding windows: the latest labelled predictions of a model version, and
-- label changes after a revision.
CREATE INDEX predictions_label_seq ON predictions (mv_id, label_seq) WHERE label_seq IS NOT NULL;
CREATE INDEX predictions_label_rev ON predictions (label_rev) WHERE label_rev IS NOT NULL;

-- Per-minute, per-hour and per-day summaries (res = 60, 3600, 86400 seconds;
-- bucket = start of the bucket in Unix seconds), written in the same
-- transaction as the predictions and labels they summarise. A writer locks
-- the rollups row of a bucket (by upserting it) before it touches the
-- bucket's sketches, classes or confusion counts.
CREATE TABLE rollups (
    mv_id    integer          NOT NULL,
    res      integer          NOT NULL,
    bucket   bigint           NOT NULL,
    n        bigint           NOT NULL,
    conf_n   bigint           NOT NULL,
    conf_sum double precision NOT NULL,
    lat_sum  double precision NOT NULL, -- sum of total latencies, ms
    labelled bigint           NOT NULL,
    correct  bigint           NOT NULL, -- labelled predictions equal to their ground truth
    PRIMARY KEY (mv_id, res, bucket)
);

-- Latency distributions per bucket: kind is total, preprocessing, inference
-- or postprocessing; sketch is a DDSketch (1 % relative accuracy).
CREATE TABLE rollup_sketches (
    mv_id  integer          NOT NULL,
    res    integer          NOT NULL,
    bucket bigint           NOT NULL,
    kind   text COLLATE "C" NOT NULL,
    n      bigint           NOT NULL,
    min    double precision NOT NULL,
    max    double precision NOT NULL,
    sketch bytea            NOT NULL,
    PRIMARY KEY (mv_id, res, bucket, kind)
);

-- Predicted classes per bucket.
CREATE TABLE rollup_classes (
    mv_id  integer          NOT NULL,
    res    integer          NOT NULL,
    bucket bigint           NOT NULL,
    class  text COLLATE "C" NOT NULL,
    n      bigint           NOT NULL,
    PRIMARY KEY (mv_id, res, bucket, class)
);

-- Labelled predictions per bucket by (ground truth, prediction).
CREATE TABLE rollup_confusion (
    mv_id  integer          NOT NULL,
    res    integer          NOT NULL,
    bucket bigint           NOT NULL,
    truth  text COLLATE "C" NOT NULL,
    pred   text COLLATE "C" NOT NULL,
    n      bigint           NOT NULL,
    PRIMARY KEY (mv_id, res, bucket, truth, pred)
);

-- Monitoring settings of a model version, as JSON (modelwatch.ModelSettings).
CREATE TABLE model_settings (
    mv_id      integer     PRIMARY KEY REFERENCES model_versions (id),
    settings   json        NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The reference dataset of a model version, as uploaded.
CREATE TABLE reference_datasets (
    mv_id       integer     PRIMARY KEY REFERENCES model_versions (id),
    format      text        NOT NULL,
    filename    text        NOT NULL,
    uploaded_at timestamptz NOT NULL,
    rows        bigint      NOT NULL,
    columns     json        NOT NULL, -- array of column names
    size        bigint      NOT NULL,
    data        bytea       NOT NULL
);

-- Data-drift and concept-drift checks, scheduled or manual.
CREATE TABLE drift_runs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mv_id          integer     NOT NULL REFERENCES model_versions (id),
    kind           text        NOT NULL,
    trigger        text        NOT NULL,
    scheduled_for  timestamptz,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NOT NULL,
    window_from    timestamptz NOT NULL,
    window_to      timestamptz NOT NULL,
    status         text        NOT NULL,
    message        text        NOT NULL,
    rows           bigint      NOT NULL,
    drift_detected boolean     NOT NULL,
    summary        json        NOT NULL, -- the run's summary numbers
    result         json,                 -- the full result
    report         bytea                 -- the HTML report
);
CREATE INDEX drift_runs_mv_kind ON drift_runs (mv_id, kind, id);

-- Detections by the streaming concept-drift detectors.
CREATE TABLE concept_events (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mv_id    integer     NOT NULL REFERENCES model_versions (id),
    detector text        NOT NULL,
    kind     text        NOT NULL,
    at       timestamptz NOT NULL,
    seq      bigint      NOT NULL
);
CREATE INDEX concept_events_mv ON concept_events (mv_id, id);

-- Administrative changes: who changed what, when.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL,
    actor         text        NOT NULL,
    action        text        NOT NULL,
    model_name    text        NOT NULL,
    model_version text        NOT NULL,
    details       json
);
