// Package rollup aggregates predictions into per-minute, per-hour and per-day
// summaries, and answers statistics queries from them.
//
// Stores write rollups in the same transaction as the predictions they
// summarise, so statistics are exact for counts and sums and within the
// sketch's relative error for latency percentiles, and a query over any
// period reads at most a few hundred rollup rows per model version however
// many predictions the period holds. The package holds the logic that both
// store implementations share; it does no I/O.
//
// Old minute and hour rollups are pruned (day rollups are kept forever);
// Kept records what is left, and Cover and SeriesRanges plan every read at
// the finest resolution kept for each period.
package rollup
