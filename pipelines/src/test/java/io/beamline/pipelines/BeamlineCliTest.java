package io.beamline.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.options.DemoOptions;
import io.beamline.options.EtlOptions;
import io.beamline.options.GenerateOptions;
import io.beamline.pipelines.etl.EtlTestSupport;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The command line through {@link BeamlineCli#run}: exit codes, help, and what it prints. */
class BeamlineCliTest {
  /** What one command printed and returned. */
  record Result(int code, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  static Result cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = new BeamlineCli().run(args, o, e);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A help text's options: name to the text of its entry (description, then the marker line). */
  static Map<String, List<String>> helpEntries(String help) {
    Map<String, List<String>> entries = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : help.split("\n")) {
      Matcher m = Pattern.compile("^  --([A-Za-z0-9]+)=<[^>]+>$").matcher(line);
      if (m.matches()) {
        current = new ArrayList<>();
        entries.put(m.group(1), current);
      } else if (current != null && line.startsWith("      ")) {
        current.add(line.trim());
      } else {
        current = null;
      }
    }
    return entries;
  }

  /** The last line of an option's help entry: "(required)", "(default: ...)" or "(optional)". */
  static String marker(List<String> entry) {
    return entry.get(entry.size() - 1);
  }

  /** The options of a command's own options interface (Beam's own left out). */
  static TreeSet<String> ownOptions(Class<? extends PipelineOptions> options) {
    TreeSet<String> names = new TreeSet<>();
    collect(options, names);
    return names;
  }

  private static void collect(Class<?> iface, TreeSet<String> names) {
    if (!iface.getPackageName().equals("io.beamline.options")) {
      return;
    }
    for (Method m : iface.getDeclaredMethods()) {
      if (m.getName().startsWith("get") && m.getParameterCount() == 0) {
        names.add(Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4));
      }
    }
    for (Class<?> parent : iface.getInterfaces()) {
      collect(parent, names);
    }
  }

  /**
   * Checks that every "(default: X)" of a help text is the value options really take when the
   * option is not given.
   */
  static void assertDefaultsAreEffective(
      Map<String, List<String>> entries, Class<? extends PipelineOptions> type) throws Exception {
    PipelineOptions defaults = PipelineOptionsFactory.create().as(type);
    for (Map.Entry<String, List<String>> e : entries.entrySet()) {
      Matcher m = Pattern.compile("^\\(default: (.*)\\)$").matcher(marker(e.getValue()));
      if (m.matches()) {
        String getter = "get" + Character.toUpperCase(e.getKey().charAt(0)) + e.getKey().substring(1);
        Object value = type.getMethod(getter).invoke(defaults);
        assertThat("default of --" + e.getKey(), m.group(1), is(String.valueOf(value)));
      }
    }
  }

  /** The base64 key of a keyring entry: the value itself, or its "key" for a scoped or pii key. */
  static String keyText(JsonNode entry) {
    String text = entry.isObject() ? entry.path("key").asText() : entry.asText();
    assertThat(text.length(), is(44));
    return text;
  }

  /** Writes to two streams. */
  static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }

  // ------------------------------------------------------------------------------ help

  @Test
  void etlHelpListsEveryOptionAsRequiredOrWithItsDefault() throws Exception {
    Result r = cli("etl", "--help");

    assertThat(r.code(), is(BeamlineCli.OK));
    Map<String, List<String>> entries = helpEntries(r.out());
    Map<String, String> markers = new TreeMap<>();
    entries.forEach((name, entry) -> markers.put(name, marker(entry)));
    assertThat(markers.get("inputPath"), is("(required)"));
    assertThat(markers.get("outputRoot"), is("(required)"));
    assertThat(markers.get("keyringPath"), is("(required)"));
    assertThat(markers.get("schemaDir"), is("(required)"));
    assertThat(markers.get("maxRecordBytes"), is("(default: 1048576)"));
    assertThat(markers.get("maxNestingDepth"), is("(default: 64)"));
    assertThat(markers.get("maxFieldCount"), is("(default: 10000)"));
    assertThat(markers.get("maxStringLength"), is("(default: 262144)"));
    assertThat(markers.get("maxNumberLength"), is("(default: 100)"));
    assertThat(markers.get("shardsPerPartition"), is("(default: 1)"));
    assertThat(markers.get("writeRaw"), is("(default: true)"));
    // No fixed default: the help says how it is made instead.
    assertThat(markers.get("runId"), is("(optional)"));
    assertThat(String.join(" ", entries.get("runId")), containsString("Defaults to"));
    assertThat(markers.keySet(), is(ownOptions(EtlOptions.class)));
    assertDefaultsAreEffective(entries, EtlOptions.class);
  }

  @Test
  void everyEtlOptionInTheHelpHasADescription() {
    Map<String, List<String>> entries = helpEntries(cli("etl", "--help").out());
    for (Map.Entry<String, List<String>> e : entries.entrySet()) {
      assertThat("--" + e.getKey() + " has a description", e.getValue().size(), is(greaterThan(1)));
    }
  }

  @Test
  void generateHelpListsEveryOptionAsRequiredOrWithItsDefault() throws Exception {
    Result r = cli("generate", "--help");

    assertThat(r.code(), is(BeamlineCli.OK));
    Map<String, List<String>> entries = helpEntries(r.out());
    assertThat(entries.keySet(), is(ownOptions(GenerateOptions.class)));
    for (String name :
        List.of("count", "outputPath", "keyringPath", "badFraction", "duplicateFraction", "files",
            "days", "endDate", "seed")) {
      assertThat("--" + name, entries.containsKey(name), is(true));
      assertThat("--" + name, marker(entries.get(name)), matchesPattern("\\((required|default: .+)\\)"));
    }
    assertThat(marker(entries.get("outputPath")), is("(required)"));
    assertThat(marker(entries.get("keyringPath")), is("(required)"));
    assertDefaultsAreEffective(entries, GenerateOptions.class);
  }

  @Test
  void demoHelpListsEveryOptionWithItsDefault() throws Exception {
    Result r = cli("demo", "--help");

    assertThat(r.code(), is(BeamlineCli.OK));
    Map<String, List<String>> entries = helpEntries(r.out());
    assertThat(entries.keySet(), is(ownOptions(DemoOptions.class)));
    for (String name : List.of("workDir", "count", "badFraction")) {
      assertThat("--" + name, entries.containsKey(name), is(true));
    }
    for (Map.Entry<String, List<String>> e : entries.entrySet()) {
      assertThat("--" + e.getKey(), marker(e.getValue()), matchesPattern("\\((required|default: .+)\\)"));
    }
    assertDefaultsAreEffective(entries, DemoOptions.class);
  }

  @Test
  void helpAloneListsTheCommandsAndExitsZero() {
    Result r = cli("--help");

    assertThat(r.code(), is(BeamlineCli.OK));
    assertThat(r.out(), containsString("etl"));
    assertThat(r.out(), containsString("generate"));
    assertThat(r.out(), containsString("demo"));
  }

  @Test
  void noCommandPrintsUsageAndExitsTwo() {
    Result r = cli();

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.out(), containsString("Usage"));
  }

  // ------------------------------------------------------------------------------ bad usage

  @Test
  void unknownCommandExitsTwoNamingIt() {
    Result r = cli("frobnicate", "--inputPath=x");

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("frobnicate"));
  }

  @Test
  void streamWithAReportIntervalBelowOneMinuteExitsTwoNamingIt() {
    Result r = cli(
        "stream", "--topics=events", "--bootstrapServers=127.0.0.1:1", "--outputRoot=target/none",
        "--keyringPath=target/none/keyring.json", "--schemaDir=../schemas", "--reportIntervalMinutes=0");

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--reportIntervalMinutes must be at least 1"));
  }

  @Test
  void etlWithoutRequiredOptionsExitsTwoNamingInputPathOnStderr() {
    Result r = cli("etl");

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--inputPath"));
    assertThat(r.out(), not(containsString("conserved")));
  }

  @Test
  void etlWithAnUnknownOptionExitsTwoNamingIt() {
    Result r = cli("etl", "--inputPath=x", "--outputRoot=y", "--keyringPath=z", "--schemaDir=s", "--shardz=2");

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("shardz"));
  }

  @Test
  void etlWithAKeyringThatDoesNotExistExitsTwoNamingTheOptionAndWritesNothing(@TempDir Path tmp)
      throws IOException {
    Path input = Files.createDirectories(tmp.resolve("in"));
    Files.writeString(input.resolve("e.jsonl"), Envelopes.envelope().line() + "\n");
    Path out = tmp.resolve("out");

    Result r =
        cli("etl", "--inputPath=" + input, "--outputRoot=" + out,
            "--keyringPath=" + tmp.resolve("missing.json"), "--schemaDir=" + EtlTestSupport.SCHEMAS);

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--keyringPath"));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void streamWithAZeroRecordLimitExitsTwoNamingTheOptionAndWritesNothing(@TempDir Path tmp) {
    Path out = tmp.resolve("out");

    Result r =
        cli("stream", "--bootstrapServers=127.0.0.1:1", "--topics=events", "--outputRoot=" + out,
            "--keyringPath=" + TestKeyrings.writeKeyringFile(tmp), "--schemaDir=" + EtlTestSupport.SCHEMAS,
            "--maxFieldCount=0");

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--maxFieldCount must be positive, got 0"));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void etlWithASchemaDirThatDoesNotExistExitsTwoNamingTheOption(@TempDir Path tmp)
      throws IOException {
    Path input = Files.createDirectories(tmp.resolve("in"));
    Files.writeString(input.resolve("e.jsonl"), Envelopes.envelope().line() + "\n");
    Path out = tmp.resolve("out");

    Result r =
        cli("etl", "--inputPath=" + input, "--outputRoot=" + out,
            "--keyringPath=" + TestKeyrings.writeKeyringFile(tmp),
            "--schemaDir=" + tmp.resolve("no-schemas"));

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--schemaDir"));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void keyringErrorsNameTheKeyIdButNeverItsBytes(@TempDir Path tmp) throws IOException {
    Path input = Files.createDirectories(tmp.resolve("in"));
    Files.writeString(input.resolve("e.jsonl"), Envelopes.envelope().line() + "\n");
    // A 31-byte key: wrong length, but its base64 must not be echoed.
    byte[] key = new byte[31];
    new java.util.Random(5).nextBytes(key);
    String keyText = Base64.getEncoder().encodeToString(key);
    Path keyring =
        TestKeyrings.writeKeyringFile(
            tmp.resolve("keyring.json"), "{\"k1\": \"" + TestKeyrings.keyBase64("k1") + "\", \"old\": \"" + keyText + "\"}");

    Result r =
        cli("etl", "--inputPath=" + input, "--outputRoot=" + tmp.resolve("out"),
            "--keyringPath=" + keyring, "--schemaDir=" + EtlTestSupport.SCHEMAS);

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("old"));
    assertThat(r.all(), not(containsString(keyText)));
    assertThat(r.all(), not(containsString(TestKeyrings.keyBase64("k1"))));
  }

  // ------------------------------------------------------------------------------ real runs

  /** {@code generate}, then {@code etl} on what it wrote, with the keyring generate created. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class GenerateThenEtl {
    Path input;
    Path output;
    Path keyring;
    Result generate;
    Result etl;
    /** What the process wrote to System.out and System.err (logs included) meanwhile. */
    String processOutput;

    @BeforeAll
    void generateAndRun(@TempDir Path tmp) {
      input = tmp.resolve("in");
      output = tmp.resolve("out");
      keyring = tmp.resolve("keys/keyring.json");
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      PrintStream originalOut = System.out;
      PrintStream originalErr = System.err;
      System.setOut(new PrintStream(new TeeStream(originalOut, captured), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new TeeStream(originalErr, captured), true, StandardCharsets.UTF_8));
      try {
        generate =
            cli("generate", "--outputPath=" + input, "--keyringPath=" + keyring, "--count=60",
                "--files=2", "--days=1", "--badFraction=0.2", "--duplicateFraction=0.05", "--seed=9");
        etl =
            cli("etl", "--inputPath=" + input, "--outputRoot=" + output, "--keyringPath=" + keyring,
                "--schemaDir=" + EtlTestSupport.SCHEMAS, "--runId=cli-run");
      } finally {
        System.setOut(originalOut);
        System.setErr(originalErr);
      }
      processOutput = captured.toString(StandardCharsets.UTF_8);
    }

    private long printed(String text, String regex) {
      Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
      assertThat("printed: " + regex + " in\n" + text, m.find(), is(true));
      return Long.parseLong(m.group(1));
    }

    @Test
    void generateExitsZeroAndWritesTheEventFilesAndKeyring() throws IOException {
      assertThat(generate.err(), generate.code(), is(BeamlineCli.OK));
      try (var files = Files.list(input)) {
        assertThat(
            files.map(p -> p.getFileName().toString()).sorted().toList(),
            is(List.of("events-00000.jsonl", "events-00001.jsonl")));
      }
      assertThat(EtlTestSupport.inputLines(input).size(), is(60));
      assertThat(Files.isRegularFile(keyring), is(true));
    }

    @Test
    void generatePrintsCountsThatAddUpToTheLinesWritten() {
      long lines = printed(generate.out(), "^Wrote (\\d+) lines to ");
      long good = printed(generate.out(), "^\\s+good events\\s+(\\d+)$");
      long duplicates = printed(generate.out(), "^\\s+duplicates\\s+(\\d+)$");
      long bad = printed(generate.out(), "^\\s+bad lines\\s+(\\d+)$");

      assertThat(lines, is(60L));
      assertThat(good + duplicates + bad, is(lines));
      assertThat(bad, is(12L));
      assertThat(duplicates, is(3L));
      long byReason = 0;
      Matcher m = Pattern.compile("^\\s+(\\d+)\\s+[A-Z_]+$", Pattern.MULTILINE).matcher(generate.out());
      while (m.find()) {
        byReason += Long.parseLong(m.group(1));
      }
      assertThat(byReason, is(bad));
    }

    @Test
    void etlExitsZeroAndPrintsAConservedSummary() {
      assertThat(etl.err(), etl.code(), is(BeamlineCli.OK));
      assertThat(etl.out(), containsString("conserved"));
      assertThat(etl.out(), not(containsString("NOT CONSERVED")));
    }

    @Test
    void etlSummaryCountsAreTheOnesGeneratePrinted() {
      long good = printed(generate.out(), "^\\s+good events\\s+(\\d+)$");
      long duplicates = printed(generate.out(), "^\\s+duplicates\\s+(\\d+)$");
      long bad = printed(generate.out(), "^\\s+bad lines\\s+(\\d+)$");

      assertThat(
          etl.out(),
          containsString(
              "counts     60 in = " + good + " etl + " + bad + " dlq + " + duplicates + " duplicates: conserved"));
    }

    @Test
    void etlPrintsTheAuditRecordItWrote() throws IOException {
      long printedIn = printed(etl.out(), "^\\s+input\\s+(\\d+)\\s+records from ");
      Matcher m = Pattern.compile("^\\s+audit\\s+(\\S+)$", Pattern.MULTILINE).matcher(etl.out());
      assertThat(etl.out(), m.find(), is(true));
      Path audit = Path.of(m.group(1));

      assertThat(audit.getFileName().toString(), is("run-cli-run.json"));
      assertThat(audit.toAbsolutePath().startsWith(output.toAbsolutePath()), is(true));
      JsonNode record = Json.MAPPER.readTree(Files.readString(audit));
      assertThat(record.get("records_in").asLong(), is(printedIn));
      assertThat(record.get("conserved").asBoolean(), is(true));
    }

    @Test
    void etlWritesTheEtlAndDlqZones() throws IOException {
      assertThat(EtlTestSupport.filesUnder(output.resolve("etl")), is(not(empty())));
      assertThat(EtlTestSupport.filesUnder(output.resolve("dlq")), is(not(empty())));
      assertThat(EtlTestSupport.filesUnder(output.resolve("raw")), is(not(empty())));
    }

    @Test
    void noOutputOrLogOfEitherCommandContainsKeyBytes() throws IOException {
      JsonNode keys = Json.MAPPER.readTree(Files.readString(keyring));
      assertThat(keys.size(), is(greaterThan(0)));
      List<String> printed =
          List.of(generate.out(), generate.err(), etl.out(), etl.err(), processOutput);
      keys.fields()
          .forEachRemaining(
              k -> {
                for (String text : printed) {
                  assertThat(text, not(containsString(keyText(k.getValue()))));
                }
              });
    }
  }

  @Test
  void demoAndGenerateBothRunInOneJvm(@TempDir Path tmp) throws IOException {
    Result demo = cli("demo", "--workDir=" + tmp.resolve("demo"), "--count=40");
    Result generate =
        cli("generate", "--outputPath=" + tmp.resolve("gen"), "--keyringPath=" + tmp.resolve("k.json"),
            "--count=20");

    assertThat(demo.err(), demo.code(), is(BeamlineCli.OK));
    assertThat(demo.out(), containsString(": conserved"));
    JsonNode keys = Json.MAPPER.readTree(Files.readString(tmp.resolve("demo/keyring.json")));
    keys.fields().forEachRemaining(k -> assertThat(demo.all(), not(containsString(keyText(k.getValue())))));
    assertThat(generate.err(), generate.code(), is(BeamlineCli.OK));
  }
}
