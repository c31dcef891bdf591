package io.beamline.benchmarks.harness;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG bar chart of events/s per contender, one group of bars per input size,
 * so that the results page shows the gaps at a glance (no plotting library needed).
 */
final class ThroughputChart {
  private static final int ROW = 18;
  private static final int LABEL_WIDTH = 330;
  private static final int BAR_WIDTH = 420;
  private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"};

  private ThroughputChart() {}

  static String svg(ResultsTable table) {
    List<Measurement> ms = table.measurements();
    double max = ms.stream().filter(Measurement::correct).mapToDouble(Measurement::eventsPerSecond).max().orElse(1);
    List<Integer> sizes = table.sizes();
    int height = 40 + sizes.size() * 28 + ms.size() * ROW + 20;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        LABEL_WIDTH + BAR_WIDTH + 120, height));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Batch ETL throughput (events/s, higher is better)</text>\n");
    int y = 40;
    for (int events : sizes) {
      y += 22;
      s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%,d events</text>%n", y, events));
      y += 6;
      int i = 0;
      for (Measurement m : ms) {
        if (m.events() != events) {
          continue;
        }
        int colour = Contenders.NAMES.indexOf(m.contender().name());
        double w = m.correct() ? BAR_WIDTH * m.eventsPerSecond() / max : 0;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
            LABEL_WIDTH - 6, y + 13, escape(m.contender().label())));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
            LABEL_WIDTH, y + 2, w, ROW - 4, COLOURS[Math.max(0, colour) % COLOURS.length]));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n", LABEL_WIDTH + w + 4, y + 13,
            m.correct() ? String.format(Locale.ROOT, "%,.0f", m.eventsPerSecond()) : "failed"));
        y += ROW;
        i++;
      }
    }
    return s.append("</svg>\n").toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
