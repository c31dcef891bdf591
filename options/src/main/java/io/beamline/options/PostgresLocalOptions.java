package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the {@code postgres-local} command, which runs a PostgreSQL 16 server on 127.0.0.1
 * with the warehouse schemas for trying the loader on one machine.
 *
 * <p>Port and data directory are {@code --pgPort} and {@code --pgDataDir}, not {@code --port}
 * and {@code --dataDir}: Beam requires every registered options interface that declares a
 * property to give it the same {@code @Default}, and {@link KafkaLocalOptions} declares those
 * two with the broker's defaults.
 */
public interface PostgresLocalOptions extends JdbcPasswordOptions {
  String DEFAULT_SCHEMA_DIR = "schemas";

  @Description("Port of the server on 127.0.0.1 (0 picks a free port).")
  @Default.Integer(5432)
  int getPgPort();

  void setPgPort(int value);

  @Description(
      "Directory of the server's data (created if missing). Kept after the server stops: a"
          + " later run on the same directory finds the same tables and rows, and needs the same"
          + " password.")
  @Default.String("target/postgres-local")
  String getPgDataDir();

  void setPgDataDir(String value);

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
