package io.beamline.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a report's JSON twin as one self-contained HTML page: inline CSS, inline SVG charts, no
 * script, font, image or link to fetch (a Content-Security-Policy forbids it besides). Every text
 * taken from the data is HTML-escaped. Each number a reader (or a test) looks up carries a {@code
 * data-field} attribute naming it, e.g. {@code data-field="totals.records_in"}.
 */
final class RunReportHtml {
  private static final String OK = "#1a7f37";
  private static final String BAD = "#cf222e";
  private static final String ETL = "#2f81f7";
  private static final String DLQ = "#e16f24";
  private static final String DUP = "#8c959f";

  private RunReportHtml() {}

  static String render(JsonNode r) {
    StringBuilder h = new StringBuilder(32_000);
    String runId = r.path("run_id").asText();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Beamline ").append(esc(r.path("command").asText())).append(" run ")
        .append(esc(runId)).append("</title><style>").append(CSS).append("</style></head><body>\n");
    header(h, r);
    totals(h, r);
    stages(h, r);
    deadLetters(h, r);
    quality(h, r.path("quality"));
    throughput(h, r.path("throughput"), r.path("duration_ms").asLong());
    lag(h, r);
    partitions(h, r.path("partitions"));
    h.append("<footer>Generated ").append(esc(r.path("generated_at").asText()))
        .append(" by Beamline. The same numbers for machines: <code>")
        .append(esc("run-" + runId)).append(r.path("kind").asText().equals("interval") ? "-at-….json" : ".json")
        .append("</code> beside this file.</footer>\n</body></html>\n");
    return h.toString();
  }

  // ---------------------------------------------------------------------------------- sections

  private static void header(StringBuilder h, JsonNode r) {
    boolean interval = r.path("kind").asText().equals("interval");
    h.append("<header><h1>Beamline <span data-field=\"command\">").append(esc(r.path("command").asText()))
        .append("</span> run <code data-field=\"run_id\">").append(esc(r.path("run_id").asText())).append("</code>")
        .append(interval ? " <span class=\"badge run\">running</span>" : "").append("</h1>");
    h.append("<p class=\"meta\">").append(esc(r.path("runner").asText("")))
        .append(" · started ").append(esc(r.path("started_at").asText()))
        .append(interval ? " · report at " + esc(r.path("generated_at").asText()) : " · finished " + esc(r.path("finished_at").asText()))
        .append(" · <span data-field=\"duration_ms\">").append(duration(r.path("duration_ms").asLong())).append("</span></p>");
    h.append("<p class=\"meta\">").append(esc(r.path("input_path").asText(""))).append(" → ")
        .append(esc(r.path("output_root").asText(""))).append("</p></header>\n");
  }

