package io.beamline.pipelines.generate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.options.GenerateOptions;
import io.beamline.pipelines.generate.SampleEventGenerator.BadKind;
import io.beamline.transforms.Json;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.ProcessEnvelopes;
import io.beamline.transforms.ProcessedEnvelopes;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleEventGeneratorTest {
  /** Key bytes known to the test, so it can decrypt payloads itself. */
  private static final Map<String, byte[]> KEYS = Map.of("k1", key(1), "k2", key(101));

  private static final Keyring KEYRING =
      Keyring.parse(
          "{\"k1\": \"" + Base64.getEncoder().encodeToString(KEYS.get("k1")) + "\", \"k2\": \""
              + Base64.getEncoder().encodeToString(KEYS.get("k2")) + "\"}",
          "test keyring")
          // pii keys for the sample's tenants: customers carry personal data
          .withPiiKeysFor(new java.util.Random(3), SampleEventGenerator.TENANTS);

  private static final LocalDate END = LocalDate.of(2026, 11, 20);

  @TempDir Path tmp;

  private static byte[] key(int first) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (first + i);
    }
    return k;
  }

  private static GeneratedSample generate(Path dir, int count, double bad, double dup, long seed)
      throws IOException {
    return SampleEventGenerator.builder()
        .count(count)
        .outputPath(dir)
        .keyring(KEYRING)
        .badFraction(bad)
        .duplicateFraction(dup)
        .files(4)
        .days(3)
        .endDate(END)
        .seed(seed)
        .build()
        .generate();
  }

  /** The lines of all files in the order they were generated (round-robin over the files). */
  private static List<byte[]> streamOrder(GeneratedSample sample) throws IOException {
    List<List<byte[]>> perFile = new ArrayList<>();
    for (Path f : sample.files()) {
      perFile.add(lines(Files.readAllBytes(f)));
    }
    List<byte[]> stream = new ArrayList<>();
    for (int i = 0; ; i++) {
      List<byte[]> file = perFile.get(i % perFile.size());
      int at = i / perFile.size();
      if (at >= file.size()) {
        return stream;
      }
      stream.add(file.get(at));
    }
  }

  /** Splits on '\n'; every line, the last included, ends with '\n'. */
  private static List<byte[]> lines(byte[] content) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        out.add(Arrays.copyOfRange(content, start, i));
        start = i + 1;
      }
    }
    if (start != content.length) {
      throw new AssertionError("file does not end with a newline");
    }
    return out;
  }

  private static String strictUtf8(byte[] line) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static List<KV<String, Long>> kvs(Map<String, Long> counts) {
    return counts.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .map(e -> KV.of(e.getKey(), e.getValue()))
        .collect(Collectors.toList());
  }

  @Test
  void eventTimesInOrderGrowWithTheLineWithinTheJitter() throws IOException {
    SampleEventGenerator.builder()
        .count(600).outputPath(tmp.resolve("ordered")).keyring(KEYRING).badFraction(0.1).duplicateFraction(0.02)
        .files(3).days(1).endDate(END).seed(5L).eventTimesInOrder(true)
        .build()
        .generate();
    List<List<String>> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(tmp.resolve("ordered"))) {
      for (Path f : list.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
        files.add(Files.readAllLines(f, StandardCharsets.ISO_8859_1));
      }
    }
    long latest = 0;
    long first = Long.MAX_VALUE;
    int timed = 0;
    for (int i = 0; i < 600; i++) {
      String line = files.get(i % files.size()).get(i / files.size());
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\"event_time\":\"([^\"]+)\"").matcher(line);
      if (!m.find()) {
        continue;
      }
      long t;
      try {
        t = java.time.OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli();
      } catch (java.time.format.DateTimeParseException notATime) {
        continue; // a bad line's broken event_time
      }
      assertThat(line, t >= latest - SampleEventGenerator.IN_ORDER_JITTER_MILLIS, is(true));
      latest = Math.max(latest, t);
      first = Math.min(first, t);
      timed++;
    }
    long dayStart = END.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    assertThat(timed > 500, is(true));
    assertThat(first < dayStart + 3_600_000L, is(true));
    assertThat(latest > dayStart + 86_400_000L - 3_600_000L, is(true));
  }

  @Test
  void sameSeedWritesByteIdenticalFiles() throws IOException {
    GeneratedSample a = generate(tmp.resolve("a"), 1200, 0.1, 0.02, 99L);
    GeneratedSample b = generate(tmp.resolve("b"), 1200, 0.1, 0.02, 99L);

    assertThat(a.files().size(), is(4));
    for (int f = 0; f < a.files().size(); f++) {
      assertThat(b.files().get(f).getFileName(), is(a.files().get(f).getFileName()));
      assertArrayEquals(Files.readAllBytes(a.files().get(f)), Files.readAllBytes(b.files().get(f)));
    }
    assertThat(b.expectedDeadLetters(), is(a.expectedDeadLetters()));
    assertThat(b.expectedEtlRows(), is(a.expectedEtlRows()));
  }

  @Test
  void anotherSeedWritesOtherEvents() throws IOException {
    GeneratedSample a = generate(tmp.resolve("a"), 200, 0.1, 0.02, 1L);
    GeneratedSample b = generate(tmp.resolve("b"), 200, 0.1, 0.02, 2L);

    assertThat(
        Arrays.equals(Files.readAllBytes(a.files().get(0)), Files.readAllBytes(b.files().get(0))),
        is(false));
  }

  @Test
  void everyReasonAndKindAppearsInTwoThousandEventsWithTenPercentBad() throws IOException {
    GeneratedSample s = generate(tmp, 2000, 0.1, 0.01, 42L);

    Set<String> reasons = EnumSet.allOf(DeadLetterReason.class).stream()
        // Not reasons of envelope lines: late data is a stream's, a failed fetch an API source's,
        // a refused load the warehouse's.
        .filter(
            r ->
                r != DeadLetterReason.LATE_DATA
                    && r != DeadLetterReason.FETCH_FAILED
                    && r != DeadLetterReason.LOAD_FAILED)
        .map(Enum::name)
        .collect(Collectors.toSet());
    assertThat(s.expectedDeadLetters().keySet(), is(reasons));
    assertThat(
        s.badLinesByKind().keySet(),
        is(EnumSet.allOf(BadKind.class).stream().map(Enum::name).collect(Collectors.toSet())));
  }

  @Test
  void summaryAddsUpToTheLinesInTheFiles() throws IOException {
    GeneratedSample s = generate(tmp, 2000, 0.1, 0.03, 5L);

    long linesInFiles = 0;
    for (Path f : s.files()) {
      linesInFiles += lines(Files.readAllBytes(f)).size();
    }
    assertThat(linesInFiles, is(2000L));
    assertThat(s.totalLines(), is(linesInFiles));
    assertThat(s.goodEvents() + s.duplicates() + s.badLines(), is(s.totalLines()));
    assertThat(s.badLines(), is(200L));
    assertThat(s.duplicates(), is(60L));
    assertThat(
        s.badLinesByKind().values().stream().mapToLong(Long::longValue).sum(), is(s.badLines()));
    assertThat(
        s.expectedEtlRows().keySet(), contains("customers", "order_items", "orders", "payments"));
    assertThat(
        s.expectedEtlRows("orders") + s.expectedEtlRows("customers")
            + s.expectedEtlRows("payments"),
        is(s.goodEvents()));
  }

  @Test
  void duplicatesAreExactCopiesOfEarlierGoodLines() throws IOException {
    GeneratedSample s = generate(tmp, 3000, 0.1, 0.05, 11L);

    Set<String> seen = new HashSet<>();
    long copies = 0;
    for (byte[] line : streamOrder(s)) {
      String key = new String(line, StandardCharsets.ISO_8859_1);
      if (!seen.add(key)) {
        copies++;
        assertGoodEnvelope(line);
      }
    }
    assertThat(copies, is(s.duplicates()));
    assertThat(copies, is(150L));
  }

  /** A well-formed envelope of a known tenant and table whose payload decrypts to an object. */
  private static void assertGoodEnvelope(byte[] line) throws IOException {
    JsonNode env = Json.MAPPER.readTree(strictUtf8(line));
    assertThat(env.path("tenant").asText(), is(in(SampleEventGenerator.TENANTS)));
    assertThat(env.path("source").asText(), is("shop"));
    assertThat(env.path("table").asText(), is(in(List.of("orders", "customers", "payments"))));
    OffsetDateTime.parse(env.path("event_time").asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    JsonNode payload;
    if (env.hasNonNull("key_id")) {
      payload = Json.MAPPER.readTree(
          decrypt(env.get("key_id").asText(), env.get("event_id").asText(),
              env.get("payload").asText()));
    } else {
      payload = env.get("payload");
    }
    assertThat(payload.isObject(), is(true));
  }

  private static String decrypt(String keyId, String eventId, String payload) {
    try {
      byte[] sealed = Base64.getDecoder().decode(payload);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEYS.get(keyId), "AES"),
          new GCMParameterSpec(128, sealed, 0, 12));
      c.updateAAD(eventId.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(sealed, 12, sealed.length - 12), StandardCharsets.UTF_8);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError("payload of " + eventId + " does not decrypt", e);
    }
  }

  @Test
  void smallCountCoversEveryKindRoundRobinWithoutOversizedLines() throws IOException {
    GeneratedSample s = generate(tmp, 100, 0.22, 0.0, 3L);

    Map<String, Long> once = new TreeMap<>();
    BadKind.ROTATION.forEach(k -> once.put(k.name(), 1L));
    assertThat(s.badLinesByKind(), is(once));
    assertThat(s.expectedDeadLetters("OVERSIZED"), is(0L));
  }

  @Test
  void oversizedLinesAreRareButPresentFromOneThousandEvents() throws IOException {
    GeneratedSample below = generate(tmp.resolve("999"), 999, 0.05, 0.0, 3L);
    GeneratedSample from = generate(tmp.resolve("1000"), 1000, 0.05, 0.0, 3L);

    assertThat(below.expectedDeadLetters("OVERSIZED"), is(0L));
    assertThat(from.expectedDeadLetters("OVERSIZED"), is(1L));
    long oversizedInFiles =
        streamOrder(from).stream()
            .filter(l -> l.length > SampleEventGenerator.MAX_LINE_BYTES)
            .count();
    assertThat(oversizedInFiles, is(1L));
  }

  @Test
  void eventTimesSpreadOverTheDaysEndingAtEndDate() throws IOException {
    GeneratedSample s = generate(tmp, 2000, 0.0, 0.0, 8L);

    Instant from = END.minusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant until = END.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Set<String> partitions = new HashSet<>();
    Set<String> offsets = new HashSet<>();
    for (byte[] line : streamOrder(s)) {
      String time = Json.MAPPER.readTree(line).get("event_time").asText();
      Instant t = OffsetDateTime.parse(time, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      assertThat(t, is(greaterThanOrEqualTo(from)));
      assertThat(t, is(lessThan(until)));
      partitions.add(t.toString().substring(0, 13)); // dt and hr, UTC
      offsets.add(time.endsWith("Z") ? "Z" : time.substring(time.length() - 6));
    }
    assertThat(partitions.size(), is(72));
    assertThat(offsets, containsInAnyOrder("Z", "+02:00"));
  }

  @Test
  void processEnvelopesAcceptsRejectsAndDeduplicatesExactlyAsExpected() throws IOException {
    // 250 bad lines: every kind at least 11 times, so every variant of every kind is met.
    GeneratedSample s = generate(tmp, 1000, 0.25, 0.03, 42L);

    // What the file reader does before the composite: oversized lines, then invalid UTF-8.
    List<String> lines = new ArrayList<>();
    long oversized = 0;
    long notUtf8 = 0;
    for (byte[] line : streamOrder(s)) {
      if (line.length > SampleEventGenerator.MAX_LINE_BYTES) {
        oversized++;
      } else if (strictUtf8(line) == null) {
        notUtf8++;
      } else {
        lines.add(strictUtf8(line));
      }
    }
    assertThat(oversized, is(s.expectedDeadLetters("OVERSIZED")));
    assertThat(notUtf8, is(s.badLinesByKind().get("INVALID_UTF8")));
    Map<String, Long> fromComposite = new TreeMap<>(s.expectedDeadLetters());
    fromComposite.remove("OVERSIZED");
    fromComposite.merge("MALFORMED_JSON", -notUtf8, Long::sum);

    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    ProcessedEnvelopes out =
        p.apply("Lines", Create.of(lines).withCoder(StringUtf8Coder.of()))
            .apply(
                "ProcessEnvelopes",
                ProcessEnvelopes.with(KEYRING, TableSchemas.load(Path.of("../schemas"))));
    PAssert.that(
            out.deadLetters()
                .apply(
                    "Reasons",
                    MapElements.into(TypeDescriptors.strings())
                        .via((DeadLetter d) -> d.reason().name()))
                .apply("CountReasons", Count.perElement()))
        .containsInAnyOrder(kvs(fromComposite));
    PAssert.thatSingleton(out.duplicates().apply("CountDuplicates", Count.globally()))
        .isEqualTo(s.duplicates());
    PAssert.thatSingleton(out.events().apply("CountEvents", Count.globally()))
        .isEqualTo(s.goodEvents());
    PAssert.that(
            out.rows()
                .apply(
                    "Tables",
                    MapElements.into(TypeDescriptors.strings()).via((EtlRow r) -> r.table()))
                .apply("CountRows", Count.perElement()))
        .containsInAnyOrder(kvs(s.expectedEtlRows()));
    p.run().waitUntilFinish();
  }

  @Test
  void filesAppearWholeAndStaleFilesOfAnEarlierRunAreRemoved() throws IOException {
    SampleEventGenerator.Builder b =
        SampleEventGenerator.builder().count(300).outputPath(tmp).keyring(KEYRING).seed(4L);
    b.files(6).build().generate();
    GeneratedSample second = b.files(2).build().generate();

    try (Stream<Path> entries = Files.list(tmp)) {
      assertThat(
          entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()),
          contains("events-00000.jsonl", "events-00001.jsonl"));
    }
    assertThat(second.files().size(), is(2));
  }

  @Test
  void writeKeyringIfMissingCreatesAnOwnerOnlyKeyring() throws IOException {
    Path path = tmp.resolve("keys").resolve("keyring.json");

    Keyring keyring = SampleEventGenerator.writeKeyringIfMissing(path);

    assertThat(keyring.keyIds(), contains("k1", "k2"));
    if (Files.getFileStore(path).supportsFileAttributeView("posix")) {
      assertThat(
          PosixFilePermissions.toString(Files.getPosixFilePermissions(path)), is("rw-------"));
    }
    try (Stream<Path> entries = Files.list(path.getParent())) {
      assertThat(entries.count(), is(1L)); // no temporary file left
    }
  }

  @Test
  void writeKeyringIfMissingKeepsAnExistingKeyring() throws IOException {
    Path path = tmp.resolve("keyring.json");
    Files.writeString(
        path, "{\"old\": \"" + Base64.getEncoder().encodeToString(key(7)) + "\"}");
    byte[] before = Files.readAllBytes(path);

    Keyring keyring = SampleEventGenerator.writeKeyringIfMissing(path);

    assertThat(keyring.keyIds(), contains("old"));
    assertArrayEquals(before, Files.readAllBytes(path));
  }

  @Test
  void fromOptionsCreatesTheKeyringAndWritesTheConfiguredSample() throws IOException {
    Path out = tmp.resolve("events");
    Path keyring = tmp.resolve("keyring.json");
    GenerateOptions options =
        PipelineOptionsFactory.fromArgs(
                "--outputPath=" + out, "--keyringPath=" + keyring, "--count=120", "--files=3",
                "--badFraction=0.2", "--duplicateFraction=0.1", "--days=2",
                "--endDate=2026-01-31", "--seed=5")
            .as(GenerateOptions.class);

    GeneratedSample s = SampleEventGenerator.fromOptions(options).generate();

    assertThat(Files.isRegularFile(keyring), is(true));
    assertThat(s.files().size(), is(3));
    assertThat(s.totalLines(), is(120L));
    assertThat(s.badLines(), is(24L));
    assertThat(s.duplicates(), is(12L));
    Instant from = Instant.parse("2026-01-30T00:00:00Z");
    Instant until = Instant.parse("2026-02-01T00:00:00Z");
    List<Instant> times = new ArrayList<>();
    for (byte[] line : streamOrder(s)) {
      try {
        times.add(
            OffsetDateTime.parse(
                    Json.MAPPER.readTree(strictUtf8(line)).path("event_time").asText(),
                    DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .toInstant());
      } catch (IOException | RuntimeException badLine) {
        // not JSON, not UTF-8 or no parseable event time
      }
    }
    assertThat(times.size(), is(greaterThan(90)));
    assertThat(times, everyItem(is(both(greaterThanOrEqualTo(from)).and(lessThan(until)))));
  }
}
