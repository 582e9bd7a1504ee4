-- How far rollups were pruned: rollups of resolution res (60 or 3600) whose
-- bucket starts before `before` (Unix seconds) may have been deleted, and
-- reads use a coarser resolution there. Set, in its own transaction, before
-- the rows are deleted, and never moved back.
CREATE TABLE rollup_horizons (
    res    integer PRIMARY KEY,
    before bigint  NOT NULL
);
