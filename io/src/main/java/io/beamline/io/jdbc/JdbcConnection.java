package io.beamline.io.jdbc;

import io.beamline.options.JdbcPasswordOptions;
import io.beamline.options.WarehouseOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Where the warehouse is and how to log in: a JDBC URL, a user and a password resolved once from
 * a file or an environment variable ({@link WarehouseOptions}). Serializable, so that the
 * transforms that load rows can carry it to the workers.
 *
 * <p>The password is in no {@link #toString()} and no exception this class throws; a URL that
 * carries a {@code password=} parameter is shown with its value masked.
 */
public final class JdbcConnection implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String MASK = "****";

  private final String url;
  private final String user;
  private final String password;

  private JdbcConnection(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /** A connection with a password already at hand (tests, {@link LocalPostgres}). */
  public static JdbcConnection of(String url, String user, String password) {
    if (url == null || !url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          "--jdbcUrl must be a JDBC URL (jdbc:postgresql://host:port/database), not '"
              + redact(String.valueOf(url)) + "'");
    }
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("--jdbcUser must not be empty");
    }
    if (password == null) {
      throw new IllegalArgumentException("no password for user " + user);
    }
    return new JdbcConnection(url, user, password);
  }

  /** Whether the options name a warehouse at all ({@code --jdbcUrl} is not empty). */
  public static boolean isConfigured(WarehouseOptions options) {
    return options.getJdbcUrl() != null && !options.getJdbcUrl().trim().isEmpty();
  }

  /**
   * The warehouse of the options, its password read now from {@code --jdbcPasswordFile} or the
   * environment variable named by {@code --jdbcPasswordEnv}.
   *
   * @throws IllegalArgumentException naming the option when the URL is missing or the password
   *     cannot be found or read
   */
  public static JdbcConnection fromOptions(WarehouseOptions options) {
    return fromOptions(options, System::getenv);
  }

  static JdbcConnection fromOptions(WarehouseOptions options, Function<String, String> env) {
    if (!isConfigured(options)) {
      throw new IllegalArgumentException("--jdbcUrl is not set: there is no warehouse to use");
    }
    String password =
        password(options, env)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no database password: the environment variable "
                            + options.getJdbcPasswordEnv()
                            + " (--jdbcPasswordEnv) is not set, and --jdbcPasswordFile is empty"));
    return of(options.getJdbcUrl().trim(), options.getJdbcUser(), password);
  }

  /**
   * The password the options point at: the first line of {@code --jdbcPasswordFile} if that is
   * set, else the environment variable named by {@code --jdbcPasswordEnv} if it is set and not
   * empty, else nothing.
   *
   * @throws IllegalArgumentException naming {@code --jdbcPasswordFile} when that file is missing,
   *     unreadable or has an empty first line
   */
  public static Optional<String> password(
      JdbcPasswordOptions options, Function<String, String> env) {
    String file = options.getJdbcPasswordFile();
    if (file != null && !file.trim().isEmpty()) {
      return Optional.of(readPasswordFile(Path.of(file.trim())));
    }
    String name = options.getJdbcPasswordEnv();
    if (name == null || name.trim().isEmpty()) {
      return Optional.empty();
    }
    String value = env.apply(name.trim());
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** The first line of a password file (without its line break). */
  public static String readPasswordFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // The exception's own message may quote a line of the file in a decoding error: leave it.
      throw new IllegalArgumentException(
          "--jdbcPasswordFile: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    if (lines.isEmpty() || lines.get(0).isEmpty()) {
      throw new IllegalArgumentException(
          "--jdbcPasswordFile: the first line of " + file + " is empty; it must be the password");
    }
    return lines.get(0);
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  /**
   * A new connection, logged in; the caller closes it.
   *
   * @throws SQLException naming the URL (password parameter masked) and user, never the password
   */
  public Connection open() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    boolean postgres = url.startsWith("jdbc:postgresql:");
    if (postgres) {
      props.setProperty("ApplicationName", "beamline");
    }
    try {
      // The PostgreSQL driver directly: DriverManager only hands out drivers that the caller's
      // class loader sees, which is not always so under a runner's user-code class loader.
      Driver driver = postgres ? new org.postgresql.Driver() : DriverManager.getDriver(url);
      Connection c = driver.connect(url, props);
      if (c == null) {
        throw new SQLException("no JDBC driver accepts this URL", "08001");
      }
      return c;
    } catch (SQLException e) {
      throw scrub(e, "Cannot connect to " + redact(url) + " as " + user);
    }
  }

  /** A serializable {@link DataSource} of this connection, for Flyway, JdbcIO and pools. */
  public DataSource dataSource() {
    return new ConnectionDataSource(this);
  }

  @Override
  public String toString() {
    return "JdbcConnection[" + redact(url) + ", user " + user + "]";
  }

  /** The URL with the value of any {@code password} parameter masked. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1" + MASK);
  }

  /**
   * A copy of a driver's exception with this class's context, and without the password should
   * the driver have put it in a message: then the original is not kept as the cause either.
   */
  private SQLException scrub(SQLException e, String context) {
    String message = context + ": " + hide(String.valueOf(e.getMessage()));
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    boolean clean = password.isEmpty() || !trace.toString().contains(password);
    SQLException out = new SQLException(message, e.getSQLState(), e.getErrorCode());
    if (clean) {
      out.initCause(e);
    }
    return out;
  }

  private String hide(String text) {
    return password.isEmpty() ? text : text.replace(password, MASK);
  }

  /** Opens connections through {@link JdbcConnection#open()}. */
  private static final class ConnectionDataSource implements DataSource, Serializable {
    private static final long serialVersionUID = 1L;

    private final JdbcConnection connection;
    private transient PrintWriter logWriter;
    private int loginTimeout;

    ConnectionDataSource(JdbcConnection connection) {
      this.connection = connection;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return connection.open();
    }

    /** Only this data source's own user and password; others are refused. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException(
          "this data source logs in as " + connection.user + " only");
    }

    @Override
    public PrintWriter getLogWriter() {
      return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
      this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
      this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
      return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      if (iface.isInstance(this)) {
        return iface.cast(this);
      }
      throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return iface.isInstance(this);
    }

    @Override
    public String toString() {
      return "DataSource of " + connection;
    }
  }
}
