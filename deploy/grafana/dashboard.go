package grafana

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/piechart"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

const (
	// UID is the dashboard's stable identifier: links and provisioning
	// refer to it.
	UID = "modelwatch-ml-models"
	// Title is the dashboard's title.
	Title = "ML Model Monitoring"
	// SchemaVersion is the dashboard JSON schema version written: the one
	// Grafana 10.4 writes. The dashboard uses nothing newer, Grafana 11 and
	// 12 migrate it forward when they load it, and older 10.x releases read
	// it as is.
	SchemaVersion = 39
)

// Selector of the model_name and model_version template variables, and the
// legend naming a series by model version.
const (
	sel         = `model_name=~"$model_name", model_version=~"$model_version"`
	legendModel = "{{model_name}} v{{model_version}}"
)

// ds is the data source of every query: the dashboard's datasource
// variable, so that the dashboard imports into any Grafana.
var ds = common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}

// Dashboard builds the dashboard.
//
//nolint:staticcheck // dashboard v1 JSON, which Grafana 10 and 11 import; v2 needs Grafana 12
func Dashboard() (dashboard.Dashboard, error) {
	b := dashboard.NewDashboardBuilder(Title).
		Uid(UID).
		Description("Models watched by modelwatch: sliding-window performance, latency per stage, data and concept drift, traffic and errors. Metrics and recording rules: deploy/prometheus/alerts/ml_model_alerts.yml; alerts: docs/observability.md.").
		Tags([]string{"modelwatch", "machine-learning"}).
		Editable().
		Refresh("30s").
		Time("now-6h", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").
			Label("Data source").
			Type("prometheus")).
		WithVariable(modelVariable("model_name", "Model",
			"label_values(model_window_labelled_predictions, model_name)")).
		WithVariable(modelVariable("model_version", "Version",
			`label_values(model_window_labelled_predictions{model_name=~"$model_name"}, model_version)`)).
		Annotation(dashboard.NewAnnotationQueryBuilder().
			Name("Firing alerts").
			Datasource(ds).
			Enable(true).
			IconColor("red").
			Expr(`ALERTS{alertstate="firing", ` + sel + `}`).
			TitleFormat("{{alertname}}").
			TextFormat("{{model_name}} v{{model_version}}: {{severity}}").
			TagKeys("severity").
			Step("60s"))

	for _, r := range rows() {
		b.WithRow(dashboard.NewRowBuilder(r.title))
		for _, p := range r.panels {
			b.WithPanel(p)
		}
	}
	d, err := b.Build()
	if err != nil {
		return dashboard.Dashboard{}, fmt.Errorf("build dashboard: %w", err)
	}
	d.SchemaVersion = SchemaVersion
	// Panel ids are unique and stable, in layout order.
	for i := range d.Panels {
		id := uint32(i + 1)
		if p := d.Panels[i].Panel; p != nil {
			p.Id = &id
		}
		if r := d.Panels[i].RowPanel; r != nil {
			r.Id = id
		}
	}
	// Show the alert annotation's toggle above the panels, as Grafana 10
	// does for every annotation.
	for i := range d.Annotations.List {
		d.Annotations.List[i].Placement = nil
	}
	return d, nil
}

// JSON returns the dashboard as committed in
// dashboards/ml_model_monitoring.json: indented, ending in a newline.
func JSON() ([]byte, error) {
	d, err := Dashboard()
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal dashboard: %w", err)
	}
	return append(out, '\n'), nil
}

// row is a titled row of panels.
type row struct {
	title  string
	panels []cog.Builder[dashboard.Panel]
}

// rows lays out the dashboard. Each panel says its width; a row wraps at 24.
// To add panels (for example the label-free performance estimates), add them
// here and regenerate the JSON.
func rows() []row {
	return []row{
		{"Overview", overview()},
		{"Performance (sliding window of the last 1000 labelled predictions)", performance()},
		{"Latency", latency()},
		{"Drift", drift()},
		{"Traffic and errors", traffic()},
		{"modelwatch", monitor()},
	}
}

