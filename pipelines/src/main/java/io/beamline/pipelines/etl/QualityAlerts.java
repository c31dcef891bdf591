package io.beamline.pipelines.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.AlertWebhook;
import io.beamline.options.QualityOptions;
import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.Json;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts of a run: circuit-breaker trips, freshness SLA and error-rate breaches, each one
 * JSON document {@code {pipeline, runId, source, table, kind, rule, metric, observed, threshold,
 * window, at}} that is logged, counted ({@code alerts.<kind>}) and POSTed to the webhook when one
 * is configured. Checked before the pipeline starts; serializable, so a stream raises alerts on
 * its workers.
 */
final class QualityAlerts implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(QualityAlerts.class);

  static final String CIRCUIT_BREAKER = "circuit_breaker";
  static final String FRESHNESS_SLA = "freshness_sla";
  static final String ERROR_RATE = "error_rate";

  private final String pipeline;
  private final String runId;
  private final long freshnessSlaSeconds;
  private final double maxErrorRate;
  private final AlertWebhook webhook;

  private QualityAlerts(String pipeline, String runId, long freshnessSlaSeconds, double maxErrorRate, AlertWebhook webhook) {
    this.pipeline = pipeline;
    this.runId = runId;
    this.freshnessSlaSeconds = freshnessSlaSeconds;
    this.maxErrorRate = maxErrorRate;
    this.webhook = webhook;
  }

  /**
   * The alerts of the options, checked: throws {@link IllegalArgumentException} naming the option
   * at a bad value or an unreadable token file.
   */
  static QualityAlerts of(String pipeline, String runId, PipelineOptions options) {
    QualityOptions o = options.as(QualityOptions.class);
    if (o.getFreshnessSlaSeconds() < 0) {
      throw new IllegalArgumentException("--freshnessSlaSeconds must not be negative (0: no SLA)");
    }
    if (!(o.getMaxErrorRate() >= 0 && o.getMaxErrorRate() <= 1)) {
      throw new IllegalArgumentException("--maxErrorRate must be from 0 to 1 (1: never alerts)");
    }
    AlertWebhook webhook = null;
    if (!o.getAlertWebhookUrl().isBlank()) {
      webhook = AlertWebhook.to(o.getAlertWebhookUrl(), o.getAlertWebhookTokenFile());
    } else if (!o.getAlertWebhookTokenFile().isBlank()) {
      throw new IllegalArgumentException("--alertWebhookTokenFile needs --alertWebhookUrl");
    }
    return new QualityAlerts(pipeline, runId, o.getFreshnessSlaSeconds(), o.getMaxErrorRate(), webhook);
  }

  /** The same, POSTing through another webhook (tests: short backoffs). */
  QualityAlerts withWebhook(AlertWebhook other) {
    return new QualityAlerts(pipeline, runId, freshnessSlaSeconds, maxErrorRate, other);
  }

  /**
   * Alerts of a quality audit document: one per failed critical rule of a quarantined table, and
   * one per table whose newest event is older than the freshness SLA at {@code reference} (a
   * batch run's start, a stream pane's evaluation). {@code at}: when the alerts are raised.
   */
  List<ObjectNode> ofQuality(JsonNode document, Instant reference, Instant at) {
    List<ObjectNode> alerts = new ArrayList<>();
    JsonNode window = document.path("window");
    for (JsonNode t : document.path("tables")) {
      if (t.path("quarantined").asBoolean()) {
        for (JsonNode r : t.path("rules")) {
          if (!r.path("passed").asBoolean(true) && "critical".equals(r.path("severity").asText())) {
            alerts.add(
                alert(t.path("source").asText(), t.path("table").asText(), CIRCUIT_BREAKER, r.path("name").asText(),
                    r.path("type").asText(), r.get("observed"), r.get("threshold"), window, at));
          }
        }
      }
      String newest = t.path("newestEventTime").asText(null);
      if (freshnessSlaSeconds > 0 && newest != null) {
        long lag = Math.max(0, (reference.toEpochMilli() - Instant.parse(newest).toEpochMilli()) / 1000);
        if (lag > freshnessSlaSeconds) {
          alerts.add(
              alert(t.path("source").asText(), t.path("table").asText(), FRESHNESS_SLA, null, "freshness_seconds",
                  Json.MAPPER.getNodeFactory().numberNode(lag),
                  Json.MAPPER.getNodeFactory().numberNode(freshnessSlaSeconds), window, at));
        }
      }
    }
    return alerts;
  }

  /** The error-rate alert of a run or window, when dead letters / records in exceeds the bound. */
  List<ObjectNode> ofErrorRate(long recordsIn, long deadLetters, JsonNode window, Instant at) {
    if (recordsIn == 0 || maxErrorRate >= 1) {
      return List.of();
    }
    double rate = (double) deadLetters / recordsIn;
    if (rate <= maxErrorRate) {
      return List.of();
    }
    return List.of(
        alert(null, null, ERROR_RATE, null, "error_rate", Json.MAPPER.getNodeFactory().numberNode(rate),
            Json.MAPPER.getNodeFactory().numberNode(maxErrorRate), window, at));
  }

  private ObjectNode alert(
      String source, String table, String kind, String rule, String metric, JsonNode observed, JsonNode threshold,
      JsonNode window, Instant at) {
    ObjectNode a = Json.MAPPER.createObjectNode();
    a.put("pipeline", pipeline);
    a.put("runId", runId);
    a.put("source", source);
    a.put("table", table);
    a.put("kind", kind);
    a.put("rule", rule);
    a.put("metric", metric);
    a.set("observed", observed);
    a.set("threshold", threshold);
    a.set("window", window == null || window.isMissingNode() ? Json.MAPPER.nullNode() : window);
    a.put("at", at.toString());
    return a;
  }

  /** Logs, counts and sends one alert; a webhook that fails is logged, never thrown. */
  void raise(ObjectNode alert) {
    String json = alert.toString();
    LOG.warn("ALERT {}", json);
    Metrics.counter(DeadLetters.METRICS_NAMESPACE, "alerts." + alert.path("kind").asText()).inc();
    if (webhook != null) {
      webhook.send(json);
    }
  }

  /** Raises the alerts of each quality audit document of a stream's window panes. */
  static final class RaiseForQualityFn extends DoFn<String, Void> {
    private final QualityAlerts alerts;

    RaiseForQualityFn(QualityAlerts alerts) {
      this.alerts = alerts;
    }

    @ProcessElement
    public void process(@Element String document) throws java.io.IOException {
      JsonNode doc = Json.MAPPER.readTree(document);
      Instant evaluated = Instant.parse(doc.path("evaluatedAt").asText());
      alerts.ofQuality(doc, evaluated, Instant.now()).forEach(alerts::raise);
    }
  }

  /** Raises the error-rate alert of each window audit record of a stream (its latest counts). */
  static final class RaiseForErrorRateFn extends DoFn<KV<String, String>, Void> {
    private final QualityAlerts alerts;

    RaiseForErrorRateFn(QualityAlerts alerts) {
      this.alerts = alerts;
    }

    @ProcessElement
    public void process(@Element KV<String, String> record) throws java.io.IOException {
      JsonNode r = Json.MAPPER.readTree(record.getValue());
      ObjectNode window = Json.MAPPER.createObjectNode();
      window.put("start", r.path("window_start").asText());
      window.put("end", r.path("window_end").asText());
      alerts
          .ofErrorRate(r.path("records_in").asLong(), r.path("dead_letters_total").asLong(), window, Instant.now())
          .forEach(alerts::raise);
    }
  }
}
