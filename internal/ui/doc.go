// Package ui is modelwatch's built-in web UI: server-rendered HTML pages
// that show every model version's health without Grafana.
//
// Two pages:
//
//   - the models overview at / lists every model version with its volume,
//     sliding-window accuracy and F1, p95 latency, ground-truth coverage,
//     data-drift and concept-drift verdicts and firing alerts, the unhealthy
//     ones first;
//   - the model version page at /ui/models/{name}/versions/{version} draws,
//     over a selectable range from one hour to 90 days, prediction volume,
//     accuracy, precision, recall and F1 from the stored confusion counts,
//     latency percentiles per stage, ground-truth coverage, confidence and
//     the class distribution, with the baseline and the alert thresholds on
//     the charts; it lists the drift runs with links to their HTML reports,
//     the streaming detectors' events and the low-confidence review queue.
//
// Time series come from the store's rollups (store.Store.Series), so a page
// reads at most a few hundred rollup rows whatever the traffic. Charts are
// inline SVG computed in Go and rendered by html/template: the pages need
// no JavaScript, no build step and no network (one embedded stylesheet),
// and their HTML is deterministic, which the golden tests rely on.
//
// UI is a plain http.Handler, so authentication middleware can wrap it.
package ui
