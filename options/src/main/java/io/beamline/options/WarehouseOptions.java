package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** The PostgreSQL warehouse that rows are loaded into, and how the loader batches them. */
public interface WarehouseOptions extends JdbcPasswordOptions {
  @Description(
      "JDBC URL of the PostgreSQL warehouse, e.g. jdbc:postgresql://127.0.0.1:5432/postgres"
          + " (as printed by postgres-local). Empty: no warehouse, nothing is loaded. The"
          + " password does not belong here: see --jdbcPasswordEnv and --jdbcPasswordFile.")
  @Default.String("")
  String getJdbcUrl();

  void setJdbcUrl(String value);

  @Description("Database user of --jdbcUrl.")
  @Default.String("beamline")
  String getJdbcUser();

  void setJdbcUser(String value);

  @Description(
      "Rows per JDBC batch: the loader writes a batch when it holds this many rows, or after"
          + " --loadMaxBufferingSeconds, whichever comes first.")
  @Default.Integer(1000)
  int getLoadBatchSize();

  void setLoadBatchSize(int value);

  @Description(
      "Longest time in seconds the loader holds rows before writing them, even if the batch is"
          + " not full.")
  @Default.Integer(5)
  int getLoadMaxBufferingSeconds();

  void setLoadMaxBufferingSeconds(int value);
}
