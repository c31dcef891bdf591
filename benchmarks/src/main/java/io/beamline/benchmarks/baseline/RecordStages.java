package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_TABLE;

import java.security.GeneralSecurityException;

/**
 * The baseline's per-record path, one instance per thread (its parsers, ciphers and buffers are
 * reused): parse the envelope, decrypt, flatten by the table's schema, validate and protect the
 * pii columns. Shared by the plain-Java workers and the native Spark job's decoder.
 */
final class RecordStages {
  private final SchemaPlans plans;
  private final EnvelopeLineParser parser = new EnvelopeLineParser();
  private final PayloadDecryptor decryptor;
  private final SchemaFlattener flattener = new SchemaFlattener();
  private final RowValidator validator = new RowValidator();
  private final PersonalDataProtector protector;
  private final int[] rowsPerTable;

  RecordStages(SchemaPlans plans, KeyringKeys keys) throws GeneralSecurityException {
    this.plans = plans;
    this.decryptor = new PayloadDecryptor(keys);
    this.protector = new PersonalDataProtector(keys);
    this.rowsPerTable = new int[plans.all().size()];
  }

  /** The line's bytes as UTF-8 text, or a rejection with {@code detail}. */
  String utf8OrReject(byte[] data, int from, int length, String detail) throws Rejection {
    return decryptor.utf8OrReject(data, from, length, detail);
  }

  /** Runs {@code line} through every stage: its envelope into {@code e}, its rows into {@code rows}. */
  void run(String line, Envelope e, FlatRows rows) throws Rejection {
    parser.parse(line, e);
    String payload = e.keyId == null ? e.payload : decryptor.decrypt(e);
    TablePlan plan = plans.get(e.source, e.table);
    if (plan == null) {
      throw new Rejection(UNKNOWN_TABLE, "no schema for " + e.source + "/" + e.table);
    }
    rows.clear();
    FlatRow top = flattener.flatten(plan, payload, rows);
    rows.order(top, rowsPerTable.length, rowsPerTable);
    int n = rows.ordered.size();
    for (int r = 0; r < n; r++) {
      validator.validate(rows.ordered.get(r));
    }
    for (int r = 0; r < n; r++) {
      protector.protect(rows.ordered.get(r), e);
    }
  }
}
