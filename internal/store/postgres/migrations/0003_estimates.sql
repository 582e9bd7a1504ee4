-- Label-free performance estimates (CBPE) of chunks of predictions.
CREATE TABLE estimates (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mv_id    integer     NOT NULL REFERENCES model_versions (id),
    at       timestamptz NOT NULL,
    from_ts  timestamptz NOT NULL,
    to_ts    timestamptz NOT NULL,
    rows     integer     NOT NULL,
    labelled integer     NOT NULL,
    result   json        NOT NULL
);
CREATE INDEX estimates_mv ON estimates (mv_id, id);
