package io.beamline.pipelines.generate;

import static io.beamline.transforms.model.DeadLetterReason.DECRYPT_FAILED;
import static io.beamline.transforms.model.DeadLetterReason.INVALID_ENVELOPE_FIELD;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;
import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_KEY;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_TABLE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.options.GenerateOptions;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.model.DeadLetterReason;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes sample {@code shop} envelopes, one JSON object per line, for demos and end-to-end tests:
 * {@code orders} (with 1-8 {@code items} exploded into {@code order_items}), {@code customers} and
 * {@code payments} of a few tenants, most payloads AES-256-GCM encrypted with the keyring. A share
 * of the lines is bad, spread round-robin over every {@link BadKind}, and a share repeats earlier
 * good lines byte for byte. The returned {@link GeneratedSample} says exactly what a correct
 * pipeline makes of the files.
 *
 * <p>Of {@code count} lines, {@code round(count * badFraction)} are bad and {@code round(count *
 * duplicateFraction)} are duplicates (at least one good line precedes them); the rest are good
 * events of about 60 % orders, 20 % customers and 20 % payments, about 10 % of them unencrypted.
 * OVERSIZED lines (over {@link #MAX_LINE_BYTES} bytes) are rare: {@code max(1, count / 2000)} of
 * them when {@code count >= 1000} and there are bad lines, none otherwise; the other bad lines are
 * assigned round-robin over {@link BadKind#ROTATION}. Apart from the duplicates every line is
 * distinct. Lines go round-robin to {@code files} files {@code events-00000.jsonl}, ...; line
 * {@code i} of the stream is line {@code i / files} of file {@code i % files}.
 *
 * <p>Plain Java, no Beam pipeline. The same configuration (seed included) and keyring write
 * byte-identical files. Each file is written under a temporary name and then renamed, so a reader
 * never sees half a file. Files are written as bytes: some bad lines are deliberately not UTF-8.
 */
public final class SampleEventGenerator {
  /** The source every sample event belongs to. */
  public static final String SOURCE = "shop";

  /** Longest line the file reader accepts; longer lines are dead-lettered as OVERSIZED. */
  public static final int MAX_LINE_BYTES = 1_048_576;

  /** Tenants of the good events. */
  public static final List<String> TENANTS = List.of("acme", "globex", "initech", "umbrella");

  /** Etl tables the good events make rows in. */
  public static final List<String> ETL_TABLES =
      List.of("orders", "order_items", "customers", "payments");

  /** At most one oversized line per this many events. */
  static final int EVENTS_PER_OVERSIZED = 2_000;

  /** From this count on (with bad lines at all), at least one line is oversized. */
  static final int MIN_COUNT_FOR_OVERSIZED = 1_000;

  /** Most output files: each is open for the whole run. */
  static final int MAX_FILES = 1_000;

  private static final double UNENCRYPTED_SHARE = 0.10;
  private static final int DUPLICATE_POOL = 4_096;
  /** How far an in-order event time strays from its line's place: well under 30 s out of order. */
  static final long IN_ORDER_JITTER_MILLIS = 10_000;
  private static final String FILE_FORMAT = "events-%05d.jsonl";
  private static final Pattern EVENT_FILE = Pattern.compile("events-([0-9]{5,})\\.jsonl");
  private static final String UTF8_MARK = "#~BAD_UTF8~#";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);

  /**
   * The kinds of bad line, each with the dead-letter reason a correct pipeline gives it. Bad lines
   * are assigned round-robin in {@link #ROTATION} order (OVERSIZED_LINE apart, see {@link
   * SampleEventGenerator}), so a small count still covers the first kinds and 22 bad lines cover
   * them all.
   */
  public enum BadKind {
    /** Text that is not JSON, or not strict JSON (unquoted names, duplicate keys, two values). */
    NON_JSON(MALFORMED_JSON),
    /** A good line cut off in the middle. */
    TRUNCATED_JSON(MALFORMED_JSON),
    /** A good envelope wrapped in a JSON array. */
    JSON_ARRAY(MALFORMED_JSON),
    /** A JSON string or number (an envelope double-encoded as a string among them). */
    JSON_SCALAR(MALFORMED_JSON),
    /** event_id, tenant, source, table, event_time or payload absent or null. */
    MISSING_ENVELOPE_FIELD(DeadLetterReason.MISSING_ENVELOPE_FIELD),
    /** event_id, tenant, source, table, event_time or payload the empty string. */
    EMPTY_ENVELOPE_FIELD(DeadLetterReason.MISSING_ENVELOPE_FIELD),
    /** tenant with '/', '..', upper case or a space. */
    INVALID_TENANT(INVALID_ENVELOPE_FIELD),
    /** key_id not in the keyring (payload otherwise well encrypted). */
    UNKNOWN_KEY_ID(UNKNOWN_KEY),
    /** One ciphertext bit flipped. */
    TAMPERED_CIPHERTEXT(DECRYPT_FAILED),
    /** One authentication tag bit flipped. */
    TAMPERED_TAG(DECRYPT_FAILED),
    /** A payload sealed for another event_id (additional authenticated data mismatch). */
    PAYLOAD_OF_OTHER_EVENT(DECRYPT_FAILED),
    /** An encrypted payload that is not valid base64. */
    INVALID_BASE64(DECRYPT_FAILED),
    /** Well encrypted plaintext that is not a JSON object: text, array, string, number, bad UTF-8. */
    PLAINTEXT_NOT_OBJECT(MALFORMED_JSON),
    /** A valid table name without schema. */
    UNKNOWN_TABLE_NAME(UNKNOWN_TABLE),
    /** A required field absent or null. */
    MISSING_REQUIRED_FIELD(SCHEMA_VIOLATION),
    /** A value of the wrong JSON type. */
    WRONG_TYPE(SCHEMA_VIOLATION),
    /** A number below min or above max. */
    OUT_OF_RANGE(SCHEMA_VIOLATION),
    /** A string that breaks the field's pattern. */
    BROKEN_PATTERN(SCHEMA_VIOLATION),
    /** A string outside the field's enum. */
    BROKEN_ENUM(SCHEMA_VIOLATION),
    /** One order item that breaks the order_items schema (or is no object). */
    BAD_CHILD_ITEM(SCHEMA_VIOLATION),
    /** event_time a string that is not ISO-8601 with an offset or Z. */
    UNPARSEABLE_EVENT_TIME(INVALID_ENVELOPE_FIELD),
    /** A line that is not valid UTF-8 (raw bytes such as 0xC3 0x28 inside a JSON string). */
    INVALID_UTF8(MALFORMED_JSON),
    /** A line longer than {@link #MAX_LINE_BYTES}; rare, see {@link SampleEventGenerator}. */
    OVERSIZED_LINE(OVERSIZED);

    /** Every kind but OVERSIZED_LINE, in the round-robin order bad lines are assigned in. */
    public static final List<BadKind> ROTATION =
        List.of(values()).subList(0, values().length - 1);

    private final DeadLetterReason expectedReason;

    BadKind(DeadLetterReason expectedReason) {
      this.expectedReason = expectedReason;
    }

    public DeadLetterReason expectedReason() {
      return expectedReason;
    }
  }

  private final int count;
  private final Path outputPath;
  private final Keyring keyring;
  private final double badFraction;
  private final double duplicateFraction;
  private final int files;
  private final int days;
  private final LocalDate endDate;
  private final long seed;
  private final boolean inOrder;

  private SampleEventGenerator(Builder b) {
    this.count = b.count;
    this.outputPath = b.outputPath;
    this.keyring = b.keyring;
    this.badFraction = b.badFraction;
    this.duplicateFraction = b.duplicateFraction;
    this.files = b.files;
    this.days = b.days;
    this.endDate = b.endDate;
    this.seed = b.seed;
    this.inOrder = b.inOrder;
  }

  /** A builder with the defaults of the {@code generate} command; outputPath and keyring needed. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A generator configured by the {@code generate} command's options. Creates the keyring file
   * with two fresh keys when it does not exist (see {@link #writeKeyringIfMissing(Path)}).
   */
  public static SampleEventGenerator fromOptions(GenerateOptions options) throws IOException {
    if (options.getOutputPath() == null || options.getOutputPath().isEmpty()) {
      throw new IllegalArgumentException("--outputPath is required");
    }
    return fromOptions(options, Path.of(options.getOutputPath()));
  }

  /** {@link #fromOptions(GenerateOptions)}, writing into {@code outputDir} instead. */
  public static SampleEventGenerator fromOptions(GenerateOptions options, Path outputDir)
      throws IOException {
    if (options.getKeyringPath() == null || options.getKeyringPath().isEmpty()) {
      throw new IllegalArgumentException("--keyringPath is required");
    }
    LocalDate end;
    try {
      end = LocalDate.parse(options.getEndDate());
    } catch (DateTimeParseException | NullPointerException e) {
      throw new IllegalArgumentException(
          "--endDate must be a date YYYY-MM-DD, got " + options.getEndDate());
    }
    Builder b =
        builder()
            .count(options.getCount())
            .outputPath(outputDir)
            .badFraction(options.getBadFraction())
            .duplicateFraction(options.getDuplicateFraction())
            .files(options.getFiles())
            .days(options.getDays())
            .endDate(end)
            .seed(options.getSeed())
            .eventTimesInOrder(options.getEventTimesInOrder());
    b.validate(false);
    return b.keyring(writeKeyringIfMissing(Path.of(options.getKeyringPath()))).build();
  }

  /**
   * A fresh keyring: payload keys {@code k1} and {@code k2} for every tenant, and a pii key
   * ({@code pii-<tenant>}) for each of {@link #TENANTS}, all random AES-256 keys.
   */
  public static Keyring newKeyring() {
    SecureRandom random = new SecureRandom();
    return Keyring.generate(random, "k1", "k2").withPiiKeysFor(random, TENANTS);
  }

  /**
   * Returns the keyring at {@code path}, first creating it with {@link #newKeyring()} when no file
   * is there. The new file is readable by its owner only
   * where the file system has POSIX permissions, and appears whole: it is written under a
   * temporary name and then linked (or moved) into place, never over a keyring that appeared in
   * the meantime.
   */
  public static Keyring writeKeyringIfMissing(Path path) throws IOException {
    if (!Files.exists(path)) {
      Path dir = path.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = ownerOnlyTempFile(dir);
      try {
        Files.writeString(
            tmp,
            newKeyring().toFileJson() + "\n",
            StandardCharsets.UTF_8);
        try {
          Files.createLink(path, tmp);
        } catch (FileAlreadyExistsException createdMeanwhile) {
          // Someone else created it first: theirs is the keyring.
        } catch (UnsupportedOperationException | IOException noHardLinks) {
          try {
            Files.move(tmp, path);
          } catch (FileAlreadyExistsException createdMeanwhile) {
            // Theirs is the keyring.
          }
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return Keyring.load(path);
  }

  private static Path ownerOnlyTempFile(Path dir) throws IOException {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createTempFile(
          dir,
          ".keyring-",
          ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Path tmp = Files.createTempFile(dir, ".keyring-", ".tmp");
    java.io.File f = tmp.toFile();
    // Best effort where there are no POSIX permissions.
    f.setReadable(false, false);
    f.setReadable(true, true);
    f.setWritable(false, false);
    f.setWritable(true, true);
    return tmp;
  }

  /**
   * Writes the files and returns what they hold. Files {@code events-NNNNN.jsonl} of an earlier
   * run beyond this run's file count are deleted, so the directory holds exactly this sample.
   */
  public GeneratedSample generate() throws IOException {
    Files.createDirectories(outputPath);
    Run run = new Run(new Random(seed));
    byte[] slots = run.plan();
    BadKind[] badKinds = run.badKinds();

    List<Path> finals = new ArrayList<>();
    List<Path> temps = new ArrayList<>();
    OutputStream[] outs = new OutputStream[files];
    boolean done = false;
    try {
      for (int f = 0; f < files; f++) {
        String name = String.format(Locale.ROOT, FILE_FORMAT, f);
        finals.add(outputPath.resolve(name));
        temps.add(outputPath.resolve("." + name + ".tmp"));
        outs[f] = new BufferedOutputStream(Files.newOutputStream(temps.get(f)), 1 << 16);
      }
      int bad = 0;
      for (int i = 0; i < count; i++) {
        run.line = i;
        byte[] line;
        switch (slots[i]) {
          case Run.GOOD:
            line = run.goodLine();
            break;
          case Run.DUPLICATE:
            line = run.duplicateLine();
            break;
          default:
            line = run.badLine(badKinds[bad++]);
        }
        OutputStream out = outs[i % files];
        out.write(line);
        out.write('\n');
      }
      for (OutputStream out : outs) {
        out.close();
      }
      for (int f = 0; f < files; f++) {
        moveIntoPlace(temps.get(f), finals.get(f));
      }
      done = true;
    } finally {
      if (!done) {
        for (OutputStream out : outs) {
          closeQuietly(out);
        }
        for (Path tmp : temps) {
          Files.deleteIfExists(tmp);
        }
      }
    }
    deleteStaleFiles();
    return run.summary(finals);
  }

  private static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void closeQuietly(OutputStream out) {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // Already failing; the temporary file is deleted next.
      }
    }
  }

  private void deleteStaleFiles() throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputPath)) {
      for (Path p : entries) {
        Matcher m = EVENT_FILE.matcher(p.getFileName().toString());
        if (m.matches() && (m.group(1).length() > 9 || Integer.parseInt(m.group(1)) >= files)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** One generation run: the seeded random source and the counts so far. */
  private final class Run {
    static final byte GOOD = 0;
    static final byte BAD = 1;
    static final byte DUPLICATE = 2;

    private final Random r;
    private final List<String> keyIds;
    private final List<String> unknownKeyIds;
    private final Instant start;
    private final long spanMillis;
    private final int[] variants = new int[BadKind.values().length];
    private final List<byte[]> pool = new ArrayList<>();
    private final Map<String, Long> rows = new TreeMap<>();
    private final EnumMap<DeadLetterReason, Long> reasons = new EnumMap<>(DeadLetterReason.class);
    private final EnumMap<BadKind, Long> kinds = new EnumMap<>(BadKind.class);
    private int keyTurn;
    private long goodWritten;
    private long duplicatesWritten;
    private int goodCount;
    private int badCount;
    private int duplicateCount;
    private int oversizedCount;
    /** The line being written, for event times in order. */
    private int line;
    private byte[] latestGood;

    Run(Random r) {
      this.r = r;
      // Keys every tenant may use: a tenant's own key would not open another tenant's events.
      this.keyIds = new ArrayList<>(keyring.sharedKeyIds());
      this.unknownKeyIds = new ArrayList<>();
      for (String id : List.of("k0", "retired-2024", "k9", "K1")) {
        String candidate = id;
        while (keyring.allKeyIds().contains(candidate)) {
          candidate = candidate + "x";
        }
        unknownKeyIds.add(candidate);
      }
      this.start = endDate.minusDays(days - 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
      this.spanMillis = days * 86_400_000L;
      for (String t : ETL_TABLES) {
        rows.put(t, 0L);
      }
    }

    /** Decides, line by line, good, bad or duplicate; no duplicate before the first good line. */
    byte[] plan() {
      badCount = (int) Math.min(count, Math.round(count * badFraction));
      duplicateCount = (int) Math.min(count - badCount, Math.round(count * duplicateFraction));
      goodCount = count - badCount - duplicateCount;
      if (goodCount == 0 && duplicateCount > 0) {
        duplicateCount--;
        goodCount++;
      }
      byte[] slots = new byte[count];
      int i = 0;
      for (int n = 0; n < badCount; n++) {
        slots[i++] = BAD;
      }
      for (int n = 0; n < duplicateCount; n++) {
        slots[i++] = DUPLICATE;
      }
      shuffle(slots);
      int firstGood = -1;
      for (int k = 0; k < count && firstGood < 0; k++) {
        if (slots[k] == GOOD) {
          firstGood = k;
        }
      }
      for (int k = 0; k < firstGood; k++) {
        if (slots[k] == DUPLICATE) {
          slots[k] = GOOD;
          slots[firstGood] = DUPLICATE;
          break;
        }
      }
      return slots;
    }

    /** The kind of each bad line in stream order: counts round-robin, order shuffled. */
    BadKind[] badKinds() {
      oversizedCount =
          badCount > 0 && count >= MIN_COUNT_FOR_OVERSIZED
              ? Math.min(badCount, Math.max(1, count / EVENTS_PER_OVERSIZED))
              : 0;
      BadKind[] kindsInOrder = new BadKind[badCount];
      for (int k = 0; k < badCount; k++) {
        kindsInOrder[k] =
            k < oversizedCount
                ? BadKind.OVERSIZED_LINE
                : BadKind.ROTATION.get((k - oversizedCount) % BadKind.ROTATION.size());
      }
      for (int k = kindsInOrder.length - 1; k > 0; k--) {
        int j = r.nextInt(k + 1);
        BadKind t = kindsInOrder[k];
        kindsInOrder[k] = kindsInOrder[j];
        kindsInOrder[j] = t;
      }
      return kindsInOrder;
    }

    private void shuffle(byte[] a) {
      for (int k = a.length - 1; k > 0; k--) {
        int j = r.nextInt(k + 1);
        byte t = a[k];
        a[k] = a[j];
        a[j] = t;
      }
    }

    GeneratedSample summary(List<Path> written) {
      if (goodWritten != goodCount || duplicatesWritten != duplicateCount) {
        throw new IllegalStateException("the plan and the lines written disagree");
      }
      Map<String, Long> reasonNames = new TreeMap<>();
      reasons.forEach((k, v) -> reasonNames.put(k.name(), v));
      Map<String, Long> kindNames = new TreeMap<>();
      kinds.forEach((k, v) -> kindNames.put(k.name(), v));
      return new GeneratedSample(
          count, goodWritten, duplicatesWritten, reasonNames, rows, kindNames, written);
    }

    // ---------------------------------------------------------------- good lines and duplicates

    byte[] goodLine() {
      Event e = newEvent(randomTable());
      byte[] line = bytes(envelope(e, r.nextDouble() >= UNENCRYPTED_SHARE));
      goodWritten++;
      latestGood = line;
      rows.merge(e.table, 1L, Long::sum);
      if (e.items > 0) {
        rows.merge("order_items", (long) e.items, Long::sum);
      }
      // Reservoir sample of the good lines so far, for duplicates later in the stream.
      if (pool.size() < DUPLICATE_POOL) {
        pool.add(line);
      } else {
        long j = (long) (r.nextDouble() * goodWritten);
        if (j < DUPLICATE_POOL) {
          pool.set((int) j, line);
        }
      }
      return line;
    }

    byte[] duplicateLine() {
      duplicatesWritten++;
      return inOrder ? latestGood : pool.get(r.nextInt(pool.size()));
    }

    private String randomTable() {
      int t = r.nextInt(10);
      return t < 6 ? "orders" : t < 8 ? "customers" : "payments";
    }

    // ---------------------------------------------------------------------------- bad lines

    byte[] badLine(BadKind kind) {
      int v = variants[kind.ordinal()]++;
      kinds.merge(kind, 1L, Long::sum);
      reasons.merge(kind.expectedReason(), 1L, Long::sum);
      switch (kind) {
        case NON_JSON:
          return nonJson(v);
        case TRUNCATED_JSON:
          {
            String line = string(envelope(newEvent(randomTable()), encryptNow()));
            int cut = line.length() / 4 + r.nextInt(line.length() / 2);
            return utf8(line.substring(0, cut));
          }
        case JSON_ARRAY:
          return utf8("[" + string(envelope(newEvent(randomTable()), encryptNow())) + "]");
        case JSON_SCALAR:
          return jsonScalar(v);
        case MISSING_ENVELOPE_FIELD:
          {
            Map<String, Object> env = envelope(newEvent(randomTable()), encryptNow());
            String[] fields = {
              "event_id", "tenant", "source", "table", "event_time", "payload", "event_id", "payload"
            };
            String field = fields[v % fields.length];
            if (v % fields.length >= 6) {
              env.put(field, null);
            } else {
              env.remove(field);
            }
            return bytes(env);
          }
        case EMPTY_ENVELOPE_FIELD:
          {
            Map<String, Object> env = envelope(newEvent(randomTable()), encryptNow());
            String[] fields = {"event_id", "tenant", "source", "table", "event_time", "payload"};
            env.put(fields[v % fields.length], "");
            return bytes(env);
          }
        case INVALID_TENANT:
          {
            Map<String, Object> env = envelope(newEvent(randomTable()), encryptNow());
            String[] tenants = {"acme/../globex", "..", "ACME", "Initech", "umbrella/eu", "acme corp"};
            env.put("tenant", tenants[v % tenants.length]);
            return bytes(env);
          }
        case UNKNOWN_KEY_ID:
          {
            Map<String, Object> env = envelope(newEvent(randomTable()), true);
            env.put("key_id", unknownKeyIds.get(v % unknownKeyIds.size()));
            return bytes(env);
          }
        case TAMPERED_CIPHERTEXT:
        case TAMPERED_TAG:
          {
            Map<String, Object> env = envelope(newEvent(randomTable()), true);
            byte[] sealed = Base64.getDecoder().decode((String) env.get("payload"));
            int at =
                kind == BadKind.TAMPERED_TAG
                    ? sealed.length - 16 + r.nextInt(16)
                    : 12 + r.nextInt(sealed.length - 28);
            sealed[at] ^= (byte) (1 << r.nextInt(8));
            env.put("payload", Base64.getEncoder().encodeToString(sealed));
            return bytes(env);
          }
        case PAYLOAD_OF_OTHER_EVENT:
          {
            Event e = newEvent(randomTable());
            return bytes(sealedEnvelope(e, uuid(), jsonBytes(e.payload)));
          }
        case INVALID_BASE64:
          {
            Map<String, Object> env = envelope(newEvent(randomTable()), true);
            String b64 = (String) env.get("payload");
            int at = r.nextInt(b64.length());
            String broken;
            switch (v % 3) {
              case 0:
                broken = b64.substring(0, at) + "!" + b64.substring(at);
                break;
              case 1:
                broken = b64.substring(0, at) + "$" + b64.substring(at + 1);
                break;
              default:
                broken = "not base64 at all";
            }
            env.put("payload", broken);
            return bytes(env);
          }
        case PLAINTEXT_NOT_OBJECT:
          return plaintextNotObject(v);
        case UNKNOWN_TABLE_NAME:
          {
            Map<String, Object> env = envelope(newEvent(randomTable()), encryptNow());
            String[] tables = {"refunds", "shipments", "order_events", "wishlists"};
            env.put("table", tables[v % tables.length]);
            return bytes(env);
          }
        case MISSING_REQUIRED_FIELD:
          return mutated(MISSING_REQUIRED, v);
        case WRONG_TYPE:
          return mutated(WRONG_TYPES, v);
        case OUT_OF_RANGE:
          return mutated(OUT_OF_RANGES, v);
        case BROKEN_PATTERN:
          return mutated(BROKEN_PATTERNS, v);
        case BROKEN_ENUM:
          return mutated(BROKEN_ENUMS, v);
        case BAD_CHILD_ITEM:
          return badChildItem(v);
        case UNPARSEABLE_EVENT_TIME:
          {
            Event e = newEvent(randomTable());
            Map<String, Object> env = envelope(e, encryptNow());
            env.put("event_time", unparseableTime(e.time, v));
            return bytes(env);
          }
        case INVALID_UTF8:
          return invalidUtf8(v);
        case OVERSIZED_LINE:
          return oversized();
        default:
          throw new IllegalStateException("unhandled bad kind " + kind);
      }
    }

    private boolean encryptNow() {
      return r.nextDouble() >= UNENCRYPTED_SHARE;
    }

    private byte[] nonJson(int v) {
      String id = uuid();
      switch (v % 6) {
        case 0:
          return utf8("this is not json: order " + id + " for acme");
        case 1:
          return utf8("<event id=\"" + id + "\"><tenant>acme</tenant><table>orders</table></event>");
        case 2:
          return utf8("event_id=" + id + ";tenant=globex;source=shop;table=payments");
        case 3:
          return utf8("{event_id: '" + id + "', tenant: 'initech', source: 'shop'}");
        case 4:
          {
            // Duplicate keys: the strict parser rejects them.
            String line = string(envelope(newEvent(randomTable()), encryptNow()));
            return utf8(line.substring(0, line.length() - 1) + ",\"tenant\":\"acme\"}");
          }
        default:
          {
            // Two JSON objects on one line: trailing tokens are rejected.
            String line = string(envelope(newEvent(randomTable()), encryptNow()));
            return utf8(line + " " + line);
          }
      }
    }

    /** A JSON scalar; each one distinct, so that only duplicates repeat a line. */
    private byte[] jsonScalar(int v) {
      switch (v % 4) {
        case 0:
          return utf8("\"" + uuid() + "\"");
        case 1:
          return utf8(Long.toString(r.nextLong() & Long.MAX_VALUE));
        case 2:
          return utf8(BigDecimal.valueOf(r.nextLong() & Long.MAX_VALUE, 4).toPlainString());
        default:
          // A double-encoded envelope: a JSON string holding the object's text.
          return utf8(string(string(envelope(newEvent(randomTable()), encryptNow()))));
      }
    }

    private byte[] plaintextNotObject(int v) {
      Event e = newEvent(randomTable());
      byte[] plaintext;
      switch (v % 5) {
        case 0:
          plaintext = utf8("order " + e.eventId + " shipped, see attachment");
          break;
        case 1:
          plaintext = utf8("[" + string(e.payload) + "]");
          break;
        case 2:
          plaintext = utf8(string(string(e.payload)));
          break;
        case 3:
          plaintext = utf8(Integer.toString(r.nextInt(100_000)));
          break;
        default:
          {
            // Not UTF-8: the decrypt stage rejects it as malformed JSON too.
            byte[] json = jsonBytes(e.payload);
            json[json.length / 2] = (byte) 0xC3;
            json[json.length / 2 + 1] = (byte) 0x28;
            plaintext = json;
          }
      }
      return bytes(sealedEnvelope(e, e.eventId, plaintext));
    }

    private byte[] mutated(List<Mutation> mutations, int v) {
      Mutation m = mutations.get(v % mutations.size());
      Event e = newEvent(m.table);
      m.change.accept(e.payload, r);
      return bytes(envelope(e, encryptNow()));
    }

    private byte[] badChildItem(int v) {
      Event e = newEvent("orders");
      List<Object> items = list(e.payload, "items");
      int at = r.nextInt(items.size());
      Map<String, Object> item = obj(items, at);
      switch (v % 9) {
        case 0:
          item.put("category", "weapons");
          break;
        case 1:
          item.put("quantity", 0);
          break;
        case 2:
          item.put("sku", "SKU-" + r.nextInt(1000));
          break;
        case 3:
          item.remove("unit_price");
          break;
        case 4:
          item.put("unit_price", new BigDecimal("19.999"));
          break;
        case 5:
          items.set(at, "SKU-00001 x 2");
          break;
        case 6:
          item.put("discount", new BigDecimal("1.50"));
          break;
        case 7:
          item.put("line_no", 0);
          break;
        default:
          item.put("quantity", "2");
      }
      return bytes(envelope(e, encryptNow()));
    }

    private String unparseableTime(Instant t, int v) {
      java.time.OffsetDateTime utc = t.atOffset(ZoneOffset.UTC);
      switch (v % 7) {
        case 0:
          return utc.format(DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT));
        case 1:
          return utc.toLocalDateTime().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        case 2:
          return Long.toString(t.toEpochMilli());
        case 3:
          return utc.format(DateTimeFormatter.ofPattern("dd/MM/uuuu HH:mm:ss", Locale.ROOT));
        case 4:
          return "yesterday";
        case 5:
          return utc.getYear() + "-02-30T10:00:00Z";
        default:
          return t.atOffset(ZoneOffset.ofHours(2))
              .format(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSxx", Locale.ROOT));
      }
    }

    private byte[] invalidUtf8(int v) {
      byte[][] badBytes = {
        {(byte) 0xC3, (byte) 0x28}, {(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}
      };
      Map<String, Object> env;
      switch (v % 3) {
        case 0:
          {
            Event e = newEvent("customers");
            Map<String, Object> name = obj(e.payload, "name");
            name.put("last", "M" + UTF8_MARK + "ller");
            env = envelope(e, false);
            break;
          }
        case 1:
          {
            Event e = newEvent("orders");
            obj(e.payload, "customer")
                .put("address", address("K" + UTF8_MARK + "ln", "DE"));
            env = envelope(e, false);
            break;
          }
        default:
          {
            Event e = newEvent(randomTable());
            env = envelope(e, true);
            env.put("event_id", e.eventId + UTF8_MARK);
          }
      }
      byte[] line = bytes(env);
      byte[] mark = utf8(UTF8_MARK);
      int at = indexOf(line, mark);
      byte[] bad = badBytes[(v / 3) % badBytes.length];
      byte[] out = new byte[line.length - mark.length + bad.length];
      System.arraycopy(line, 0, out, 0, at);
      System.arraycopy(bad, 0, out, at, bad.length);
      System.arraycopy(line, at + mark.length, out, at + bad.length, line.length - at - mark.length);
      return out;
    }

    private byte[] oversized() {
      Event e = newEvent("orders");
      e.payload.put("gift_message", "");
      Map<String, Object> env = envelope(e, false);
      int base = bytes(env).length;
      int target = MAX_LINE_BYTES + 1 + r.nextInt(64 * 1024);
      String sentence = "Happy birthday, and enjoy the garden tools! ";
      StringBuilder filler = new StringBuilder(target - base);
      while (filler.length() < target - base) {
        filler.append(sentence);
      }
      filler.setLength(target - base);
      e.payload.put("gift_message", filler.toString());
      return bytes(envelope(e, false));
    }

    // ------------------------------------------------------------------------------- events

    private Event newEvent(String table) {
      Instant time =
          inOrder
              ? start.plusMillis(
                  Math.max(
                      0,
                      Math.min(
                          spanMillis - 1,
                          spanMillis * line / count + (long) ((r.nextDouble() - 0.5) * IN_ORDER_JITTER_MILLIS))))
              : start.plusMillis((long) (r.nextDouble() * spanMillis));
      String eventTime =
          r.nextInt(8) == 0
              ? TIME.format(time.atOffset(ZoneOffset.ofHours(2)))
              : TIME.format(time.atOffset(ZoneOffset.UTC));
      Event e = new Event(uuid(), TENANTS.get(r.nextInt(TENANTS.size())), table, time, eventTime);
      switch (table) {
        case "orders":
          order(e);
          break;
        case "customers":
          customer(e);
          break;
        case "payments":
          payment(e);
          break;
        default:
          throw new IllegalArgumentException("no sample payload for table " + table);
      }
      return e;
    }

    private void order(Event e) {
      String[] place = PLACES[r.nextInt(PLACES.length)];
      int lines = 1 + r.nextInt(8);
      List<Object> items = new ArrayList<>();
      BigDecimal total = BigDecimal.ZERO;
      int units = 0;
      for (int n = 1; n <= lines; n++) {
        int c = r.nextInt(CATEGORIES.length);
        int quantity = 1 + r.nextInt(r.nextInt(4) == 0 ? 12 : 3);
        BigDecimal price =
            BigDecimal.valueOf(PRICE_FROM_CENTS[c] + r.nextInt(PRICE_SPAN_CENTS[c]), 2);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("line_no", n);
        item.put("sku", String.format(Locale.ROOT, "SKU-%05d", r.nextInt(100_000)));
        item.put("category", CATEGORIES[c]);
        // Not in the order_items schema: lands in the row's _extra.
        item.put("title", TITLES[c][r.nextInt(TITLES[c].length)]);
        item.put("quantity", quantity);
        item.put("unit_price", price);
        BigDecimal line = price.multiply(BigDecimal.valueOf(quantity));
        if (r.nextInt(4) == 0) {
          BigDecimal discount = BigDecimal.valueOf(5L * (1 + r.nextInt(6)), 2);
          item.put("discount", discount);
          line = line.multiply(BigDecimal.ONE.subtract(discount));
        }
        items.add(item);
        total = total.add(line);
        units += quantity;
      }
      Map<String, Object> customer = new LinkedHashMap<>();
      customer.put("id", customerId());
      if (r.nextInt(8) != 0) {
        customer.put("address", address(place[0], place[1]));
      }
      Map<String, Object> p = e.payload;
      p.put("order_id", orderId());
      p.put("customer", customer);
      p.put("total", total.setScale(2, RoundingMode.HALF_UP));
      p.put("currency", place[2]);
      p.put("status", ORDER_STATUS[r.nextInt(ORDER_STATUS.length)]);
      if (r.nextInt(5) != 0) {
        p.put("item_count", units);
      }
      if (r.nextBoolean()) {
        p.put("express", r.nextInt(4) == 0);
      }
      p.put("created_at", timestamp(e.time.minusMillis(r.nextInt(600_000))));
      if (r.nextInt(5) < 3) {
        p.put(
            "delivery_date",
            e.time.atOffset(ZoneOffset.UTC).toLocalDate().plusDays(1 + r.nextInt(7)).toString());
      }
      if (r.nextInt(3) == 0) {
        List<String> tags = new ArrayList<>();
        tags.add(TAGS[r.nextInt(TAGS.length)]);
        if (r.nextBoolean()) {
          tags.add(TAGS[r.nextInt(TAGS.length)]);
        }
        p.put("tags", tags); // an array the schema does not explode: stored as a JSON string
      }
      p.put("items", items);
      e.items = lines;
    }

    private void customer(Event e) {
      String first = FIRST_NAMES[r.nextInt(FIRST_NAMES.length)];
      String[] last = LAST_NAMES[r.nextInt(LAST_NAMES.length)];
      String[] place = PLACES[r.nextInt(PLACES.length)];
      Map<String, Object> name = new LinkedHashMap<>();
      name.put("first", first);
      name.put("last", last[0]);
      Map<String, Object> p = e.payload;
      p.put("customer_id", customerId());
      p.put(
          "email",
          first.toLowerCase(Locale.ROOT) + "." + last[1] + r.nextInt(1000) + "@"
              + EMAIL_DOMAINS[r.nextInt(EMAIL_DOMAINS.length)]);
      p.put("name", name);
      if (r.nextInt(10) != 0) {
        p.put("birth_date", LocalDate.of(1950, 1, 1).plusDays(r.nextInt(20_000)).toString());
      }
      Map<String, Object> address = address(place[0], place[1]);
      // Street and postal code are not in the customers schema: they land in _extra.
      address.put("street", STREETS[r.nextInt(STREETS.length)] + " " + (1 + r.nextInt(120)));
      address.put("postal_code", String.format(Locale.ROOT, "%05d", r.nextInt(100_000)));
      p.put("address", address);
      if (r.nextInt(5) != 0) {
        p.put("loyalty_points", (long) r.nextInt(25_000));
      }
      if (r.nextInt(4) != 0) {
        p.put("marketing_opt_in", r.nextBoolean());
      }
      p.put(
          "signed_up_at",
          timestamp(e.time.minusSeconds(60L + r.nextInt(3 * 365 * 86_400))));
      if (r.nextInt(6) == 0) {
        // A field the schema does not know yet: it lands in _extra.
        p.put("referrer", REFERRERS[r.nextInt(REFERRERS.length)]);
      }
    }

    private void payment(Event e) {
      String[] place = PLACES[r.nextInt(PLACES.length)];
      String method = PAYMENT_METHODS[r.nextInt(PAYMENT_METHODS.length)];
      Map<String, Object> p = e.payload;
      p.put("payment_id", "P-" + (10_000_000 + r.nextInt(90_000_000)));
      p.put("order_id", orderId());
      p.put("amount", BigDecimal.valueOf(100 + r.nextInt(250_000), 2));
      p.put("currency", place[2]);
      p.put("method", method);
      switch (method) {
        case "card":
          p.put("card_last4", String.format(Locale.ROOT, "%04d", r.nextInt(10_000)));
          p.put("fee_rate", BigDecimal.valueOf(1 + r.nextInt(3), 2));
          break;
        case "paypal":
          p.put("fee_rate", new BigDecimal("0.03"));
          break;
        case "bank_transfer":
          p.put("fee_rate", new BigDecimal("0.00"));
          break;
        default:
          break;
      }
      p.put("captured", r.nextInt(10) != 0);
      p.put("paid_at", timestamp(e.time.minusMillis(r.nextInt(5_000))));
      // Provider details the schema does not model: they land in _extra.
      Map<String, Object> psp = new LinkedHashMap<>();
      psp.put("provider", PSPS[r.nextInt(PSPS.length)]);
      psp.put("reference", "psp_" + Long.toHexString(r.nextLong() & Long.MAX_VALUE));
      psp.put("auth_code", String.format(Locale.ROOT, "%06d", r.nextInt(1_000_000)));
      psp.put("three_d_secure", "card".equals(method) && r.nextBoolean());
      p.put("psp", psp);
      p.put(
          "statement_descriptor",
          e.tenant.toUpperCase(Locale.ROOT) + "*SHOP " + p.get("order_id"));
    }

    private Map<String, Object> address(String city, String country) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("city", city);
      a.put("country", country);
      return a;
    }

    private String customerId() {
      return "C-" + (100_000 + r.nextInt(900_000));
    }

    private String orderId() {
      return "O-" + (10_000_000 + r.nextInt(90_000_000));
    }

    private String timestamp(Instant t) {
      ZoneOffset offset = PAYLOAD_OFFSETS[r.nextInt(PAYLOAD_OFFSETS.length)];
      return TIME.format(t.atOffset(offset));
    }

    private String uuid() {
      long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
      long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
      return new java.util.UUID(msb, lsb).toString();
    }

    // ----------------------------------------------------------------- envelopes and crypto

    /** The envelope of an event, its payload encrypted with the next key id or left as is. */
    private Map<String, Object> envelope(Event e, boolean encrypt) {
      return encrypt
          ? sealedEnvelope(e, e.eventId, jsonBytes(e.payload))
          : plainEnvelope(e);
    }

    private Map<String, Object> plainEnvelope(Event e) {
      Map<String, Object> env = envelopeHead(e);
      env.put("payload", e.payload);
      return env;
    }

    /** The envelope of an event with {@code plaintext} sealed for {@code sealedFor} as payload. */
    private Map<String, Object> sealedEnvelope(Event e, String sealedFor, byte[] plaintext) {
      Map<String, Object> env = envelopeHead(e);
      String keyId = nextKeyId();
      env.put("key_id", keyId);
      env.put("payload", seal(keyId, sealedFor, plaintext));
      return env;
    }

    private Map<String, Object> envelopeHead(Event e) {
      Map<String, Object> env = new LinkedHashMap<>();
      env.put("event_id", e.eventId);
      env.put("tenant", e.tenant);
      env.put("source", SOURCE);
      env.put("table", e.table);
      env.put("event_time", e.eventTime);
      return env;
    }

    private String nextKeyId() {
      return keyIds.get(keyTurn++ % keyIds.size());
    }
  }

  /**
   * Encrypts with an IV derived from key id, event id and plaintext: deterministic, so the same
   * seed writes the same bytes, yet never the same IV for two different plaintexts under one key
   * (a seeded random IV would repeat across runs that differ only in, say, --endDate, and a
   * repeated AES-GCM IV gives away the key's authentication subkey).
   */
  private String seal(String keyId, String eventId, byte[] plaintext) {
    return keyring.encrypt(keyId, eventId, plaintext, new DerivedIv(keyId, eventId, plaintext));
  }

  /** A Random whose bytes are SHA-256 of what it seals; only {@code nextBytes} is used. */
  private static final class DerivedIv extends Random {
    private static final long serialVersionUID = 1L;
    private final byte[] digest;

    DerivedIv(String keyId, String eventId, byte[] plaintext) {
      super(0L);
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(utf8("beamline-sample-iv\u0000" + keyId + "\u0000" + eventId + "\u0000"));
        sha.update(plaintext);
        this.digest = sha.digest();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-256 is not available", e);
      }
    }

    @Override
    public void nextBytes(byte[] bytes) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = digest[i % digest.length];
      }
    }
  }

  // ----------------------------------------------------------------------------- bad payloads

  /** A change that makes a good payload of {@code table} break its schema. */
  private static final class Mutation {
    final String table;
    final BiConsumer<Map<String, Object>, Random> change;

    Mutation(String table, BiConsumer<Map<String, Object>, Random> change) {
      this.table = table;
      this.change = change;
    }
  }

  private static final List<Mutation> MISSING_REQUIRED =
      List.of(
          new Mutation("orders", (p, r) -> p.remove("order_id")),
          new Mutation("customers", (p, r) -> p.remove("email")),
          new Mutation("payments", (p, r) -> p.remove("captured")),
          new Mutation("orders", (p, r) -> obj(p, "customer").remove("id")),
          new Mutation("customers", (p, r) -> p.put("customer_id", null)),
          new Mutation("payments", (p, r) -> p.remove("amount")),
          new Mutation("orders", (p, r) -> p.remove("total")),
          new Mutation("customers", (p, r) -> p.remove("signed_up_at")),
          new Mutation("payments", (p, r) -> p.remove("paid_at")),
          new Mutation("orders", (p, r) -> p.put("status", null)));

  private static final List<Mutation> WRONG_TYPES =
      List.of(
          new Mutation("orders", (p, r) -> p.put("total", "twelve euros")),
          new Mutation("customers", (p, r) -> p.put("loyalty_points", "many")),
          new Mutation("payments", (p, r) -> p.put("captured", "true")),
          new Mutation("orders", (p, r) -> p.put("express", "yes")),
          new Mutation("customers", (p, r) -> p.put("marketing_opt_in", 1)),
          new Mutation("payments", (p, r) -> p.put("amount", true)),
          new Mutation("orders", (p, r) -> p.put("item_count", "3")),
          new Mutation("customers", (p, r) -> p.put("birth_date", 19870412)),
          new Mutation("payments", (p, r) -> p.put("fee_rate", "low")),
          new Mutation("orders", (p, r) -> p.put("created_at", 1732110312)));

  private static final List<Mutation> OUT_OF_RANGES =
      List.of(
          new Mutation("orders", (p, r) -> p.put("total", new BigDecimal("-1.00"))),
          new Mutation("customers", (p, r) -> p.put("loyalty_points", -5L)),
          new Mutation("payments", (p, r) -> p.put("fee_rate", new BigDecimal("0.35"))),
          new Mutation("orders", (p, r) -> p.put("item_count", 1001)),
          new Mutation("payments", (p, r) -> p.put("amount", new BigDecimal("-20.00"))),
          new Mutation("orders", (p, r) -> p.put("total", new BigDecimal("1000000.01"))));

  private static final List<Mutation> BROKEN_PATTERNS =
      List.of(
          new Mutation("orders", (p, r) -> p.put("order_id", "ORD-" + r.nextInt(1_000_000))),
          new Mutation("customers", (p, r) -> p.put("email", "hannah.schmidt(at)example.com")),
          new Mutation("payments", (p, r) -> p.put("card_last4", "12345")),
          new Mutation(
              "orders",
              (p, r) -> {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("city", "Berlin");
                a.put("country", "Germany");
                obj(p, "customer").put("address", a);
              }),
          new Mutation("customers", (p, r) -> p.put("customer_id", "CUST-" + r.nextInt(1_000))),
          new Mutation("payments", (p, r) -> p.put("payment_id", "PAY-" + r.nextInt(1_000))),
          new Mutation("customers", (p, r) -> p.put("email", "someone@example.COM")),
          new Mutation("orders", (p, r) -> obj(p, "customer").put("id", "C-12a")));

  private static final List<Mutation> BROKEN_ENUMS =
      List.of(
          new Mutation("orders", (p, r) -> p.put("currency", "JPY")),
          new Mutation("payments", (p, r) -> p.put("method", "bitcoin")),
          new Mutation("orders", (p, r) -> p.put("status", "shipped")),
          new Mutation("payments", (p, r) -> p.put("currency", "CHF")),
          new Mutation("orders", (p, r) -> p.put("status", "LOST")));

  // ------------------------------------------------------------------------------ sample data

  /** city, country, currency. */
  private static final String[][] PLACES = {
    {"Berlin", "DE", "EUR"},
    {"München", "DE", "EUR"},
    {"Hamburg", "DE", "EUR"},
    {"Paris", "FR", "EUR"},
    {"Lyon", "FR", "EUR"},
    {"London", "GB", "GBP"},
    {"Manchester", "GB", "GBP"},
    {"Madrid", "ES", "EUR"},
    {"Málaga", "ES", "EUR"},
    {"Milano", "IT", "EUR"},
    {"Amsterdam", "NL", "EUR"},
    {"Wien", "AT", "EUR"},
    {"Zürich", "CH", "EUR"},
    {"Kraków", "PL", "EUR"},
    {"New York", "US", "USD"},
    {"Austin", "US", "USD"},
    {"São Paulo", "BR", "USD"},
  };

  private static final String[] CATEGORIES = {
    "books", "electronics", "garden", "grocery", "toys", "fashion"
  };
  private static final int[] PRICE_FROM_CENTS = {499, 1999, 299, 99, 799, 1499};
  private static final int[] PRICE_SPAN_CENTS = {4000, 150000, 20000, 2000, 10000, 25000};
  /** Product titles by category, in {@link #CATEGORIES} order. */
  private static final String[][] TITLES = {
    {"The Pragmatic Gardener (paperback)", "Data Pipelines Pocket Reference", "Cookbook: Alpine Kitchen"},
    {"USB-C charger 65 W", "Noise-cancelling headphones", "27\" 4K monitor", "Mechanical keyboard"},
    {"Garden hose 20 m", "Pruning shears", "Raised bed kit, larch wood"},
    {"Organic coffee beans 1 kg", "Olive oil extra virgin 0.75 l", "Dark chocolate 85 %"},
    {"Wooden train set", "Puzzle 1000 pieces", "Plush fox"},
    {"Merino sweater", "Rain jacket", "Leather belt"},
  };
  private static final String[] STREETS = {
    "Hauptstraße", "Rue de la Paix", "High Street", "Calle Mayor", "Via Roma", "Kerkstraat",
    "Main Street", "ulica Długa"
  };
  private static final String[] ORDER_STATUS = {"NEW", "PAID", "PAID", "SHIPPED", "CANCELLED"};
  private static final String[] TAGS = {"gift", "first_order", "black_friday", "b2b", "priority"};
  private static final String[] PAYMENT_METHODS = {
    "card", "card", "card", "paypal", "paypal", "bank_transfer", "voucher"
  };
  private static final String[] PSPS = {"adyen", "stripe", "mollie", "paypal"};
  private static final String[] FIRST_NAMES = {
    "Hannah", "Lukas", "Emma", "Noah", "Sofia", "Mateo", "Olivia", "Liam", "Zoe", "Jan", "Marie",
    "Pierre", "Giulia", "Oliver", "Ana", "Piotr"
  };
  /** display name, ASCII spelling for e-mail addresses. */
  private static final String[][] LAST_NAMES = {
    {"Müller", "mueller"},
    {"Schmidt", "schmidt"},
    {"García", "garcia"},
    {"Dubois", "dubois"},
    {"Rossi", "rossi"},
    {"Nowak", "nowak"},
    {"O'Brien", "obrien"},
    {"Smith", "smith"},
    {"de Vries", "devries"},
    {"Jansen", "jansen"},
    {"Łukasiewicz", "lukasiewicz"},
    {"Johnson", "johnson"}
  };
  private static final String[] EMAIL_DOMAINS = {
    "example.com", "mail.example.org", "example.net", "shop-mail.example.de"
  };
  private static final String[] REFERRERS = {
    "newsletter", "partner:globex-affiliates", "search:ads", "friend-invite"
  };
  private static final ZoneOffset[] PAYLOAD_OFFSETS = {
    ZoneOffset.UTC, ZoneOffset.UTC, ZoneOffset.UTC, ZoneOffset.ofHours(1), ZoneOffset.ofHours(2),
    ZoneOffset.ofHours(-5)
  };

  /** An event while it is built; the payload is mutable so bad kinds can break it. */
  private static final class Event {
    final String eventId;
    final String tenant;
    final String table;
    final Instant time;
    final String eventTime;
    final Map<String, Object> payload = new LinkedHashMap<>();
    int items;

    Event(String eventId, String tenant, String table, Instant time, String eventTime) {
      this.eventId = eventId;
      this.tenant = tenant;
      this.table = table;
      this.time = time;
      this.eventTime = eventTime;
    }
  }

  // ----------------------------------------------------------------------------------- helpers

  @SuppressWarnings("unchecked")
  private static Map<String, Object> obj(Map<String, Object> parent, String key) {
    return (Map<String, Object>) parent.get(key);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> obj(List<Object> parent, int index) {
    return (Map<String, Object>) parent.get(index);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> parent, String key) {
    return (List<Object>) parent.get(key);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write sample JSON", e);
    }
  }

  private static byte[] jsonBytes(Object value) {
    return utf8(string(value));
  }

  private static byte[] bytes(Map<String, Object> envelope) {
    return jsonBytes(envelope);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("marker not found");
  }

  /**
   * Configuration of a {@link SampleEventGenerator}. Immutable: every setter returns a new
   * builder, so a builder can be shared and varied. Defaults are those of the {@code generate}
   * command.
   */
  public static final class Builder {
    private final int count;
    private final Path outputPath;
    private final Keyring keyring;
    private final double badFraction;
    private final double duplicateFraction;
    private final int files;
    private final int days;
    private final LocalDate endDate;
    private final long seed;
    private final boolean inOrder;

    private Builder() {
      this(5000, null, null, 0.05, 0.01, 4, 3, LocalDate.of(2026, 11, 20), 42L, false);
    }

    private Builder(
        int count,
        Path outputPath,
        Keyring keyring,
        double badFraction,
        double duplicateFraction,
        int files,
        int days,
        LocalDate endDate,
        long seed,
        boolean inOrder) {
      this.count = count;
      this.outputPath = outputPath;
      this.keyring = keyring;
      this.badFraction = badFraction;
      this.duplicateFraction = duplicateFraction;
      this.files = files;
      this.days = days;
      this.endDate = endDate;
      this.seed = seed;
      this.inOrder = inOrder;
    }

    /**
     * Event times that grow with the line number (a few seconds of jitter), and duplicates that
     * repeat the latest good line, as a producer's retry would: a stream that arrives roughly in
     * event-time order. Without it, event times are spread at random over the days.
     */
    public Builder eventTimesInOrder(boolean value) {
      return new Builder(count, outputPath, keyring, badFraction, duplicateFraction, files, days, endDate, seed, value);
    }

    /** Lines to write, bad lines and duplicates included. */
    public Builder count(int value) {
      return new Builder(value, outputPath, keyring, badFraction, duplicateFraction, files, days, endDate, seed, inOrder);
    }

    /** Directory the files go to; created if missing. */
    public Builder outputPath(Path value) {
      return new Builder(count, value, keyring, badFraction, duplicateFraction, files, days, endDate, seed, inOrder);
    }

    /** Keyring whose key ids encrypt the payloads, in rotation. */
    public Builder keyring(Keyring value) {
      return new Builder(count, outputPath, value, badFraction, duplicateFraction, files, days, endDate, seed, inOrder);
    }

    /** Share of bad lines, 0..1. */
    public Builder badFraction(double value) {
      return new Builder(count, outputPath, keyring, value, duplicateFraction, files, days, endDate, seed, inOrder);
    }

    /** Share of duplicate lines, 0..1. */
    public Builder duplicateFraction(double value) {
      return new Builder(count, outputPath, keyring, badFraction, value, files, days, endDate, seed, inOrder);
    }

    /** Number of files the lines are spread over, round-robin. */
    public Builder files(int value) {
      return new Builder(count, outputPath, keyring, badFraction, duplicateFraction, value, days, endDate, seed, inOrder);
    }

    /** Days of event time, ending at {@link #endDate(LocalDate)}. */
    public Builder days(int value) {
      return new Builder(count, outputPath, keyring, badFraction, duplicateFraction, files, value, endDate, seed, inOrder);
    }

    /** Last day of event time (UTC). */
    public Builder endDate(LocalDate value) {
      return new Builder(count, outputPath, keyring, badFraction, duplicateFraction, files, days, value, seed, inOrder);
    }

    /** Seed of the random source: the same seed (and keyring) writes the same bytes. */
    public Builder seed(long value) {
      return new Builder(count, outputPath, keyring, badFraction, duplicateFraction, files, days, endDate, value, inOrder);
    }

    /** Checks the configuration, naming the command-line option of a bad value. */
    public SampleEventGenerator build() {
      validate(true);
      return new SampleEventGenerator(this);
    }

    private void validate(boolean withKeyring) {
      if (count < 0) {
        throw new IllegalArgumentException("--count must not be negative, got " + count);
      }
      Objects.requireNonNull(outputPath, "--outputPath is required");
      fraction("--badFraction", badFraction);
      fraction("--duplicateFraction", duplicateFraction);
      if (badFraction + duplicateFraction > 1) {
        throw new IllegalArgumentException(
            "--badFraction + --duplicateFraction must not exceed 1, got "
                + (badFraction + duplicateFraction));
      }
      if (files < 1 || files > MAX_FILES) {
        throw new IllegalArgumentException(
            "--files must be between 1 and " + MAX_FILES + ", got " + files);
      }
      Objects.requireNonNull(endDate, "--endDate is required");
      if (days < 1 || days > 36_500 || endDate.getYear() > 9999
          || endDate.minusDays(days - 1L).getYear() < 1) {
        throw new IllegalArgumentException(
            "--days must be between 1 and 36500 and keep event times within 0001..9999, got "
                + days + " days ending " + endDate);
      }
      if (withKeyring) {
        Objects.requireNonNull(keyring, "a keyring (--keyringPath) is required");
        if (keyring.sharedKeyIds().isEmpty()) {
          throw new IllegalArgumentException("the keyring holds no key");
        }
      }
    }

    private static void fraction(String option, double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException(option + " must be between 0 and 1, got " + value);
      }
    }
  }
}
