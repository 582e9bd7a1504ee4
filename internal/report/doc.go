// Package report renders a drift.Report as one self-contained HTML page:
// the dataset verdict and counters, then a row per column (type, test,
// threshold, score and its kind, verdict) with the reference and current
// distributions drawn side by side as inline SVG, drifted columns first.
//
// The page needs no network: no scripts, no web fonts, no external
// stylesheets. Its size depends on the number of columns, not rows (about
// 8 KB per column).
package report
