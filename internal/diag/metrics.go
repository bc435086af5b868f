package diag

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/diag/ui"
)

// Metrics are diagd's Prometheus metrics, in a registry of their own
// (with the Go runtime's and the process's: heap and RSS are what an
// operator watches across reconfigurations).
type Metrics struct {
	registry       *prometheus.Registry
	reconfigs      *prometheus.CounterVec
	duration       prometheus.Histogram
	resources      *prometheus.GaugeVec
	resourceErrors *prometheus.GaugeVec
	lastSuccess    prometheus.Gauge
}

// NewMetrics registers diagd's metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		reconfigs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "diagd_reconfigurations_total",
			Help: "Reconfigurations attempted, by result (ok, failed).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "diagd_reconfiguration_duration_seconds",
			Help:    "Time from snapshot to configuration written (or refused).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}),
		resources: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "diagd_resources",
			Help: "Resources in the configuration in force, by kind.",
		}, []string{"kind"}),
		resourceErrors: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "diagd_resource_errors",
			Help: "Resource errors in the configuration in force, by kind of resource.",
		}, []string{"kind"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "diagd_last_successful_reconfiguration_timestamp_seconds",
			Help: "When the configuration in force was written (Unix time).",
		}),
	}
	m.reconfigs.WithLabelValues("ok")
	m.reconfigs.WithLabelValues("failed")
	m.registry.MustRegister(m.reconfigs, m.duration, m.resources, m.resourceErrors, m.lastSuccess,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

func (m *Metrics) succeeded(a *ui.Attempt, x *ir.IR) {
	m.reconfigs.WithLabelValues("ok").Inc()
	m.duration.Observe(a.DurationMs / 1000)
	m.lastSuccess.Set(float64(a.Started.UnixMilli()) / 1000)
	// Kinds that are gone must not keep their old counts.
	m.resources.Reset()
	m.resourceErrors.Reset()
	for _, s := range x.Sources {
		m.resources.WithLabelValues(s.Kind).Inc()
	}
	for key, errs := range x.Diagnostics.Errors {
		kind := ir.GlobalKey
		if s, ok := x.Sources[key]; ok {
			kind = s.Kind
		}
		m.resourceErrors.WithLabelValues(kind).Add(float64(len(errs)))
	}
}

func (m *Metrics) failed(a *ui.Attempt) {
	m.reconfigs.WithLabelValues("failed").Inc()
	m.duration.Observe(a.DurationMs / 1000)
}
