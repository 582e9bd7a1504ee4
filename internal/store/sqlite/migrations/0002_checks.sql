-- Monitoring settings of a model version, as JSON (modelwatch.ModelSettings).
CREATE TABLE model_settings (
    mv_id      INTEGER PRIMARY KEY REFERENCES model_versions (id),
    settings   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The reference dataset of a model version, as uploaded.
CREATE TABLE reference_datasets (
    mv_id       INTEGER PRIMARY KEY REFERENCES model_versions (id),
    format      TEXT    NOT NULL,
    filename    TEXT    NOT NULL,
    uploaded_at INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    columns     TEXT    NOT NULL, -- JSON array of column names
    size        INTEGER NOT NULL,
    data        BLOB    NOT NULL
);

-- Data-drift and concept-drift checks, scheduled or manual.
CREATE TABLE drift_runs (
    id             INTEGER PRIMARY KEY,
    mv_id          INTEGER NOT NULL REFERENCES model_versions (id),
    kind           TEXT    NOT NULL,
    trigger        TEXT    NOT NULL,
    scheduled_for  INTEGER,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER NOT NULL,
    window_from    INTEGER NOT NULL,
    window_to      INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    message        TEXT    NOT NULL,
    rows           INTEGER NOT NULL,
    drift_detected INTEGER NOT NULL,
    summary        TEXT    NOT NULL, -- JSON of the run's summary numbers
    result         TEXT,             -- JSON of the full result
    report         BLOB              -- the HTML report
);
CREATE INDEX drift_runs_mv_kind ON drift_runs (mv_id, kind, id);

-- Detections by the streaming concept-drift detectors.
CREATE TABLE concept_events (
    id       INTEGER PRIMARY KEY,
    mv_id    INTEGER NOT NULL REFERENCES model_versions (id),
    detector TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    seq      INTEGER NOT NULL
);
CREATE INDEX concept_events_mv ON concept_events (mv_id, id);
