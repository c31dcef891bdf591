package io.beamline.io.jdbc.testing;

import io.beamline.io.jdbc.JdbcConnection;
import io.beamline.io.jdbc.LocalPostgres;
import io.beamline.io.jdbc.WarehouseMigrations;
import io.beamline.transforms.schema.TableSchemas;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL 16 server ({@link LocalPostgres}) for one test class: started before its
 * first test, stopped after its last, on a free port of 127.0.0.1 with a fresh temp data dir and
 * a random password. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension static PostgresExtension postgres = new PostgresExtension();}</pre>
 *
 * <p>Tests that need a clean warehouse of their own can {@link #createDatabase(String)} and
 * migrate that; the server is shared by the class.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private static final Pattern DATABASE = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final String password = "test-" + HexFormat.of().formatHex(randomBytes());
  private LocalPostgres server;
  /** The class that started the server: @Nested classes see the extension too, but share it. */
  private String owner;

  private static byte[] randomBytes() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return b;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (server == null) {
      server = LocalPostgres.builder().password(password).start();
      owner = context.getUniqueId();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null && context.getUniqueId().equals(owner)) {
      server.close();
      server = null;
    }
  }

  /** The server itself, e.g. to {@link LocalPostgres#stop()} and restart it in a fault test. */
  public LocalPostgres server() {
    if (server == null) {
      throw new IllegalStateException(
          "PostgreSQL is not running: register the extension on a static field");
    }
    return server;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}. */
  public String jdbcUrl() {
    return server().jdbcUrl();
  }

  public String user() {
    return server().user();
  }

  public String password() {
    return password;
  }

  /** The {@code postgres} database as a {@link JdbcConnection}. */
  public JdbcConnection connection() {
    return server().connection();
  }

  /** The first column of every row of a query, as text (null stays null), in the query's order. */
  public java.util.List<String> firstColumn(String sql) throws SQLException {
    java.util.List<String> out = new java.util.ArrayList<>();
    try (Connection c = connect();
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** A new connection to the {@code postgres} database; the caller closes it. */
  public Connection connect() throws SQLException {
    return connection().open();
  }

  /**
   * Applies the warehouse migrations, with the etl tables of these schemas, to the
   * {@code postgres} database.
   *
   * @return how many migrations ran
   */
  public int migrate(TableSchemas schemas) {
    return WarehouseMigrations.migrate(connection(), schemas);
  }

  /**
   * Creates an empty database on the server (a warehouse of its own for one test) and returns
   * it as a {@link JdbcConnection}.
   */
  public JdbcConnection createDatabase(String name) throws SQLException {
    if (!DATABASE.matcher(name).matches()) {
      throw new IllegalArgumentException("database name must match " + DATABASE + ": " + name);
    }
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE \"" + name + "\"");
    }
    String url = jdbcUrl();
    return JdbcConnection.of(
        url.substring(0, url.lastIndexOf('/') + 1) + name, user(), password);
  }
}
