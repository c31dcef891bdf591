package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the {@code postgres-local} command, which runs a PostgreSQL 16 server on 127.0.0.1
 * with the warehouse schemas for trying the loader on one machine.
 */
public interface PostgresLocalOptions extends JdbcPasswordOptions {
  String DEFAULT_SCHEMA_DIR = "schemas";

  @Description("Port of the server on 127.0.0.1 (0 picks a free port).")
  @Default.Integer(5432)
  int getPort();

  void setPort(int value);

  @Description(
      "Directory of the server's data (created if missing). Kept after the server stops: a"
          + " later run on the same directory finds the same tables and rows, and needs the same"
          + " password.")
  @Default.String("target/postgres-local")
  String getDataDir();

  void setDataDir(String value);

  /**
   * No {@code @Default} here: Beam requires a property's getters in all registered interfaces to
   * agree on having one, and {@link SchemaOptions#getSchemaDir()} (required) has none. The
   * command uses {@link #DEFAULT_SCHEMA_DIR} when it is not set.
   */
  @Description(
      "Directory of table schemas (<schemaDir>/<source>/<table>.json); an etl table is created"
          + " or extended for each. Not set: " + DEFAULT_SCHEMA_DIR + " (the project's own).")
  String getSchemaDir();

  void setSchemaDir(String value);
}
