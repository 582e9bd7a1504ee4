-- Archive files whose predictions were deleted from the database, recorded in
-- the transaction that deleted them: the next export of the same day writes
-- the next part.
CREATE TABLE archived_parts (
    mv_id       integer     NOT NULL REFERENCES model_versions (id),
    day         date        NOT NULL,
    part        integer     NOT NULL,
    object      text        NOT NULL,
    rows        bigint      NOT NULL,
    checksum    text        NOT NULL,
    archived_at timestamptz NOT NULL,
    PRIMARY KEY (mv_id, day, part)
);

-- The schedule time each background job last ran for, shared by replicas.
CREATE TABLE job_runs (
    name          text        PRIMARY KEY,
    scheduled_for timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL
);