func overview() []cog.Builder[dashboard.Panel] {
	return []cog.Builder[dashboard.Panel]{
		statPanel("Accuracy", "Current sliding-window accuracy. Critical below 0.80 (ModelAccuracyDrop), warning below 0.85 (ModelAccuracyWarning).",
			"percentunit", steps("red", at(0.80, "yellow"), at(0.85, "green")),
			query(`min by (model_name, model_version) (model_accuracy{`+sel+`})`, legendModel)),
		statPanel("p95 inference latency", "Warning above 1 s (HighInferenceLatencyP95).",
			"s", steps("green", at(1, "red")),
			query(`model:model_inference_duration_seconds:quantile_rate5m{`+sel+`, quantile="0.95"}`, legendModel)),
		statPanel("Predictions / s", "Successful predictions per second over 5 minutes. Warning below 0.1/s (LowPredictionVolume).",
			"reqps", steps("red", at(0.1, "green")),
			query(`model:model_predictions:rate5m{`+sel+`}`, legendModel)),
		statPanel("Error rate", "Failed calls / all calls over 5 minutes. Critical above 2% (HighModelErrorRate).",
			"percentunit", steps("green", at(0.01, "yellow"), at(0.02, "red")),
			query(`model:model_prediction_errors:ratio_rate5m{`+sel+`}`, legendModel)),
		flagPanel("Data drift", "Result of the last scheduled data-drift check (weekly by default).",
			query(`max by (model_name, model_version) (model_data_drift_detected{`+sel+`})`, legendModel)),
		flagPanel("Concept drift", "Result of the last scheduled concept-drift check (daily by default): accuracy more than 0.05 below the baseline.",
			query(`max by (model_name, model_version) (model_concept_drift_detected{`+sel+`})`, legendModel)),
	}
}

