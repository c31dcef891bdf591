package io.beamline.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.options.WarehouseOptions;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving the password from options, and keeping it out of every string. */
class JdbcConnectionTest {
  private static final String SECRET = "s3cr3t-Pa55";
  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

  private static WarehouseOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(WarehouseOptions.class);
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void thePasswordComesFromTheEnvironmentVariableTheOptionNames() {
    JdbcConnection c =
        JdbcConnection.fromOptions(
            options("--jdbcUrl=" + URL, "--jdbcPasswordEnv=MY_PW"), Map.of("MY_PW", SECRET)::get);

    assertThat(c.url(), is(URL));
    assertThat(c.user(), is("beamline"));
    assertThat(c.toString(), is("JdbcConnection[" + URL + ", user beamline]"));
  }

  @Test
  void aPasswordFileWinsOverTheEnvironmentAndOnlyItsFirstLineCounts(@TempDir Path tmp)
      throws Exception {
    Path file = tmp.resolve("pw");
    Files.writeString(file, SECRET + "\nsecond line\n", StandardCharsets.UTF_8);
    WarehouseOptions o = options("--jdbcUrl=" + URL, "--jdbcPasswordFile=" + file);

    assertThat(
        JdbcConnection.password(o, Map.of("BEAMLINE_JDBC_PASSWORD", "from-env")::get).get(),
        is(SECRET));
  }

  @Test
  void aMissingPasswordFailsNamingBothOptions() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcConnection.fromOptions(options("--jdbcUrl=" + URL), Map.<String, String>of()::get));

    assertThat(e.getMessage(), containsString("BEAMLINE_JDBC_PASSWORD (--jdbcPasswordEnv)"));
    assertThat(e.getMessage(), containsString("--jdbcPasswordFile"));
  }

  @Test
  void anUnreadablePasswordFileFailsNamingTheOptionAndPath(@TempDir Path tmp) {
    Path missing = tmp.resolve("missing");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                JdbcConnection.fromOptions(
                    options("--jdbcUrl=" + URL, "--jdbcPasswordFile=" + missing),
                    Map.of("BEAMLINE_JDBC_PASSWORD", SECRET)::get));

    assertThat(e.getMessage(), containsString("--jdbcPasswordFile: cannot read " + missing));
  }

  @Test
  void noUrlMeansNoWarehouse() {
    assertThat(JdbcConnection.isConfigured(options()), is(false));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JdbcConnection.fromOptions(options(), Map.of("BEAMLINE_JDBC_PASSWORD", SECRET)::get));
    assertThat(e.getMessage(), containsString("--jdbcUrl"));
  }

  @Test
  void toStringMasksAPasswordParameterInTheUrl() {
    JdbcConnection c = JdbcConnection.of(URL + "?ssl=false&password=" + SECRET, "u", SECRET);

    assertThat(c.toString(), not(containsString(SECRET)));
    assertThat(c.toString(), containsString("password=****"));
    assertThat(c.dataSource().toString(), not(containsString(SECRET)));
  }

  @Test
  void aRefusedConnectionNamesTheServerButNotThePassword() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    JdbcConnection c =
        JdbcConnection.of("jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres", "u", SECRET);

    SQLException e = assertThrows(SQLException.class, c::open);

    assertThat(e.getMessage(), containsString("127.0.0.1:" + closedPort));
    assertThat(stackTrace(e), not(containsString(SECRET)));
  }

  @Test
  void itSurvivesSerializationForTheWorkers() {
    JdbcConnection c = JdbcConnection.of(URL, "u", SECRET);

    JdbcConnection copy = SerializableUtils.clone(c);

    assertThat(copy.toString(), is(c.toString()));
    assertThat(
        SerializableUtils.clone((Serializable) c.dataSource()).toString(),
        is(c.dataSource().toString()));
  }
}
