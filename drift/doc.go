// Package drift detects data drift between a reference dataset and a
// current one, column by column, with the statistical tests, default
// choices, thresholds and dataset rule of Evidently's DataDriftPreset
// (Evidently 0.7.21 "legacy" API, SciPy 1.10). Scores agree with
// Evidently's to 1e-9 relative on the same data.
//
// The package is pure computation: it does no I/O.
//
// # Columns
//
// Data comes in as []Column. A numerical column is a []float64 with NaN
// (or ±Inf) for missing values; a categorical column is dictionary-encoded
// as []int32 codes into a []string of levels, a negative code meaning
// missing. See Numeric, Strings and Encoded. Columns are matched by name;
// the reference decides each column's type. For text data, FromText and
// InferType type a column as pandas.read_csv does for Evidently users
// (ParseNumber, IsNA and BoolLabel are its rules).
//
// # Use
//
// For one comparison:
//
//	report, err := drift.Compare(reference, current, drift.Options{})
//
// To compare many current windows with one reference (as the server's
// scheduled checks do), prepare the reference once: Prepare cleans, sorts
// and counts it, and the result is safe for concurrent use.
//
//	ref, err := drift.Prepare(reference, drift.Options{})
//	report, err := ref.Compare(window)
//
// Columns are computed in parallel, one goroutine per core by default.
//
// # Tests
//
// Each test lives in its own file under Evidently's key: ks, chisquare, z,
// wasserstein, jensenshannon, psi, kl_div, hellinger, ed, anderson,
// cramer_von_mises, t_test, mannw, es, fisher_exact, g_test, TVD and
// empirical_mmd. Every file documents the formula, the reference it matches
// and the comparison that decides drift (p-values drift when small,
// distances when large; whether the comparison is strict differs per test,
// as in Evidently). Tests lists them. Without configuration the test is
// chosen from the column type, the reference size and the number of
// distinct values (DefaultTest); Options overrides tests and thresholds per
// column, per type or for all columns, in that order of precedence.
//
// The dataset drifts when the share of drifted columns is at least
// Options.DriftShare (default 0.5, inclusive).
//
// # Differences from Evidently
//
// These are deliberate:
//
//   - ±Inf is always dropped together with NaN. Evidently drops it only
//     from columns that also contain NaN, and otherwise gets NaN scores.
//   - A column that cannot be computed (empty once missing values are
//     dropped, missing from the current data, of the wrong type, rejected
//     by its test, or with an undefined score) is reported with
//     drift_detected false, no score and a Reason, and the other columns
//     are still computed. Evidently aborts the whole report (issue #1480).
//   - A test configured for a column type Evidently does not allow it on
//     (say ks on a categorical column) makes that column not computable
//     instead of failing the report.
//   - Categories are compared by their text. A current column that arrives
//     as numbers for a categorical reference column is turned into labels
//     with FormatNumber.
//   - empirical_mmd draws its permutations from NumPy's generator seeded
//     with 0 instead of an unseeded one, so it is reproducible; it is
//     limited to 4096 values in total because it is quadratic.
//   - Evidently's "text" columns and its special typing of columns named
//     target and prediction are not implemented: callers choose each
//     column's type.
package drift
