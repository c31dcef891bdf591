package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Which database table {@code ingest-jdbc} reads, and how it recognises new rows. */
public interface JdbcSourceOptions extends EnvelopeIdentityOptions {
  @Description(
      "JDBC URL of the source database; empty reads from the warehouse (--jdbcUrl) itself. Like"
          + " --jdbcUrl it must not carry a password.")
  @Default.String("")
  String getSourceJdbcUrl();

  void setSourceJdbcUrl(String value);

  @Description("User of the source database; empty: --jdbcUser.")
  @Default.String("")
  String getSourceJdbcUser();

  void setSourceJdbcUser(String value);

  @Description(
      "Name of the environment variable holding the source database's password (used with"
          + " --sourceJdbcUrl).")
  @Default.String("BEAMLINE_SOURCE_JDBC_PASSWORD")
  String getSourceJdbcPasswordEnv();

  void setSourceJdbcPasswordEnv(String value);

  @Description("File whose first line is the source database's password; wins over --sourceJdbcPasswordEnv.")
  @Default.String("")
  String getSourceJdbcPasswordFile();

  void setSourceJdbcPasswordFile(String value);

  @Description("The table to read: table or schema.table, [a-z0-9_].")
  @Validation.Required
  String getSourceTable();

  void setSourceTable(String value);

  @Description(
      "Column that grows with every new or changed row (a commit sequence, an updated_at"
          + " timestamp): each run reads the rows above the last run's maximum, up to the maximum"
          + " when it starts.")
  @Validation.Required
  String getWatermarkColumn();

  void setWatermarkColumn(String value);

  @Description("Column whose value becomes the envelope's event_id.")
  @Default.String("id")
  String getIdColumn();

  void setIdColumn(String value);

  @Description("Column whose value becomes the envelope's event_time (a timestamp).")
  @Default.String("updated_at")
  String getEventTimeColumn();

  void setEventTimeColumn(String value);

  @Description(
      "Name under which the high-water mark is kept in the warehouse's audit.ingest_watermarks;"
          + " empty: --sourceTable.")
  @Default.String("")
  String getIngestName();

  void setIngestName(String value);
}