  private static void totals(StringBuilder h, JsonNode r) {
    JsonNode t = r.path("totals");
    long in = t.path("records_in").asLong();
    long etl = t.path("etl_records").asLong();
    long dlq = t.path("dead_letters").asLong();
    long dup = t.path("duplicates_dropped").asLong();
    boolean conserved = t.path("conserved").asBoolean();
    h.append("<section id=\"totals\"><h2>Totals</h2><div class=\"cards\">");
    card(h, "Records in", "totals.records_in", in, "#24292f");
    card(h, "ETL records", "totals.etl_records", etl, ETL);
    card(h, "Dead letters", "totals.dead_letters", dlq, DLQ);
    card(h, "Duplicates dropped", "totals.duplicates_dropped", dup, DUP);
    h.append("<div class=\"card\"><div class=\"label\">Conservation</div><div class=\"value\">")
        .append("<span class=\"badge ").append(conserved ? "pass" : "fail").append("\" data-field=\"totals.conserved\">")
        .append(conserved ? "PASS" : "FAIL").append("</span></div></div></div>");
    h.append("<p class=\"equation\">records in = etl + dead letters + duplicates dropped: ")
        .append(num(in)).append(conserved ? " = " : " ≠ ").append(num(etl)).append(" + ").append(num(dlq))
        .append(" + ").append(num(dup)).append("</p>");
    if (t.has("load_refused_rows")) {
      h.append("<p class=\"meta\">Rows the warehouse refused (in the etl zone, and dead letters of their own): ")
          .append("<span data-field=\"totals.load_refused_rows\">").append(num(t.get("load_refused_rows").asLong()))
          .append("</span></p>");
    }
    // One bar: where the records in went.
    int width = 880;
    double scale = Math.max(in, etl + dlq + dup) == 0 ? 0 : (double) width / Math.max(in, etl + dlq + dup);
    StringBuilder svg = new StringBuilder();
    double x = 0;
    for (Object[] part : new Object[][] {{"etl", etl, ETL}, {"dead letters", dlq, DLQ}, {"duplicates", dup, DUP}}) {
      double w = (long) part[1] * scale;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"22\" fill=\"%s\"><title>%s: %s</title></rect>",
          x, w, part[2], part[0], num((long) part[1])));
      x += w;
    }
    h.append("<svg class=\"chart\" role=\"img\" aria-label=\"where the records in went\" width=\"").append(width)
        .append("\" height=\"22\" viewBox=\"0 0 ").append(width).append(" 22\">").append(svg).append("</svg>")
        .append("<p class=\"legend\">").append(swatch(ETL, "etl")).append(swatch(DLQ, "dead letters"))
        .append(swatch(DUP, "duplicates dropped")).append("</p></section>\n");
  }

  private static void stages(StringBuilder h, JsonNode r) {
    h.append("<section id=\"stages\"><h2>Rows per stage and table</h2><div class=\"two\"><div>");
    h.append("<table><thead><tr><th>stage</th><th class=\"n\">passed on</th><th class=\"n\">dead letters</th>")
        .append("<th class=\"n\">duplicates</th></tr></thead><tbody>");
    List<Bar> bars = new ArrayList<>();
    for (JsonNode s : r.path("stages")) {
      String stage = s.path("stage").asText();
      String key = "stages." + stage;
      h.append("<tr><td>").append(esc(stage)).append("</td><td class=\"n\"");
      if (s.path("records_out").isNull()) {
        h.append(">–</td>");
      } else {
        h.append(" data-field=\"").append(esc(key)).append(".records_out\">").append(num(s.get("records_out").asLong())).append("</td>");
        bars.add(new Bar(stage, s.get("records_out").asLong(), ETL));
      }
      h.append("<td class=\"n\" data-field=\"").append(esc(key)).append(".dead_letters\">")
          .append(num(s.path("dead_letters").asLong())).append("</td><td class=\"n\">")
          .append(num(s.path("duplicates_dropped").asLong())).append("</td></tr>");
    }
    h.append("</tbody></table>").append(barChart("records passed on per stage", bars)).append("</div><div>");
    h.append("<table><thead><tr><th>etl table</th><th class=\"n\">rows</th></tr></thead><tbody>");
    List<Bar> tables = new ArrayList<>();
    r.path("etl_rows").fields().forEachRemaining(e -> {
      h.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"n\" data-field=\"etl_rows.")
          .append(esc(e.getKey())).append("\">").append(num(e.getValue().asLong())).append("</td></tr>");
      tables.add(new Bar(e.getKey(), e.getValue().asLong(), ETL));
    });
    if (tables.isEmpty()) {
      h.append("<tr><td colspan=\"2\" class=\"none\">no rows</td></tr>");
    }
    h.append("</tbody></table>").append(barChart("rows per etl table", tables)).append("</div></div></section>\n");
  }

  private static void deadLetters(StringBuilder h, JsonNode r) {
    h.append("<section id=\"dead-letters\"><h2>Dead letters by reason</h2>");
    List<Bar> bars = new ArrayList<>();
    for (JsonNode d : r.path("dead_letters")) {
      bars.add(new Bar(d.path("reason").asText(), d.path("count").asLong(), DLQ));
    }
    if (bars.isEmpty()) {
      h.append("<p class=\"none\">No dead letters.</p></section>\n");
      return;
    }
    h.append(barChart("dead letters by reason", bars));
    h.append("<p class=\"meta\">A few examples of each (");
    h.append("the record itself is never shown: payloads may be encrypted; long base64 tokens are replaced by ")
        .append(esc(DeadLetterExample.REDACTED)).append(").</p>");
    for (JsonNode d : r.path("dead_letters")) {
      String reason = d.path("reason").asText();
      h.append("<h3>").append(esc(reason)).append(" <span class=\"count\" data-field=\"dead_letters.")
          .append(esc(reason)).append(".count\">").append(num(d.path("count").asLong())).append("</span></h3>");
      if (d.path("examples").isEmpty()) {
        continue;
      }
      h.append("<table class=\"examples\"><thead><tr><th>stage</th><th>event_id</th><th>tenant / source / table</th>")
          .append("<th>detail</th></tr></thead><tbody>");
      for (JsonNode e : d.path("examples")) {
        h.append("<tr><td>").append(esc(e.path("stage").asText(""))).append("</td><td><code>")
            .append(esc(e.path("event_id").asText("–"))).append("</code></td><td>")
            .append(esc(String.join(" / ", e.path("tenant").asText("–"), e.path("source").asText("–"), e.path("table").asText("–"))))
            .append("</td><td class=\"detail\">").append(esc(e.path("detail").asText(""))).append("</td></tr>");
      }
      h.append("</tbody></table>");
    }
    h.append("</section>\n");
  }

  private static void quality(StringBuilder h, JsonNode q) {
    h.append("<section id=\"quality\"><h2>Data quality</h2>");
    if (q == null || q.isNull() || q.isMissingNode()) {
      h.append("<p class=\"none\">No quality audit for this run (no <code>audit/quality</code> file).</p></section>\n");
      return;
    }
    for (JsonNode f : q.path("unreadable")) {
      h.append("<p class=\"fail-text\">Unreadable quality file: <code>").append(esc(f.asText())).append("</code></p>");
    }
    if (q.path("window").isObject()) {
      h.append("<p class=\"meta\">Latest window ").append(esc(q.path("window").path("start").asText()))
          .append(" – ").append(esc(q.path("window").path("end").asText())).append("</p>");
    }
    for (JsonNode t : q.path("tables")) {
      String key = "quality." + t.path("source").asText() + "." + t.path("table").asText();
      h.append("<h3>").append(esc(t.path("source").asText() + "." + t.path("table").asText())).append(" ")
          .append(passBadge(t.path("passed"), key + ".passed"));
      if (t.path("quarantined").asBoolean(false)) {
        h.append(" <span class=\"badge fail\">quarantined</span>");
      }
      if (t.path("rows").isNumber()) {
        h.append(" <span class=\"count\">").append(num(t.get("rows").asLong())).append(" rows</span>");
      }
      h.append("</h3><p class=\"meta\">");
      List<String> scores = new ArrayList<>();
      t.path("scores").fields().forEachRemaining(e ->
          scores.add(esc(e.getKey()) + " <b data-field=\"" + esc(key + ".scores." + e.getKey()) + "\">" + percent(e.getValue()) + "</b>"));
      h.append(String.join(" · ", scores)).append("</p>");
      h.append("<table><thead><tr><th>column</th><th class=\"n\">completeness</th><th class=\"n\">validity</th>")
          .append("<th class=\"n\">uniqueness</th><th>result</th></tr></thead><tbody>");
      for (JsonNode c : t.path("columns")) {
        String ck = key + "." + c.path("column").asText();
        h.append("<tr><td>").append(esc(c.path("column").asText())).append("</td>");
        for (String s : List.of("completeness", "validity", "uniqueness")) {
          h.append("<td class=\"n\">").append(scoreBar(c.path(s)))
              .append("<span data-field=\"").append(esc(ck + "." + s)).append("\">").append(percent(c.path(s))).append("</span></td>");
        }
        h.append("<td>").append(passBadge(c.path("passed"), ck + ".passed")).append("</td></tr>");
      }
      h.append("</tbody></table>");
      if (!t.path("rules").isEmpty()) {
        h.append("<table class=\"rules\"><thead><tr><th>rule</th><th>type</th><th>column</th><th>severity</th>")
            .append("<th class=\"n\">observed</th><th class=\"n\">threshold</th><th class=\"n\">failing rows</th><th>result</th></tr></thead><tbody>");
        for (JsonNode rule : t.path("rules")) {
          h.append("<tr><td>").append(esc(rule.path("name").asText(""))).append("</td><td>")
              .append(esc(rule.path("type").asText(""))).append("</td><td>").append(esc(rule.path("column").asText("")))
              .append("</td><td>").append(esc(rule.path("severity").asText(""))).append("</td><td class=\"n\">")
              .append(plain(rule.path("observed"))).append("</td><td class=\"n\">").append(plain(rule.path("threshold")))
              .append("</td><td class=\"n\">").append(plain(rule.path("failing_rows"))).append("</td><td>")
              .append(passBadge(rule.path("passed"), key + ".rules." + rule.path("name").asText() + ".passed"))
              .append("</td></tr>");
        }
        h.append("</tbody></table>");
      }
    }
    h.append("</section>\n");
  }

  private static void throughput(StringBuilder h, JsonNode t, long durationMs) {
    h.append("<section id=\"throughput\"><h2>Throughput</h2><p class=\"meta\">Average <b data-field=\"throughput.records_per_second\">")
        .append(decimal(t.path("records_per_second").asDouble())).append("</b> records/s, peak ")
        .append(decimal(t.path("peak_records_per_second").asDouble()))
        .append(" records/s (committed counters sampled every ").append(num(t.path("sample_interval_ms").asLong()))
        .append(" ms).</p>");
    List<long[]> in = new ArrayList<>();
    List<long[]> dlq = new ArrayList<>();
    for (JsonNode s : t.path("samples")) {
      in.add(new long[] {s.path("elapsed_ms").asLong(), s.path("records_in").asLong()});
      dlq.add(new long[] {s.path("elapsed_ms").asLong(), s.path("dead_letters").asLong()});
    }
    h.append(lineChart(in, dlq, Math.max(durationMs, in.isEmpty() ? 0 : in.get(in.size() - 1)[0])))
        .append("<p class=\"legend\">").append(swatch(ETL, "records in (cumulative)"))
        .append(swatch(DLQ, "dead letters (cumulative)")).append("</p></section>\n");
  }

  private static void lag(StringBuilder h, JsonNode r) {
    h.append("<section id=\"lag\"><h2>Event-time lag</h2>");
    JsonNode l = r.path(RunReport.LAG);
    JsonNode et = r.path("event_time");
    h.append("<p class=\"meta\">Event times ").append(esc(et.path("min").asText("–"))).append(" … ")
        .append(esc(et.path("max").asText("–"))).append("</p>");
    if (!l.isObject()) {
      h.append("<p class=\"none\">No envelope was parsed: no lag to show.</p></section>\n");
      return;
    }
    long min = l.path("min").asLong();
    long mean = l.path("mean").asLong();
    long max = l.path("max").asLong();
    h.append("<p>Processing time minus <code>event_time</code> over <span data-field=\"event_time_lag_ms.count\">")
        .append(num(l.path("count").asLong())).append("</span> envelopes: min <b data-field=\"event_time_lag_ms.min\">")
        .append(num(min)).append("</b> ms (").append(duration(min)).append("), mean <b data-field=\"event_time_lag_ms.mean\">")
        .append(num(mean)).append("</b> ms (").append(duration(mean)).append("), max <b data-field=\"event_time_lag_ms.max\">")
        .append(num(max)).append("</b> ms (").append(duration(max)).append(").</p>");
    int width = 880;
    long lo = Math.min(0, min);
    double scale = max == lo ? 0 : (width - 20.0) / (max - lo);
    double x0 = 10 + (min - lo) * scale;
    double x1 = 10 + (max - lo) * scale;
    double xm = 10 + (mean - lo) * scale;
    h.append("<svg class=\"chart\" role=\"img\" aria-label=\"event-time lag range\" width=\"").append(width)
        .append("\" height=\"46\" viewBox=\"0 0 ").append(width).append(" 46\">")
        .append("<line x1=\"10\" y1=\"30\" x2=\"").append(width - 10).append("\" y2=\"30\" stroke=\"#d0d7de\"/>")
        .append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"22\" width=\"%.1f\" height=\"16\" fill=\"%s\" opacity=\"0.35\"/>", x0, Math.max(1, x1 - x0), ETL))
        .append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"18\" width=\"3\" height=\"24\" fill=\"%s\"><title>mean</title></rect>", xm - 1.5, ETL))
        .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"12\" text-anchor=\"start\">min %s</text>", x0, duration(min)))
        .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"12\" text-anchor=\"end\">max %s</text>", x1, duration(max)))
        .append("</svg></section>\n");
  }

  private static void partitions(StringBuilder h, JsonNode p) {
    h.append("<section id=\"partitions\"><h2>Partitions written</h2>");
    if (p.isEmpty()) {
      h.append("<p class=\"none\">No files written.</p></section>\n");
      return;
    }
    h.append("<table><thead><tr><th>zone</th><th class=\"n\">partitions</th><th class=\"n\">files</th>")
        .append("<th class=\"n\">bytes</th><th></th></tr></thead><tbody>");
    List<Bar> bars = new ArrayList<>();
    for (JsonNode z : p) {
      String zone = z.path("zone").asText();
      String key = "partitions." + zone;
      h.append("<tr><td>").append(esc(zone)).append("</td><td class=\"n\" data-field=\"").append(esc(key)).append(".partitions\">")
          .append(num(z.path("partitions").asLong())).append("</td><td class=\"n\" data-field=\"").append(esc(key))
          .append(".files\">").append(num(z.path("files").asLong())).append("</td><td class=\"n\" data-field=\"")
          .append(esc(key)).append(".bytes\">").append(num(z.path("bytes").asLong())).append("</td><td class=\"meta\">")
          .append(bytes(z.path("bytes").asLong())).append("</td></tr>");
      bars.add(new Bar(zone, z.path("files").asLong(), ETL));
    }
    h.append("</tbody></table>").append(barChart("files per zone", bars)).append("</section>\n");
  }

  // ---------------------------------------------------------------------------------- charts

  private record Bar(String label, long value, String color) {}

  /** Horizontal bars with their label left and value right. */
  private static String barChart(String title, List<Bar> bars) {
    if (bars.isEmpty()) {
      return "";
    }
    int width = 460;
    int labelWidth = 180;
    int valueWidth = 70;
    int row = 22;
    long max = bars.stream().mapToLong(Bar::value).max().orElse(0);
    double scale = max == 0 ? 0 : (double) (width - labelWidth - valueWidth) / max;
    StringBuilder s = new StringBuilder();
    s.append("<svg class=\"chart\" role=\"img\" aria-label=\"").append(esc(title)).append("\" width=\"").append(width)
        .append("\" height=\"").append(bars.size() * row + 4).append("\" viewBox=\"0 0 ").append(width).append(' ')
        .append(bars.size() * row + 4).append("\">");
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      int y = i * row + 2;
      double w = Math.max(b.value() > 0 ? 1 : 0, b.value() * scale);
      s.append("<text x=\"").append(labelWidth - 6).append("\" y=\"").append(y + 15).append("\" text-anchor=\"end\">")
          .append(esc(clip(b.label(), 26))).append("</text>")
          .append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" rx=\"2\" fill=\"%s\"/>",
              labelWidth, y + 2, w, b.color()))
          .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", labelWidth + w + 5, y + 15, num(b.value())));
    }
    return s.append("</svg>").toString();
  }

  /** Cumulative counts over elapsed time: two polylines on shared axes. */
  private static String lineChart(List<long[]> first, List<long[]> second, long spanMs) {
    int width = 880;
    int height = 220;
    int left = 70;
    int bottom = 30;
    int top = 10;
    int right = 20;
    long maxY = 1;
    for (long[] p : first) {
      maxY = Math.max(maxY, p[1]);
    }
    for (long[] p : second) {
      maxY = Math.max(maxY, p[1]);
    }
    long span = Math.max(1, spanMs);
    double sx = (double) (width - left - right) / span;
    double sy = (double) (height - top - bottom) / maxY;
    StringBuilder s = new StringBuilder();
    s.append("<svg class=\"chart\" role=\"img\" aria-label=\"records over time\" width=\"").append(width)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\">");
    for (int i = 0; i <= 4; i++) {
      double y = height - bottom - (height - top - bottom) * i / 4.0;
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eaeef2\"/>", left, y, width - right, y))
          .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 6, y + 4, num(Math.round(maxY * i / 4.0))));
      double x = left + (width - left - right) * i / 4.0;
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, height - 8, duration(Math.round(span * i / 4.0))));
    }
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8c959f\"/>", left, height - bottom, width - right, height - bottom));
    s.append(polyline(first, left, height - bottom, sx, sy, ETL)).append(polyline(second, left, height - bottom, sx, sy, DLQ));
    return s.append("</svg>").toString();
  }

  private static String polyline(List<long[]> points, int x0, int y0, double sx, double sy, String color) {
    StringBuilder p = new StringBuilder();
    for (long[] pt : points) {
      p.append(String.format(Locale.ROOT, "%.1f,%.1f ", x0 + pt[0] * sx, y0 - pt[1] * sy));
    }
    return "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\" points=\"" + p.toString().trim() + "\"/>";
  }

  // ---------------------------------------------------------------------------------- text

  private static void card(StringBuilder h, String label, String field, long value, String color) {
    h.append("<div class=\"card\"><div class=\"label\">").append(label).append("</div><div class=\"value\" style=\"color:")
        .append(color).append("\" data-field=\"").append(field).append("\">").append(num(value)).append("</div></div>");
  }

  private static String passBadge(JsonNode passed, String field) {
    if (!passed.isBoolean()) {
      return "<span class=\"badge\" data-field=\"" + esc(field) + "\">n/a</span>";
    }
    return "<span class=\"badge " + (passed.asBoolean() ? "pass" : "fail") + "\" data-field=\"" + esc(field) + "\">"
        + (passed.asBoolean() ? "pass" : "fail") + "</span>";
  }

  private static String swatch(String color, String label) {
    return "<span class=\"swatch\" style=\"background:" + color + "\"></span>" + esc(label) + " ";
  }

  private static String scoreBar(JsonNode score) {
    if (!score.isNumber()) {
      return "";
    }
    double v = Math.max(0, Math.min(1, score.asDouble()));
    return String.format(Locale.ROOT,
        "<svg class=\"score\" width=\"60\" height=\"8\" viewBox=\"0 0 60 8\"><rect width=\"60\" height=\"8\" fill=\"#eaeef2\"/>"
            + "<rect width=\"%.1f\" height=\"8\" fill=\"%s\"/></svg> ", 60 * v, v >= 0.99 ? OK : v >= 0.9 ? "#bf8700" : BAD);
  }

  /** A score in [0,1] as a percentage with one decimal ("99.8 %"); "–" when absent. */
  static String percent(JsonNode v) {
    return v.isNumber() ? String.format(Locale.ROOT, "%.1f %%", v.asDouble() * 100) : "–";
  }

  private static String plain(JsonNode v) {
    return v == null || v.isNull() || v.isMissingNode() ? "–" : esc(v.asText());
  }

  /** A count with thousands separators ("12,345"). */
  static String num(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String decimal(double d) {
    return String.format(Locale.ROOT, "%,.1f", d);
  }

  /** Milliseconds as a short human duration ("850 ms", "12.3 s", "4.5 min", "2.1 h", "3.0 d"). */
  static String duration(long ms) {
    long a = Math.abs(ms);
    String sign = ms < 0 ? "-" : "";
    if (a < 1000) {
      return sign + a + " ms";
    }
    if (a < 60_000) {
      return String.format(Locale.ROOT, "%s%.1f s", sign, a / 1000.0);
    }
    if (a < 3_600_000) {
      return String.format(Locale.ROOT, "%s%.1f min", sign, a / 60_000.0);
    }
    if (a < 86_400_000) {
      return String.format(Locale.ROOT, "%s%.1f h", sign, a / 3_600_000.0);
    }
    return String.format(Locale.ROOT, "%s%.1f d", sign, a / 86_400_000.0);
  }

  private static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  /** HTML-escapes text for element content and quoted attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static final String CSS =
      "*{box-sizing:border-box}body{margin:0 auto;max-width:960px;padding:24px;color:#24292f;background:#fff;"
          + "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif}"
          + "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px;padding-bottom:4px;border-bottom:1px solid #d0d7de}"
          + "h3{font-size:14px;margin:14px 0 6px}section{margin:22px 0}code{font:12px ui-monospace,'DejaVu Sans Mono',monospace}"
          + ".meta{color:#57606a;margin:2px 0}.none{color:#57606a;font-style:italic}"
          + ".cards{display:flex;gap:10px;flex-wrap:wrap}.card{flex:1;min-width:150px;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px}"
          + ".card .label{color:#57606a;font-size:12px}.card .value{font-size:24px;font-weight:600}"
          + ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#eaeef2;color:#57606a}"
          + ".badge.pass{background:#dafbe1;color:" + OK + "}.badge.fail{background:#ffebe9;color:" + BAD + "}"
          + ".badge.run{background:#ddf4ff;color:#0969da}.card .badge{font-size:18px;padding:2px 12px}"
          + ".equation{font-size:13px;color:#57606a}.fail-text{color:" + BAD + "}"
          + "table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{padding:3px 10px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}"
          + "th{color:#57606a;font-weight:600}td.n,th.n{text-align:right;white-space:nowrap}"
          + "table.examples{width:100%}td.detail{word-break:break-word}.count{color:#57606a;font-weight:400}"
          + ".two{display:flex;gap:24px;flex-wrap:wrap}.two>div{flex:1;min-width:380px}"
          + "svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}svg text{font-size:11px;fill:#57606a}"
          + "svg.score{vertical-align:middle}.legend{font-size:12px;color:#57606a}"
          + ".swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;border-radius:2px}"
          + "footer{margin-top:28px;color:#57606a;font-size:12px}";
}
