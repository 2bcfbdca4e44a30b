package io.github.fran4j.examples.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The server's metrics, kept with the Prometheus Java client in a registry of their own (so that
 * several servers in one JVM do not collide) and written in the Prometheus text format.
 * Thread-safe.
 */
final class ServeMetrics {
  /** Latency buckets in seconds: a small CPU model answers in milliseconds, a big one in seconds. */
  private static final double[] BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Counter.builder().name("fran_http_requests_total")
      .help("HTTP requests by endpoint and status code").labelNames("endpoint", "status")
      .register(registry);
  private final Counter errors = Counter.builder().name("fran_http_errors_total")
      .help("Error responses by kind (bad_request, too_large, overloaded, no_face, internal, "
          + "not_found)").labelNames("kind").register(registry);
  private final Histogram latency = Histogram.builder().name("fran_http_request_duration_seconds")
      .help("Time from request to response, including queueing").labelNames("endpoint")
      .classicOnly().classicUpperBounds(BUCKETS).register(registry);
  private final Histogram modelTime = Histogram.builder().name("fran_model_duration_seconds")
      .help("Time in the model (ReAger.reage or sweep)").labelNames("operation")
      .classicOnly().classicUpperBounds(BUCKETS).register(registry);

  ServeMetrics(Admission admission) {
    GaugeWithCallback.builder().name("fran_queue_depth")
        .help("Requests waiting for a model slot").callback(cb -> cb.call(admission.queued()))
        .register(registry);
    GaugeWithCallback.builder().name("fran_requests_in_flight")
        .help("Requests holding a model slot").callback(cb -> cb.call(admission.inFlight()))
        .register(registry);
  }

  void request(String endpoint, int status, long nanos) {
    requests.labelValues(endpoint, Integer.toString(status)).inc();
    latency.labelValues(endpoint).observe(nanos / 1e9);
  }

  void error(String kind) {
    errors.labelValues(kind).inc();
  }

  void model(String operation, long nanos) {
    modelTime.labelValues(operation).observe(nanos / 1e9);
  }

  /** Returns the content type of {@link #scrape()}. */
  String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  /** Returns all metrics in the Prometheus text format. */
  byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toByteArray();
  }
}
