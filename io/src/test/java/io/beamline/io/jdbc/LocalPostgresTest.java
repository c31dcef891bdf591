package io.beamline.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.beamline.io.jdbc.testing.PostgresExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real PostgreSQL 16: loopback only, password required, restart keeps the data. */
class LocalPostgresTest {
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW " + setting)) {
      r.next();
      return r.getString(1);
    }
  }

  private static void assertRefused(int port) {
    assertThrows(
        ConnectException.class,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LocalPostgres.HOST, port), 2000);
          }
        });
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void itListensOn127001OnlyAndHasNoUnixSocket() throws SQLException {
    assertThat(postgres.jdbcUrl(), equalTo("jdbc:postgresql://127.0.0.1:" + postgres.server().port() + "/postgres"));
    try (Connection c = postgres.connect()) {
      assertThat(show(c, "listen_addresses"), is("127.0.0.1"));
      assertThat(show(c, "unix_socket_directories"), is(""));
      assertThat(show(c, "server_version"), containsString("16."));
    }
  }

  @Test
  void thePortIsClosedOnEveryNonLoopbackAddressOfThisMachine() throws IOException {
    List<InetAddress> external =
        Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
            .filter(LocalPostgresTest::isUp)
            .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
            .filter(a -> !a.isLoopbackAddress() && a instanceof Inet4Address)
            .collect(Collectors.toList());
    assumeFalse(external.isEmpty(), "this machine has no non-loopback IPv4 address");
    for (InetAddress address : external) {
      Exception e =
          assertThrows(
              IOException.class,
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(address, postgres.server().port()), 2000);
                }
              },
              "port open on " + address);
      assertThat(e, instanceOf(ConnectException.class));
    }
  }

  private static boolean isUp(NetworkInterface i) {
    try {
      return i.isUp();
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aWrongPasswordIsRefusedAndTheErrorShowsNeitherPassword() {
    String wrong = "not-" + postgres.password();
    JdbcConnection bad = JdbcConnection.of(postgres.jdbcUrl(), postgres.user(), wrong);

    SQLException e = assertThrows(SQLException.class, bad::open);

    assertThat(e.getSQLState(), is("28P01")); // invalid_password
    assertThat(e.getMessage(), containsString("password authentication failed"));
    assertThat(e.getMessage(), containsString(postgres.jdbcUrl()));
    assertThat(stackTrace(e), not(containsString(wrong)));
    assertThat(stackTrace(e), not(containsString(postgres.password())));
  }

  @Test
  void stopThenRestartKeepsPortAndRows() throws SQLException {
    LocalPostgres server = postgres.server();
    int port = server.port();
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE durable (v text)");
      s.execute("INSERT INTO durable VALUES ('before')");
    }

    server.stop();
    assertRefused(port);
    server.restart();

    assertThat(server.port(), is(port));
    try (Connection c = postgres.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT v FROM durable")) {
      assertThat(r.next(), is(true));
      assertThat(r.getString(1), is("before"));
      assertThat(r.next(), is(false));
    }
  }

  @Test
  void aDataDirKeepsItsRowsUserAndPasswordAcrossServers(@TempDir Path tmp) throws SQLException {
    Path dir = tmp.resolve("pg");
    int port;
    try (LocalPostgres first = LocalPostgres.builder().dataDir(dir).password("first-pw").start()) {
      port = first.port();
      try (Connection c = first.connection().open();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept AS SELECT 42 AS v");
      }
    }
    assertRefused(port);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LocalPostgres.builder().dataDir(dir).port(port).password("second-pw").start());
    assertThat(e.getMessage(), containsString("keeps the user and password it was created with"));
    assertThat(stackTrace(e), not(containsString("second-pw")));
    assertThat(stackTrace(e), not(containsString("first-pw")));

    try (LocalPostgres again =
            LocalPostgres.builder().dataDir(dir).port(port).password("first-pw").start();
        Connection c = again.connection().open();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT v FROM kept")) {
      assertThat(r.next(), is(true));
      assertThat(r.getInt(1), is(42));
    }
    assertThat(Files.isDirectory(dir.resolve("pgdata")), is(true));
  }
}