func performance() []cog.Builder[dashboard.Panel] {
	return []cog.Builder[dashboard.Panel]{
		timeseriesPanel("Model Accuracy", "Accuracy over the sliding window of the last 1000 labelled predictions; published once 100 labels are in the window. Red below 0.80 (critical alert after 10 minutes), yellow below 0.85 (warning after 30 minutes).",
			"percentunit", 12,
			query(`min by (model_name, model_version) (model_accuracy{`+sel+`})`, legendModel)).
			Min(0).Max(1).
			Thresholds(steps("red", at(0.80, "yellow"), at(0.85, "green"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLineAndArea)),
		timeseriesPanel("Model Performance Metrics", "Accuracy, and precision, recall and F1 as support-weighted averages over the classes (scikit-learn average='weighted'). Precision, recall and F1 alert below 0.75.",
			"percentunit", 12,
			query(`min by (model_name, model_version) (model_accuracy{`+sel+`})`, legendModel+" accuracy"),
			query(`min by (model_name, model_version) (model_precision{`+sel+`})`, legendModel+" precision"),
			query(`min by (model_name, model_version) (model_recall{`+sel+`})`, legendModel+" recall"),
			query(`min by (model_name, model_version) (model_f1_score{`+sel+`})`, legendModel+" F1")).
			Min(0).Max(1).
			Thresholds(steps("red", at(0.75, "transparent"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed)),
		timeseriesPanel("Labelled predictions in window", "Labelled predictions in the sliding window (at most 1000). Below 100 the performance metrics are not published (GroundTruthCoverageLow).",
			"short", 12,
			query(`max by (model_name, model_version) (model_window_labelled_predictions{`+sel+`})`, legendModel)).
			Min(0).
			Thresholds(steps("red", at(100, "transparent"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed)),
		timeseriesPanel("Ground-truth coverage", "Ground-truth labels received per prediction made, over the last hour. Above 100% while a backlog of late labels arrives; 0 while no labels arrive (GroundTruthStale after 24 hours).",
			"percentunit", 12,
			query(`model:model_ground_truth_coverage:ratio_rate1h{`+sel+`}`, legendModel)).
			Min(0),
	}
}

func latency() []cog.Builder[dashboard.Panel] {
	q := func(stage, quantile, legend string) *prometheus.DataqueryBuilder {
		return query(`model:model_`+stage+`_duration_seconds:quantile_rate5m{`+sel+`, quantile="`+quantile+`"}`, legendModel+" "+legend)
	}
	mean := func(stage string) *prometheus.DataqueryBuilder {
		return query(`model:model_`+stage+`_duration_seconds:mean_rate5m{`+sel+`}`, legendModel+" "+stage)
	}
	return []cog.Builder[dashboard.Panel]{
		timeseriesPanel("Inference Latency Percentiles", "Inference latency quantiles over 5 minutes, from the per-version sum of bucket rates. Alerts: p50 above 200 ms and p95 above 1 s (warning), p99 above 5 s (high).",
			"s", 8,
			q("inference", "0.5", "p50"),
			q("inference", "0.95", "p95"),
			q("inference", "0.99", "p99")).
			Min(0),
		timeseriesPanel("Latency by stage (p95)", "95th percentile of each stage over 5 minutes: pre-processing, inference, post-processing.",
			"s", 8,
			q("preprocessing", "0.95", "preprocessing"),
			q("inference", "0.95", "inference"),
			q("postprocessing", "0.95", "postprocessing")).
			Min(0),
		timeseriesPanel("Mean latency by stage", "Mean time per prediction in each stage over 5 minutes, stacked: the top of the stack is the mean total.",
			"s", 8,
			mean("preprocessing"),
			mean("inference"),
			mean("postprocessing")).
			Min(0).
			FillOpacity(40).
			Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal).Group("A")),
	}
}

func drift() []cog.Builder[dashboard.Panel] {
	return []cog.Builder[dashboard.Panel]{
		timeseriesPanel("Data Drift Status", "From the last scheduled data-drift check: drift detected (0 or 1; DataDriftDetected after 1 hour) and the share of drifted columns (HighDriftedColumnsRatio above 20% after 1 hour).",
			"short", 8,
			query(`max by (model_name, model_version) (model_data_drift_detected{`+sel+`})`, legendModel+" drift detected (0/1)"),
			query(`max by (model_name, model_version) (model_drifted_columns_ratio{`+sel+`})`, legendModel+" drifted columns ratio")).
			Min(0).Max(1).
			Thresholds(steps("transparent", at(0.2, "red"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed)),
		timeseriesPanel("Concept Drift (Accuracy Drop %)", "Relative accuracy drop against the version's baseline, (baseline - current) / baseline in percent, from the last scheduled concept-drift check. Yellow from 5%, red from 10%.",
			"percent", 8,
			query(`max by (model_name, model_version) (model_accuracy_drop_percent{`+sel+`})`, legendModel)).
			Min(0).
			Thresholds(steps("green", at(5, "yellow"), at(10, "red"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLineAndArea)),
		timeseriesPanel("Streaming concept-drift events", "Drift signalled by the streaming detectors (ADWIN, DDM, ...) on the error stream of the labelled predictions, per detector.",
			"short", 8,
			query(`sum by (model_name, model_version, detector) (increase(model_concept_drift_events_total{`+sel+`}[$__rate_interval]))`, legendModel+" {{detector}}")).
			Min(0).
			DrawStyle(common.GraphDrawStyleBars).
			FillOpacity(80),
		featureDriftTable(),
		timeseriesPanel("Time since last drift check", "Age of the last completed scheduled check per kind. DriftCheckOverdue fires past 7 days + 3 hours (data, weekly) or 1 day + 3 hours (concept, daily).",
			"s", 8,
			query(`time() - max by (model_name, model_version, kind) (model_drift_check_last_run_timestamp_seconds{`+sel+`})`, legendModel+" {{kind}}")).
			Min(0),
	}
}

func traffic() []cog.Builder[dashboard.Panel] {
	return []cog.Builder[dashboard.Panel]{
		timeseriesPanel("Prediction Volume", "Successful predictions and failed calls per second over 5 minutes, all classes and error types together. LowPredictionVolume fires below 0.1 predictions/s when the whole model is below it too.",
			"reqps", 6,
			query(`model:model_predictions:rate5m{`+sel+`}`, legendModel+" predictions"),
			query(`model:model_prediction_errors:rate5m{`+sel+`}`, legendModel+" failed calls")).
			Min(0),
		timeseriesPanel("Error Rate", "Failed calls / all calls (failed + successful predictions) over 5 minutes. Yellow from 1%, red from 2% (HighModelErrorRate after 10 minutes).",
			"percentunit", 6,
			query(`model:model_prediction_errors:ratio_rate5m{`+sel+`}`, legendModel)).
			Min(0).
			Thresholds(steps("green", at(0.01, "yellow"), at(0.02, "red"))).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLineAndArea)),
		timeseriesPanel("Errors by type", "Failed calls per second, by error type (at most 100 types per version, the rest as __other__).",
			"reqps", 6,
			query(`sum by (error_type) (rate(model_prediction_errors_total{`+sel+`}[$__rate_interval]))`, "{{error_type}}")).
			Min(0),
		piechart.NewPanelBuilder().
			Title("Prediction Class Distribution").
			Description("Predictions per predicted class over the selected time range (at most 100 classes per version, the rest as __other__).").
			Datasource(ds).
			Span(6).Height(8).
			Unit("short").
			PieType(piechart.PieChartTypeDonut).
			Orientation(common.VizOrientationAuto).
			Tooltip(common.NewVizTooltipOptionsBuilder().
				Mode(common.TooltipDisplayModeSingle).
				Sort(common.SortOrderNone)).
			ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)).
			Legend(piechart.NewPieChartLegendOptionsBuilder().
				ShowLegend(true).
				DisplayMode(common.LegendDisplayModeTable).
				Placement(common.LegendPlacementRight).
				Values([]piechart.PieChartLegendValues{piechart.PieChartLegendValuesValue, piechart.PieChartLegendValuesPercent})).
			WithTarget(query(`sum by (predicted_class) (increase(model_predictions_total{`+sel+`}[$__range]))`, "Class {{predicted_class}}").
				Instant().
				RefId("A")),
	}
}

