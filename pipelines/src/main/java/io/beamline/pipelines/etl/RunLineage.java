package io.beamline.pipelines.etl;

import io.beamline.io.PartitionPath;
import io.beamline.io.s3.S3Access;
import io.beamline.options.AggregateOptions;
import io.beamline.options.ApiSourceOptions;
import io.beamline.options.JdbcSourceOptions;
import io.beamline.options.LineageOptions;
import io.beamline.options.OutputOptions;
import io.beamline.options.WarehouseOptions;
import io.beamline.transforms.schema.TableSchema;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClientUtils;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.options.PipelineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenLineage run events of one batch run: START before the pipeline runs, COMPLETE after its
 * audit record is written (with the run's counts as the {@code beamline_counts} run facet), FAIL
 * when it throws. Appended to {@code --lineageFile} and POSTed to {@code --lineageUrl}; emitting
 * never fails the run, a failure is logged.
 */
final class RunLineage {
  private static final Logger LOG = LoggerFactory.getLogger(RunLineage.class);

  /** The {@code producer} of every event and facet. */
  static final URI PRODUCER = URI.create("https://github.com/beamline/beamline");

  static final String JOB_NAMESPACE = "beamline";
  static final String COUNTS_FACET = "beamline_counts";

  private static final int POST_ATTEMPTS = 3;
  private static final Duration POST_TIMEOUT = Duration.ofSeconds(10);

  private final OpenLineage ol = new OpenLineage(PRODUCER);
  private final String command;
  private final UUID runId;
  private final String lineageFile;
  private final String lineageUrl;
  private final List<OpenLineage.InputDataset> inputs;
  private final PipelineOptions options;
  private final BatchEtlPipeline.Plan plan;

  private RunLineage(
      String command, BatchEtlPipeline.Plan plan, String inputPath, PipelineOptions options) {
    LineageOptions lineage = options.as(LineageOptions.class);
    this.command = command;
    this.plan = plan;
    this.options = options;
    this.runId = runUuid(plan.runId());
    this.lineageFile = blankToEmpty(lineage.getLineageFile());
    this.lineageUrl = blankToEmpty(lineage.getLineageUrl());
    List<OpenLineage.InputDataset> in = List.of();
    try {
      in = enabled() ? inputsOf(inputPath) : List.of();
    } catch (RuntimeException e) {
      LOG.warn("OpenLineage inputs of run {} not named: {}", plan.runId(), e.toString());
    }
    this.inputs = in;
  }

  /** The lineage of a run; emits nothing when both options are empty. */
  static RunLineage of(
      String command, BatchEtlPipeline.Plan plan, String inputPath, PipelineOptions options) {
    return new RunLineage(command, plan, inputPath, options);
  }

  /** The OpenLineage run id of a Beamline run id: the same for the same run id, every time. */
  static UUID runUuid(String beamlineRunId) {
    return UUID.nameUUIDFromBytes(("beamline:" + beamlineRunId).getBytes(StandardCharsets.UTF_8));
  }

  boolean enabled() {
    return !lineageFile.isEmpty() || !lineageUrl.isEmpty();
  }

  void start() {
    if (enabled()) {
      guarded("START", () -> emit(event(OpenLineage.RunEvent.EventType.START, zoneOutputs(), null)));
    }
  }

  void complete(EtlRunSummary summary) {
    if (enabled()) {
      guarded("COMPLETE", () -> emitComplete(summary));
    }
  }

  private void emitComplete(EtlRunSummary summary) {
    List<OpenLineage.OutputDataset> outputs = new ArrayList<>();
    String root = plan.outputRoot();
    for (Map.Entry<String, Long> rows : summary.etlRowsByTable().entrySet()) {
      if (rows.getValue() > 0) {
        for (String source : sourcesOf(rows.getKey())) {
          if (writesEtlZone()) {
            outputs.add(output(root + "/" + PartitionPath.ETL + "/" + source + "/" + rows.getKey()));
          }
          warehouseUrl()
              .ifPresent(url -> outputs.add(warehouseDataset(url, source, rows.getKey())));
        }
      }
    }
    outputs.addAll(zoneOutputs());
    if (options instanceof AggregateOptions && options.as(AggregateOptions.class).getAggregates()) {
      outputs.add(output(root + "/" + PartitionPath.AGG));
    }
    OpenLineage.DefaultRunFacet counts = new OpenLineage.DefaultRunFacet(PRODUCER);
    Map<String, Object> c = counts.getAdditionalProperties();
    c.put("records_in", summary.recordsIn());
    c.put("etl_records", summary.etlRecords());
    c.put("dead_letters", summary.deadLetters());
    c.put("duplicates_dropped", summary.duplicatesDropped());
    c.put("conserved", summary.conserved());
    emit(event(OpenLineage.RunEvent.EventType.COMPLETE, outputs, counts));
  }

  void fail(Throwable error) {
    if (enabled()) {
      String message = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
      guarded("FAIL", () -> emit(event(OpenLineage.RunEvent.EventType.FAIL, zoneOutputs(),
          ol.newErrorMessageRunFacet(message, "Java", null))));
    }
  }

  /** Lineage never fails a run: a problem building or sending an event is logged. */
  private void guarded(String type, Runnable emit) {
    try {
      emit.run();
    } catch (RuntimeException e) {
      LOG.warn("OpenLineage {} event of run {} not emitted: {}", type, plan.runId(), e.toString());
    }
  }

  private OpenLineage.RunEvent event(
      OpenLineage.RunEvent.EventType type,
      List<OpenLineage.OutputDataset> outputs,
      Object facet) {
    OpenLineage.RunFacetsBuilder facets = ol.newRunFacetsBuilder();
    if (facet instanceof OpenLineage.ErrorMessageRunFacet error) {
      facets.errorMessage(error);
    } else if (facet instanceof OpenLineage.RunFacet counts) {
      facets.put(COUNTS_FACET, counts);
    }
    return ol.newRunEventBuilder()
        .eventType(type)
        .eventTime(ZonedDateTime.now(ZoneOffset.UTC))
        .run(ol.newRunBuilder().runId(runId).facets(facets.build()).build())
        .job(ol.newJobBuilder().namespace(JOB_NAMESPACE).name(command).build())
        .inputs(inputs)
        .outputs(outputs)
        .build();
  }

  private boolean writesEtlZone() {
    return !(options instanceof OutputOptions) || options.as(OutputOptions.class).getWriteEtl();
  }

  /** The zones every run writes: raw (unless turned off), dlq and audit. */
  private List<OpenLineage.OutputDataset> zoneOutputs() {
    String root = plan.outputRoot();
    List<OpenLineage.OutputDataset> out = new ArrayList<>();
    if (!(options instanceof OutputOptions) || options.as(OutputOptions.class).getWriteRaw()) {
      out.add(output(root + "/" + PartitionPath.RAW));
    }
    out.add(output(root + "/" + PartitionPath.DLQ));
    out.add(output(root + "/" + PartitionPath.AUDIT));
    return out;
  }

  private List<String> sourcesOf(String table) {
    List<String> sources = new ArrayList<>();
    for (TableSchema s : plan.schemas().all()) {
      if (s.table().equals(table) && !sources.contains(s.source())) {
        sources.add(s.source());
      }
    }
    return sources.isEmpty() ? List.of(PartitionPath.UNKNOWN) : sources;
  }

  private java.util.Optional<String> warehouseUrl() {
    if (options instanceof WarehouseOptions) {
      String url = options.as(WarehouseOptions.class).getJdbcUrl();
      if (url != null && !url.isBlank()) {
        return java.util.Optional.of(url.trim());
      }
    }
    return java.util.Optional.empty();
  }

  /** The input datasets: the files read, the API or source table read, or the replayed zones. */
  private List<OpenLineage.InputDataset> inputsOf(String inputPath) {
    if (options instanceof JdbcSourceOptions) {
      JdbcSourceOptions o = options.as(JdbcSourceOptions.class);
      String[] ns = namespaceAndDatabase(o.getSourceJdbcUrl());
      return List.of(ol.newInputDatasetBuilder().namespace(ns[0]).name(o.getSourceTable()).build());
    }
    if (options instanceof ApiSourceOptions) {
      URI api = URI.create(options.as(ApiSourceOptions.class).getApiUrl().trim());
      String ns = api.getScheme() + "://" + api.getHost() + (api.getPort() < 0 ? "" : ":" + api.getPort());
      String name = api.getPath() == null || api.getPath().isEmpty() ? "/" : api.getPath();
      return List.of(ol.newInputDatasetBuilder().namespace(ns).name(name).build());
    }
    if ("backfill".equals(command)) {
      return List.of(
          input(plan.outputRoot() + "/" + PartitionPath.RAW),
          input(plan.outputRoot() + "/" + PartitionPath.DLQ));
    }
    return List.of(input(inputPath));
  }

  private OpenLineage.InputDataset input(String path) {
    String[] d = fileDataset(path);
    return ol.newInputDatasetBuilder().namespace(d[0]).name(d[1]).build();
  }

  private OpenLineage.OutputDataset output(String path) {
    String[] d = fileDataset(path);
    return ol.newOutputDatasetBuilder().namespace(d[0]).name(d[1]).build();
  }

  private OpenLineage.OutputDataset warehouseDataset(String jdbcUrl, String source, String table) {
    String[] d = warehouseTable(jdbcUrl, source, table);
    return ol.newOutputDatasetBuilder().namespace(d[0]).name(d[1]).build();
  }

  /**
   * Namespace and name of a file or object path (OpenLineage naming): {@code file} and the
   * absolute path; {@code s3://bucket} and the key.
   */
  static String[] fileDataset(String path) {
    String p = path.trim();
    if (S3Access.isS3(p)) {
      String rest = p.substring("s3://".length());
      int slash = rest.indexOf('/');
      return slash < 0
          ? new String[] {"s3://" + rest, "/"}
          : new String[] {"s3://" + rest.substring(0, slash), rest.substring(slash + 1)};
    }
    if (p.startsWith("file://")) {
      p = p.substring("file://".length());
    } else if (p.startsWith("file:")) {
      p = p.substring("file:".length());
    }
    return new String[] {"file", Path.of(p).toAbsolutePath().normalize().toString()};
  }

  /**
   * Namespace ({@code postgres://host:port}) and name ({@code etl.<source>__<table>}) of a
   * warehouse table. Only host and port of the JDBC URL are kept: no user, password or other
   * parameter ever appears in a dataset.
   */
  static String[] warehouseTable(String jdbcUrl, String source, String table) {
    return new String[] {namespaceAndDatabase(jdbcUrl)[0], "etl." + source + "__" + table};
  }

  /** {@code postgres://host:port} (or {@code <scheme>://host:port}) of a JDBC URL. */
  static String[] namespaceAndDatabase(String jdbcUrl) {
    String url = jdbcUrl == null ? "" : jdbcUrl.trim();
    if (url.startsWith("jdbc:")) {
      url = url.substring("jdbc:".length());
    }
    int q = indexOfAny(url, '?', ';', '#');
    if (q >= 0) {
      url = url.substring(0, q);
    }
    String scheme = "postgres";
    int sep = url.indexOf("://");
    String rest = url;
    if (sep >= 0) {
      String s = url.substring(0, sep).toLowerCase(Locale.ROOT);
      scheme = s.equals("postgresql") ? "postgres" : s;
      rest = url.substring(sep + 3);
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String database = slash < 0 ? "" : rest.substring(slash + 1);
    int at = authority.lastIndexOf('@'); // user:password@host
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    if (!authority.contains(":") && scheme.equals("postgres")) {
      authority = authority + ":5432";
    }
    return new String[] {scheme + "://" + authority, database};
  }

  private static int indexOfAny(String s, char... chars) {
    int best = -1;
    for (char c : chars) {
      int i = s.indexOf(c);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
      }
    }
    return best;
  }

  private void emit(OpenLineage.RunEvent event) {
    String json;
    try {
      json = OpenLineageClientUtils.toJson(event);
    } catch (RuntimeException e) {
      LOG.warn("OpenLineage {} event of run {} not built: {}", event.getEventType(), plan.runId(), e.toString());
      return;
    }
    if (!lineageFile.isEmpty()) {
      appendToFile(json, event.getEventType());
    }
    if (!lineageUrl.isEmpty()) {
      post(json, event.getEventType());
    }
  }

  private void appendToFile(String json, OpenLineage.RunEvent.EventType type) {
    try {
      Path file = Path.of(lineageFile);
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      synchronized (RunLineage.class) {
        Files.writeString(
            file, json + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("OpenLineage {} event of run {} not written to --lineageFile {}: {}",
          type, plan.runId(), lineageFile, e.toString());
    }
  }

  private void post(String json, OpenLineage.RunEvent.EventType type) {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(lineageUrl))
              .timeout(POST_TIMEOUT)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
              .build();
    } catch (RuntimeException e) {
      LOG.warn("OpenLineage {} event of run {} not sent: bad --lineageUrl: {}", type, plan.runId(), e.getMessage());
      return;
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(POST_TIMEOUT).build();
    String problem = "";
    for (int attempt = 1; attempt <= POST_ATTEMPTS; attempt++) {
      try {
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 == 2) {
          return;
        }
        problem = "HTTP " + response.statusCode();
        if (response.statusCode() / 100 == 4 && response.statusCode() != 429) {
          break; // the receiver refuses this event: retrying does not help
        }
      } catch (IOException e) {
        problem = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problem = "interrupted";
        break;
      }
      if (attempt < POST_ATTEMPTS) {
        try {
          Thread.sleep(500L * attempt);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    LOG.warn("OpenLineage {} event of run {} not accepted by --lineageUrl: {}", type, plan.runId(), problem);
  }

  private static String blankToEmpty(String s) {
    return s == null ? "" : s.trim();
  }
}
