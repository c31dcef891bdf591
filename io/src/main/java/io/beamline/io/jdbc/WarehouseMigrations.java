package io.beamline.io.jdbc;

import io.beamline.transforms.schema.TableSchemas;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and evolves the warehouse with Flyway: the versioned SQL migrations in
 * {@code db/migration} (schemas {@code raw}, {@code etl}, {@code audit}, the audit tables and
 * {@code etl.hourly_category_sales}), then the etl tables of the table schema files
 * ({@link EtlTablesMigration}, repeatable: it runs again when a schema changes). Flyway's history
 * is {@code audit.flyway_schema_history}; concurrent callers wait for one another (Flyway's lock).
 */
public final class WarehouseMigrations {
  public static final String LOCATION = "classpath:db/migration";
  public static final String HISTORY_SCHEMA = "audit";

  private WarehouseMigrations() {}

  /**
   * Brings the warehouse up to date with the migrations and the schemas.
   *
   * @return how many migrations ran (0 when everything was already up to date)
   * @throws IllegalStateException when a migration fails, with the reason (e.g. which table and
   *     column a schema change would retype)
   */
  public static int migrate(JdbcConnection connection, TableSchemas schemas) {
    EtlTablesMigration etlTables = new EtlTablesMigration(schemas);
    Flyway flyway =
        Flyway.configure(WarehouseMigrations.class.getClassLoader())
            .dataSource(connection.dataSource())
            .locations(LOCATION)
            .defaultSchema(HISTORY_SCHEMA)
            .javaMigrations(etlTables)
            .load();
    try {
      MigrateResult result = flyway.migrate();
      return result.migrationsExecuted;
    } catch (FlywayException e) {
      throw new IllegalStateException(
          "Migrating the warehouse at " + connection + " failed: " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }
}