func monitor() []cog.Builder[dashboard.Panel] {
	return []cog.Builder[dashboard.Panel]{
		statPanel("modelwatch targets up", "Scrape targets of job \"modelwatch\" that are up. ModelwatchDown fires when one is down for 5 minutes, ModelwatchMissing when there is none for 15 minutes.",
			"short", steps("red", at(1, "green")),
			query(`sum(up{job="modelwatch"})`, "up")).
			Span(6),
		timeseriesPanel("modelwatch HTTP requests", "Requests served by modelwatch per second, by status code.",
			"reqps", 18,
			query(`sum by (code) (rate(modelwatch_http_requests_total{job="modelwatch"}[$__rate_interval]))`, "{{code}}")).
			Min(0),
	}
}

// featureDriftTable lists the per-feature scores of the last data-drift
// check.
func featureDriftTable() *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title("Feature drift scores").
		Description("Per-feature score of the last data-drift check and the statistical test that produced it. For p-value tests (ks, chisquare, z) drift is a small score; for distances (wasserstein, jensenshannon, psi, kl_div, hellinger) a large one.").
		Datasource(ds).
		Span(16).Height(8).
		Decimals(4).
		WithTarget(query(`max by (model_name, model_version, feature, stattest) (model_feature_drift_score{`+sel+`})`, "").
			Format(prometheus.PromQueryFormatTable).
			Instant().
			RefId("A")).
		WithTransformation(dashboard.DataTransformerConfig{
			Id: "organize",
			Options: map[string]any{
				"excludeByName": map[string]any{"Time": true},
				"renameByName":  map[string]any{"Value": "score"},
			},
		}).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"})).
		SortBy([]cog.Builder[common.TableSortByFieldState]{
			common.NewTableSortByFieldStateBuilder().DisplayName("feature"),
		})
}

// modelVariable is a multi-value template variable over the label name of
// model_window_labelled_predictions, a series every model version has.
func modelVariable(name, label, q string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(ds).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{
			Selected: cog.ToPtr(true),
			Text:     dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
			Value:    dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
		})
}

// query is a Prometheus query on the dashboard's data source.
func query(expr, legend string) *prometheus.DataqueryBuilder {
	q := prometheus.NewDataqueryBuilder().
		Datasource(ds).
		Expr(expr).
		Range()
	if legend != "" {
		q.LegendFormat(legend)
	}
	return q
}

// timeseriesPanel is a time-series panel of the given width with one query
// per series group, lettered A, B, C, ...
func timeseriesPanel(title, description, unit string, width uint32, qs ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(ds).
		Span(width).Height(8).
		Unit(unit).
		LineWidth(1).
		FillOpacity(10).
		ShowPoints(common.VisibilityModeNever).
		Legend(common.NewVizLegendOptionsBuilder().
			ShowLegend(true).
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom)).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending))
	for i, q := range qs {
		p.WithTarget(q.RefId(string(rune('A' + i))))
	}
	return p
}

// statPanel shows the last value of one query per model version, coloured
// by thresholds.
func statPanel(title, description, unit string, thresholds *dashboard.ThresholdsConfigBuilder, q *prometheus.DataqueryBuilder) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(ds).
		Span(4).Height(4).
		Unit(unit).
		Thresholds(thresholds).
		ColorMode(common.BigValueColorModeValue).
		GraphMode(common.BigValueGraphModeArea).
		TextMode(common.BigValueTextModeValueAndName).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)).
		WithTarget(q.RefId("A"))
}

// flagPanel is a stat panel for a 0/1 drift gauge: "OK" in green or
// "Drift" in red.
func flagPanel(title, description string, q *prometheus.DataqueryBuilder) *stat.PanelBuilder {
	return statPanel(title, description, "none", steps("green", at(1, "red")), q).
		GraphMode(common.BigValueGraphModeNone).
		ColorMode(common.BigValueColorModeBackground).
		Mappings([]dashboard.ValueMapping{{
			ValueMap: &dashboard.ValueMap{
				Type: dashboard.MappingTypeValueToText,
				Options: map[string]dashboard.ValueMappingResult{
					"0": {Text: cog.ToPtr("OK"), Color: cog.ToPtr("green"), Index: cog.ToPtr[int32](0)},
					"1": {Text: cog.ToPtr("Drift"), Color: cog.ToPtr("red"), Index: cog.ToPtr[int32](1)},
				},
			},
		}})
}

// step is a threshold: from value on, the colour.
type step struct {
	value float64
	color string
}

// at is the threshold step of color from value on.
func at(value float64, color string) step { return step{value, color} }

// steps builds absolute thresholds: base below the first step, then each
// step's colour from its value on. steps("red", at(0.8, "green")) is red
// below 0.8 and green from 0.8.
func steps(base string, from ...step) *dashboard.ThresholdsConfigBuilder {
	s := []dashboard.Threshold{{Color: base}}
	for _, f := range from {
		s = append(s, dashboard.Threshold{Value: cog.ToPtr(f.value), Color: f.color})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(s)
}
