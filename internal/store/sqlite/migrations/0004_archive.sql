-- Archive files whose predictions were deleted from the database, recorded in
-- the transaction that deleted them: the next export of the same day writes
-- the next part. day is the day's midnight in Unix microseconds (UTC).
CREATE TABLE archived_parts (
    mv_id       INTEGER NOT NULL REFERENCES model_versions (id),
    day         INTEGER NOT NULL,
    part        INTEGER NOT NULL,
    object      TEXT    NOT NULL,
    rows        INTEGER NOT NULL,
    checksum    TEXT    NOT NULL,
    archived_at INTEGER NOT NULL,
    PRIMARY KEY (mv_id, day, part)
);

-- The highest label revision among deleted predictions: label revisions are
-- the highest stored one plus one, and must never go back when the
-- predictions holding the highest ones are archived (windows tail them).
CREATE TABLE label_revision_floor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    rev INTEGER NOT NULL
);

-- The schedule time each background job last ran for.
CREATE TABLE job_runs (
    name          TEXT    PRIMARY KEY,
    scheduled_for INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL
);
