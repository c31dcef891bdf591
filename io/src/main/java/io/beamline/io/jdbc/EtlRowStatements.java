package io.beamline.io.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.FieldSpec;
import io.beamline.transforms.schema.TableSchemas;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL that writes one table's etl rows: an insert, an upsert keyed by the row's identity
 * (tenant, event_id, row_index, event_date), and the delete of one tenant's day. Table and column
 * names come from the schema files only and are checked and quoted; every value is a bound
 * parameter.
 */
final class EtlRowStatements implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String table;
  private final List<FieldSpec> fields;
  private final String insert;
  private final String upsert;
  private final String deleteDay;

  private EtlRowStatements(String table, List<FieldSpec> fields) {
    this.table = table;
    this.fields = fields;
    List<String> columns = new ArrayList<>();
    EtlTableDdl.LEADING_COLUMNS.forEach(c -> columns.add(c.name()));
    fields.forEach(f -> columns.add(f.name()));
    columns.add(EtlTableDdl.EXTRA);
    StringBuilder names = new StringBuilder();
    StringBuilder marks = new StringBuilder();
    StringBuilder updates = new StringBuilder();
    for (String c : columns) {
      String q = quote(c);
      names.append(names.length() == 0 ? "" : ", ").append(q);
      marks.append(marks.length() == 0 ? "?" : ", ?");
      if (!EtlTableDdl.PRIMARY_KEY.contains(c)) {
        updates.append(updates.length() == 0 ? "" : ", ").append(q).append(" = EXCLUDED.").append(q);
      }
    }
    this.insert = "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ")";
    StringBuilder key = new StringBuilder();
    EtlTableDdl.PRIMARY_KEY.forEach(k -> key.append(key.length() == 0 ? "" : ", ").append(quote(k)));
    this.upsert = insert + " ON CONFLICT (" + key + ") DO UPDATE SET " + updates;
    this.deleteDay = "DELETE FROM " + table + " WHERE \"tenant\" = ? AND \"event_date\" = ?";
  }

  static EtlRowStatements of(TableSchemas schemas, String source, String table) {
    return new EtlRowStatements(
        EtlTableDdl.SCHEMA + "." + quote(EtlTableDdl.tableName(check(source), check(table))),
        List.copyOf(schemas.columnsOf(source, table)));
  }

  String table() {
    return table;
  }

  String insert() {
    return insert;
  }

  String upsert() {
    return upsert;
  }

  String deleteDay() {
    return deleteDay;
  }

  /** The UTC date a row is partitioned by, as in the zones' dt=. */
  static LocalDate eventDate(EtlRow row) {
    return Instant.ofEpochMilli(row.eventTimeMillis()).atZone(ZoneOffset.UTC).toLocalDate();
  }

  /** Binds every column of {@code row} to an insert or upsert statement. */
  void bind(PreparedStatement s, EtlRow row, OffsetDateTime ingestedAt) throws SQLException {
    JsonNode values;
    try {
      values = Json.MAPPER.readTree(row.valuesJson());
    } catch (IOException e) {
      throw new UncheckedIOException("validated row is not JSON", e);
    }
    int i = 1;
    s.setString(i++, row.eventId());
    s.setString(i++, row.tenant());
    s.setObject(i++, OffsetDateTime.ofInstant(Instant.ofEpochMilli(row.eventTimeMillis()), ZoneOffset.UTC));
    s.setObject(i++, eventDate(row));
    s.setInt(i++, row.rowIndex());
    s.setObject(i++, ingestedAt);
    for (FieldSpec f : fields) {
      bindValue(s, i++, f, values.get(f.name()));
    }
    JsonNode extra = values.get(EtlTableDdl.EXTRA);
    if (extra == null || extra.isNull()) {
      s.setNull(i, Types.VARCHAR);
    } else {
      s.setString(i, extra.asText());
    }
  }

  private static void bindValue(PreparedStatement s, int i, FieldSpec f, JsonNode v) throws SQLException {
    if (v == null || v.isNull()) {
      s.setNull(i, sqlType(f));
      return;
    }
    switch (f.type()) {
      case STRING:
        s.setString(i, v.asText());
        break;
      case INT:
        s.setInt(i, v.intValue());
        break;
      case LONG:
        s.setLong(i, v.longValue());
        break;
      case DOUBLE:
        s.setDouble(i, v.doubleValue());
        break;
      case DECIMAL:
        s.setBigDecimal(i, new BigDecimal(v.asText()));
        break;
      case BOOLEAN:
        s.setBoolean(i, v.booleanValue());
        break;
      case TIMESTAMP:
        long micros = v.longValue();
        s.setObject(
            i,
            OffsetDateTime.ofInstant(
                Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000),
                ZoneOffset.UTC));
        break;
      case DATE:
        s.setObject(i, LocalDate.ofEpochDay(v.longValue()));
        break;
      default:
        throw new IllegalStateException("no SQL binding for " + f.type());
    }
  }

  private static int sqlType(FieldSpec f) {
    switch (f.type()) {
      case INT:
        return Types.INTEGER;
      case LONG:
        return Types.BIGINT;
      case DOUBLE:
        return Types.DOUBLE;
      case DECIMAL:
        return Types.NUMERIC;
      case BOOLEAN:
        return Types.BOOLEAN;
      case TIMESTAMP:
        return Types.TIMESTAMP_WITH_TIMEZONE;
      case DATE:
        return Types.DATE;
      default:
        return Types.VARCHAR;
    }
  }

  /** The identifier itself, after checking it as {@link EtlTableDdl#quote} does. */
  static String check(String identifier) {
    quote(identifier);
    return identifier;
  }

  static String quote(String identifier) {
    return EtlTableDdl.quote(identifier);
  }
}
