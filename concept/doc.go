// Package concept detects concept drift: a model's errors becoming more
// frequent than they used to be.
//
// It offers two things, both pure (no I/O, no clocks, no globals):
//
//   - Streaming change detectors with River's exact definitions, defaults,
//     warm-up and reset semantics (online-ml/river, river/drift): ADWIN, KSWIN,
//     PageHinkley, DDM, EDDM, HDDMA, HDDMW, and NoDrift. Each is built from a
//     config struct whose zero value means River's defaults, is fed one value at
//     a time with Update, and reports DriftDetected (and WarningDetected where
//     River has a warning zone). The binary detectors (DDM, EDDM, HDDMA, HDDMW)
//     take 1 for an error and 0 for a correct prediction.
//   - The seed's daily baseline check (CheckBaseline): current accuracy against
//     the model version's baseline accuracy, with the 7-day trend and a
//     "declining for N days" signal over a 90-day history.
//
// # Matching River
//
// Every detector follows River's newest code (river/drift/*.py, ADWIN's
// river/drift/adwin_c.pyx) operation by operation, so that on the same input
// it flags drift and warning at the same indices; the golden tests replay the
// streams River's documentation and unit tests use (testdata/river). Products
// that feed a sum are converted explicitly (float64(a*b) + c) so that no
// platform fuses them into one rounding: results do not depend on GOARCH.
//
// Like River, a detector that has flagged drift keeps the flag until the next
// Update, which first resets it to a fresh state (all statistics, windows and
// KSWIN's random generator) and then consumes the value.
//
// A detector is not safe for concurrent use: guard each with a mutex or
// confine it to one goroutine.
//
// Deviations, all at inputs River does not handle either:
//
//   - Update ignores NaN, ±Inf and values whose magnitude exceeds MaxInput
//     (River would carry NaN or overflow into its state).
//   - Constructors reject settings River accepts but then crashes on or
//     silently never fires with (a KSWIN window too small to sample from, a
//     confidence outside (0, 1], non-finite numbers), with an error of code
//     modelwatch.EInvalid.
//   - KSWIN draws its sample positions with a CPython-compatible Mersenne
//     Twister, so Seed s gives River's KSWIN(seed=s) exactly; the zero value
//     is seed 0, as River's default seed=None is not reproducible.
//   - KSWIN's p-value is scipy's exact two-sample distribution, which is what
//     River's ks_2samp(method="auto") uses up to stat_size 10000; above that
//     scipy switches to an asymptotic one and we keep the exact series.
//
// # Restarting
//
// Detectors are rebuilt after a restart by replaying the stored stream, in the
// order it was fed live, into a new detector with the same configuration (see
// Replay). Because a drift resets a detector completely, the state after the
// last drift depends only on the values that followed it: replaying from the
// value after the last recorded drift index gives the same state as replaying
// everything (KSWIN's Window pre-fill aside, which a reset forgets).
package concept
