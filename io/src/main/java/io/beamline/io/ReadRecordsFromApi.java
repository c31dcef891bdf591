package io.beamline.io;

import static io.beamline.transforms.model.DeadLetterReason.FETCH_FAILED;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.Json;
import io.beamline.transforms.ParseEnvelope;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads the records of a cursor-paginated JSON API as unencrypted envelope lines, ready for the
 * shared ETL composite. It GETs the URL, then the URL plus {@code <cursorParam>=<cursor>} while a
 * page names a next cursor; every record in a page's items array becomes one envelope: {@code
 * event_id} and {@code event_time} from the record's fields (left out when the record has none,
 * so that the parser rejects it with its usual reason), {@code tenant}, {@code source} and {@code
 * table} as configured, and the record itself as {@code payload}.
 *
 * <p>A page that still fails after the retries, or is refused (a 4xx other than 429), ends the walk
 * with one {@code FETCH_FAILED} dead letter; a page that is not JSON or has no items array with
 * one {@code MALFORMED_JSON} dead letter (without its cursor the walk cannot go on). Their detail
 * names the page's URL without credentials, their raw holds at most the first {@value
 * #BODY_PREFIX_BYTES} bytes of the body. Records already read are kept.
 *
 * <p>The walk runs in one DoFn call from a single seed element: cursor pagination is sequential,
 * each page's URL comes from the page before, so it cannot be split. The records are then
 * reshuffled so that the rest of the pipeline runs in parallel, and a retry downstream does not
 * walk the API again. For the same API content the output is the same.
 */
