-- Label-free performance estimates (CBPE) of chunks of predictions.
CREATE TABLE estimates (
    id       INTEGER PRIMARY KEY,
    mv_id    INTEGER NOT NULL REFERENCES model_versions (id),
    at       INTEGER NOT NULL,
    from_ts  INTEGER NOT NULL,
    to_ts    INTEGER NOT NULL,
    rows     INTEGER NOT NULL,
    labelled INTEGER NOT NULL,
    result   TEXT    NOT NULL
);
CREATE INDEX estimates_mv ON estimates (mv_id, id);
