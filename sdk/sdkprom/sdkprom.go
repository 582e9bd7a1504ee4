package sdkprom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch/sdk"
)

// StatsSource is what the collector reads; *sdk.Client implements it.
type StatsSource interface {
	Stats() sdk.Stats
}

// Options configure a Collector. The zero value is usable.
type Options struct {
	// ConstLabels are added to every metric, for example to tell apart
	// several clients in one process.
	ConstLabels prometheus.Labels
}

// Collector is a prometheus.Collector of a client's counters:
//
//	modelwatch_sdk_queue_length{kind}            records queued or being sent
//	modelwatch_sdk_queue_capacity{kind}          Config.QueueSize
//	modelwatch_sdk_records_sent_total{kind}      records the server acknowledged
//	modelwatch_sdk_records_dropped_total{kind}   records Log dropped (queue full or client closed)
//	modelwatch_sdk_records_failed_total{kind}    records given up after queuing (4xx, invalid, retries exhausted, Close deadline)
//	modelwatch_sdk_requests_total                HTTP requests, retries included
//	modelwatch_sdk_retries_total                 HTTP requests that were retries
//
// kind is prediction, ground_truth or error.
type Collector struct {
	src                                      StatsSource
	queueLength, queueCapacity               *prometheus.Desc
	sent, dropped, failed, requests, retries *prometheus.Desc
}

// NewCollector returns a Collector of src's counters.
func NewCollector(src StatsSource, opts Options) *Collector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("modelwatch_sdk_"+name, help, labels, opts.ConstLabels)
	}
	return &Collector{
		src:           src,
		queueLength:   desc("queue_length", "Records waiting in the modelwatch client's queue or being sent, by kind.", "kind"),
		queueCapacity: desc("queue_capacity", "Size of the modelwatch client's queue (QueueSize), by kind.", "kind"),
		sent:          desc("records_sent_total", "Records the modelwatch server acknowledged, by kind.", "kind"),
		dropped:       desc("records_dropped_total", "Records the modelwatch client dropped without queuing them because its queue was full or it was closed, by kind.", "kind"),
		failed:        desc("records_failed_total", "Records the modelwatch client gave up after queuing them: rejected by the server, invalid, out of retries, or abandoned at Close, by kind.", "kind"),
		requests:      desc("requests_total", "HTTP requests the modelwatch client made, retries included."),
		retries:       desc("retries_total", "HTTP requests the modelwatch client made to retry a failed attempt."),
	}
}

// Register creates a Collector of src's counters and registers it on reg.
func Register(reg prometheus.Registerer, src StatsSource, opts Options) (*Collector, error) {
	c := NewCollector(src, opts)
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	return c, nil
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.queueLength, c.queueCapacity, c.sent, c.dropped, c.failed, c.requests, c.retries} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.Stats()
	for _, k := range []struct {
		kind   sdk.Kind
		counts sdk.Counts
	}{
		{sdk.KindPrediction, st.Predictions},
		{sdk.KindGroundTruth, st.GroundTruth},
		{sdk.KindError, st.Errors},
	} {
		kind := string(k.kind)
		ch <- prometheus.MustNewConstMetric(c.queueLength, prometheus.GaugeValue, float64(k.counts.Queued), kind)
		ch <- prometheus.MustNewConstMetric(c.queueCapacity, prometheus.GaugeValue, float64(k.counts.Capacity), kind)
		ch <- prometheus.MustNewConstMetric(c.sent, prometheus.CounterValue, float64(k.counts.Sent), kind)
		ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(k.counts.Dropped), kind)
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.CounterValue, float64(k.counts.Failed), kind)
	}
	ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(st.Requests))
	ch <- prometheus.MustNewConstMetric(c.retries, prometheus.CounterValue, float64(st.Retries))
}