public final class ReadRecordsFromApi
    extends PTransform<PBegin, WithFailures.Result<PCollection<String>, DeadLetter>> {
  /** The stage name of this reader's dead letters, the same as the file reader's. */
  public static final String STAGE = ReadEnvelopeLines.STAGE;

  /** At most this many bytes of a failed page's body stay in its dead letter. */
  public static final int BODY_PREFIX_BYTES = 1024;

  private static final TupleTag<String> LINES = new TupleTag<String>("lines") {};

  private final Settings settings;

  private ReadRecordsFromApi(Settings settings) {
    this.settings = settings;
  }

  /**
   * Reads the API whose first page is {@code url}, its records belonging to {@code tenant} and to
   * table {@code table} of {@code source}. Throws {@link IllegalArgumentException} naming the
   * option at a bad value, here and in every {@code with} method.
   */
  public static ReadRecordsFromApi from(String url, String tenant, String source, String table) {
    Settings s = new Settings();
    ApiUrls.parse(url);
    s.url = url.trim();
    s.tenant = name(tenant, "--tenant");
    s.source = name(source, "--source");
    s.table = name(table, "--table");
    return new ReadRecordsFromApi(s);
  }

  /** Query parameter of the next page's cursor (default {@code cursor}). */
  public ReadRecordsFromApi withCursorParam(String param) {
    if (param == null || !param.matches("[A-Za-z0-9_.~-]{1,100}")) {
      throw new IllegalArgumentException("--cursorParam must match [A-Za-z0-9_.~-]{1,100}");
    }
    Settings s = settings.copy();
    s.cursorParam = param;
    return new ReadRecordsFromApi(s);
  }

  /** JSON pointer of a page's items array (default {@code /data}). */
  public ReadRecordsFromApi withItemsPointer(String pointer) {
    Settings s = settings.copy();
    s.itemsPointer = pointer(pointer, "--itemsPointer");
    return new ReadRecordsFromApi(s);
  }

  /** JSON pointer of a page's next cursor (default {@code /next_cursor}). */
  public ReadRecordsFromApi withCursorPointer(String pointer) {
    Settings s = settings.copy();
    s.cursorPointer = pointer(pointer, "--cursorPointer");
    return new ReadRecordsFromApi(s);
  }

  /** A record's field (name or JSON pointer) that becomes {@code event_id} (default {@code id}). */
  public ReadRecordsFromApi withIdField(String field) {
    Settings s = settings.copy();
    s.idPointer = fieldPointer(field, "--idField");
    return new ReadRecordsFromApi(s);
  }

  /** A record's field (name or JSON pointer) that becomes {@code event_time} (default {@code updated_at}). */
  public ReadRecordsFromApi withEventTimeField(String field) {
    Settings s = settings.copy();
    s.eventTimePointer = fieldPointer(field, "--eventTimeField");
    return new ReadRecordsFromApi(s);
  }

  /** Most requests per second, retries included (default 5). */
  public ReadRecordsFromApi withMaxRequestsPerSecond(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("--maxRequestsPerSecond must be a positive number");
    }
    Settings s = settings.copy();
    s.maxRequestsPerSecond = rate;
    return new ReadRecordsFromApi(s);
  }

  /** Retries of a failing page (default 5). */
  public ReadRecordsFromApi withMaxRetries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("--maxRetries must not be negative");
    }
    Settings s = settings.copy();
    s.maxRetries = retries;
    return new ReadRecordsFromApi(s);
  }

  /** Backoff before the first retry (default 500 ms), doubled for each further one. */
  public ReadRecordsFromApi withInitialBackoffMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("--initialBackoffMillis must be positive");
    }
    Settings s = settings.copy();
    s.initialBackoffMillis = millis;
    return new ReadRecordsFromApi(s);
  }

  /** Longest backoff, and longest Retry-After waited for (default 30 s). */
  public ReadRecordsFromApi withMaxBackoffMillis(long millis) {
    if (millis < 1) {
      throw new IllegalArgumentException("--maxBackoffMillis must be positive");
    }
    Settings s = settings.copy();
    s.maxBackoffMillis = millis;
    return new ReadRecordsFromApi(s);
  }

  /** Time allowed for connecting and for a response (default 30 s). */
  public ReadRecordsFromApi withRequestTimeoutSeconds(int seconds) {
    if (seconds < 1) {
      throw new IllegalArgumentException("--requestTimeoutSeconds must be positive");
    }
    Settings s = settings.copy();
    s.requestTimeoutSeconds = seconds;
    return new ReadRecordsFromApi(s);
  }

  /**
   * Sends the bearer token held by environment variable {@code name} (empty: none). The variable
   * is read where the pipeline runs, when the reader starts; the token itself is never part of
   * the pipeline, its logs or its output.
   */
  public ReadRecordsFromApi withApiTokenEnv(String name) {
    String n = name == null ? "" : name.trim();
    if (!n.isEmpty() && !n.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("--apiTokenEnv must be the name of an environment variable");
    }
    Settings s = settings.copy();
    s.apiTokenEnv = n;
    return new ReadRecordsFromApi(s);
  }

  /** Envelope lines longer than this are rejected as {@code OVERSIZED} (default 1 MiB). */
  public ReadRecordsFromApi withMaxRecordBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("--maxRecordBytes must be positive, got " + bytes);
    }
    Settings s = settings.copy();
    s.maxRecordBytes = bytes;
    return new ReadRecordsFromApi(s);
  }

  /** The first page's URL as it may be shown: no user info, credential-like query values masked. */
  public String shownUrl() {
    return ApiUrls.shown(ApiUrls.parse(settings.url));
  }

  @Override
  public WithFailures.Result<PCollection<String>, DeadLetter> expand(PBegin begin) {
    PCollectionTuple out =
        begin
            .apply("Seed", Create.of("walk"))
            .apply(
                "WalkPages",
                ParDo.of(new WalkFn(settings)).withOutputTags(LINES, TupleTagList.of(DeadLetters.TAG)));
    PCollection<String> lines = out.get(LINES).apply("SpreadRecords", Reshuffle.viaRandomKey());
    return WithFailures.Result.of(lines, out.get(DeadLetters.TAG));
  }

  /** The envelope line of one record of a page. */
  static String envelopeLine(JsonNode record, String tenant, String source, String table, JsonPointer id, JsonPointer eventTime) {
    ObjectNode e = Json.MAPPER.createObjectNode();
    JsonNode idValue = record.at(id);
    if (idValue.isNumber()) {
      e.put("event_id", idValue.asText());
    } else if (!idValue.isMissingNode() && !idValue.isNull()) {
      e.set("event_id", idValue);
    }
    e.put("tenant", tenant);
    e.put("source", source);
    e.put("table", table);
    JsonNode time = record.at(eventTime);
    if (!time.isMissingNode() && !time.isNull()) {
      e.set("event_time", time);
    }
    e.set("payload", record);
    try {
      return Json.MAPPER.writeValueAsString(e);
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException("cannot write an envelope", impossible);
    }
  }

  private static String name(String value, String option) {
    if (value == null || !ParseEnvelope.NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(option + " must match " + ParseEnvelope.NAME.pattern());
    }
    return value;
  }

  private static String pointer(String pointer, String option) {
    try {
      JsonPointer.compile(pointer);
      return pointer;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(option + " must be a JSON pointer: empty or starting with /");
    }
  }

  private static String fieldPointer(String field, String option) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException(option + " must name a field");
    }
    return field.startsWith("/")
        ? pointer(field, option)
        : "/" + field.replace("~", "~0").replace("/", "~1");
  }

  /** What the walk needs; copied by each {@code with} method, so a reader never changes. */
  static final class Settings implements Serializable, Cloneable {
    private static final long serialVersionUID = 1L;
    String url;
    String tenant;
    String source;
    String table;
    String cursorParam = "cursor";
    String itemsPointer = "/data";
    String cursorPointer = "/next_cursor";
    String idPointer = "/id";
    String eventTimePointer = "/updated_at";
    double maxRequestsPerSecond = 5;
    int maxRetries = 5;
    long initialBackoffMillis = 500;
    long maxBackoffMillis = 30_000;
    int requestTimeoutSeconds = 30;
    String apiTokenEnv = "";
    int maxRecordBytes = 1_048_576;

    Settings copy() {
      try {
        return (Settings) clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  static final class WalkFn extends DoFn<String, String> {
    private final Settings s;
    private final Counter recordsIn = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "records_in");
    private final Counter pages = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "api_pages");
    private transient ApiPageFetcher fetcher;
    private transient RecordDecoder decoder;
    private transient byte[] token;

    WalkFn(Settings settings) {
      this.s = settings;
    }

    @Setup
    public void setup() {
      String tokenText = null;
      if (!s.apiTokenEnv.isEmpty()) {
        tokenText = System.getenv(s.apiTokenEnv);
        if (tokenText == null || tokenText.isEmpty()) {
          throw new IllegalStateException(
              "environment variable " + s.apiTokenEnv + " (--apiTokenEnv) is not set or empty");
        }
        token = tokenText.getBytes(StandardCharsets.UTF_8);
      }
      fetcher =
          new ApiPageFetcher(
              tokenText,
              Duration.ofSeconds(s.requestTimeoutSeconds),
              s.maxRetries,
              s.initialBackoffMillis,
              s.maxBackoffMillis,
              s.maxRequestsPerSecond);
      decoder = new RecordDecoder(STAGE, s.maxRecordBytes);
    }

    @ProcessElement
    public void process(ProcessContext c) {
      try {
        walk(c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading " + ApiUrls.shown(URI.create(s.url)), e);
      }
    }

    private void walk(ProcessContext c) throws InterruptedException {
      URI first = ApiUrls.parse(s.url);
      JsonPointer items = JsonPointer.compile(s.itemsPointer);
      JsonPointer next = JsonPointer.compile(s.cursorPointer);
      JsonPointer id = JsonPointer.compile(s.idPointer);
      JsonPointer eventTime = JsonPointer.compile(s.eventTimePointer);
      Set<String> cursors = new HashSet<>();
      URI uri = first;
      for (int page = 1; ; page++) {
        String shown = ApiUrls.shown(uri);
        String where = "page " + page + " (GET " + shown + ")";
        ApiPageFetcher.Outcome outcome = fetcher.get(uri, shown);
        pages.inc();
        if (!outcome.ok()) {
          reject(c, FETCH_FAILED, where + ": " + outcome.cause(), outcome.body());
          return;
        }
        JsonNode root;
        try {
          root = Json.parse(strictUtf8(outcome.body()));
        } catch (CharacterCodingException e) {
          reject(c, MALFORMED_JSON, where + ": body is not valid UTF-8", outcome.body());
          return;
        } catch (JsonProcessingException e) {
          reject(c, MALFORMED_JSON, where + ": body is " + Json.describe(e), outcome.body());
          return;
        }
        JsonNode records = root == null ? null : root.at(items);
        if (records == null || !records.isArray()) {
          reject(c, MALFORMED_JSON, where + ": body has no array at " + s.itemsPointer, outcome.body());
          return;
        }
        int n = 0;
        for (JsonNode record : records) {
          n++;
          byte[] line =
              envelopeLine(record, s.tenant, s.source, s.table, id, eventTime).getBytes(StandardCharsets.UTF_8);
          recordsIn.inc();
          decoder.decode(c, line, line.length, line.length, "record " + n + " of " + where);
        }
        JsonNode cursor = root.at(next);
        if (cursor.isMissingNode() || cursor.isNull() || (cursor.isTextual() && cursor.textValue().isEmpty())) {
          return;
        }
        if (!cursor.isTextual() && !cursor.isNumber()) {
          reject(c, MALFORMED_JSON, where + ": the cursor at " + s.cursorPointer + " is not a string or number", outcome.body());
          return;
        }
        if (!cursors.add(cursor.asText())) {
          reject(c, FETCH_FAILED, where + ": its next cursor repeats an earlier page's, the walk would not end", outcome.body());
          return;
        }
        uri = ApiUrls.withCursor(first, s.cursorParam, cursor.asText());
      }
    }

    /** One dead letter for a page: counted as a record read, with a bounded prefix of its body. */
    private void reject(ProcessContext c, DeadLetterReason reason, String detail, byte[] body) {
      recordsIn.inc();
      DeadLetter.Builder b =
          DeadLetter.builder(STAGE, reason, detail).tenant(s.tenant).source(s.source).table(s.table);
      byte[] prefix = bodyPrefix(scrub(body, token));
      try {
        b.raw(strictUtf8(prefix));
      } catch (CharacterCodingException e) {
        b.rawBytes(prefix);
      }
      DeadLetters.emit(c, b.build());
    }
  }

  /** At most {@link #BODY_PREFIX_BYTES} of a body, not cutting a UTF-8 character in two. */
  static byte[] bodyPrefix(byte[] body) {
    if (body.length <= BODY_PREFIX_BYTES) {
      return body;
    }
    int end = BODY_PREFIX_BYTES;
    // Back off over continuation bytes (10xxxxxx) to the start of the character that was cut.
    int back = 0;
    while (back < 3 && end - back > 0 && (body[end - back] & 0xC0) == 0x80) {
      back++;
    }
    return Arrays.copyOf(body, end - back);
  }

  /** {@code body} with every occurrence of {@code secret} replaced by {@code ***}. */
  static byte[] scrub(byte[] body, byte[] secret) {
    if (secret == null || secret.length == 0 || body.length < secret.length) {
      return body;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    byte[] mask = "***".getBytes(StandardCharsets.US_ASCII);
    int i = 0;
    while (i < body.length) {
      if (i <= body.length - secret.length && Arrays.equals(body, i, i + secret.length, secret, 0, secret.length)) {
        out.write(mask, 0, mask.length);
        i += secret.length;
      } else {
        out.write(body[i++]);
      }
    }
    return out.toByteArray();
  }

  static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }
}
