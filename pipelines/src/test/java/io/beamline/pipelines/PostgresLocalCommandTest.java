package io.beamline.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.io.jdbc.JdbcConnection;
import io.beamline.options.PostgresLocalOptions;
import io.beamline.transforms.testing.TestSchemas;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code postgres-local} on a background thread: it runs until interrupted, never forever. */
class PostgresLocalCommandTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void runsAMigratedServerOnLoopbackPrintsNoPasswordAndStopsWhenInterrupted(@TempDir Path tmp)
      throws Exception {
    Path dataDir = tmp.resolve("pg");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicInteger code = new AtomicInteger(-1);
    String[] args = {
      "postgres-local",
      "--pgPort=0",
      "--pgDataDir=" + dataDir,
      "--schemaDir=" + TestSchemas.shippedSchemaDir(),
      "--jdbcPasswordEnv=BEAMLINE_TEST_NO_SUCH_VARIABLE"
    };
    Thread thread =
        new Thread(
            () ->
                code.set(
                    new BeamlineCli()
                        .run(
                            args,
                            new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(err, true, StandardCharsets.UTF_8))),
            "postgres-local-test");
    thread.setDaemon(true); // a failed test must not keep the JVM alive
    thread.start();
    try {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!out.toString(StandardCharsets.UTF_8).contains("Ctrl-C to stop")) {
        if (!thread.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("postgres-local did not get ready (exit " + code.get() + "):\n"
              + out.toString(StandardCharsets.UTF_8) + "\n" + err.toString(StandardCharsets.UTF_8));
        }
        Thread.sleep(50);
      }
      String printed = out.toString(StandardCharsets.UTF_8);
      Matcher m =
          Pattern.compile(Pattern.quote(PostgresLocalCommand.READY) + "(\\S+)").matcher(printed);
      assertThat(printed, m.find(), is(true));
      String url = m.group(1);
      assertThat(url, matchesPattern("jdbc:postgresql://127\\.0\\.0\\.1:[0-9]+/postgres"));
      assertThat(printed, containsString("User: beamline"));

      Path passwordFile = dataDir.resolve(PostgresLocalCommand.PASSWORD_FILE);
      assertThat(printed, containsString("Password in " + passwordFile));
      assertThat(
          PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)),
          is("rw-------"));
      String password = JdbcConnection.readPasswordFile(passwordFile);
      assertThat(printed, not(containsString(password)));
      assertThat(err.toString(StandardCharsets.UTF_8), not(containsString(password)));

      try (Connection c = JdbcConnection.of(url, "beamline", password).open();
          Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT count(*) FROM etl.shop__orders")) {
        r.next();
        assertThat(r.getLong(1), is(0L));
      }

      thread.interrupt();
      thread.join(WAIT.toMillis());
      assertThat("postgres-local still running after interrupt", thread.isAlive(), is(false));
      assertThat(code.get(), is(BeamlineCli.OK));
      int port = Integer.parseInt(url.replaceAll(".*:([0-9]+)/.*", "$1"));
      assertThrows(
          ConnectException.class,
          () -> {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
          });
    } finally {
      thread.interrupt();
      thread.join(WAIT.toMillis());
    }
  }

  @Test
  void helpListsEveryOptionWithItsEffectiveDefault() throws Exception {
    BeamlineCliTest.Result r = BeamlineCliTest.cli("postgres-local", "--help");

    assertThat(r.code(), is(BeamlineCli.OK));
    Map<String, List<String>> entries = BeamlineCliTest.helpEntries(r.out());
    for (String name :
        List.of("pgPort", "pgDataDir", "schemaDir", "jdbcPasswordEnv", "jdbcPasswordFile")) {
      assertThat(entries, hasKey(name));
    }
    BeamlineCliTest.assertDefaultsAreEffective(entries, PostgresLocalOptions.class);
  }

  @Test
  void aMissingSchemaDirExitsTwoBeforeStartingAServer(@TempDir Path tmp) {
    Path dataDir = tmp.resolve("pg");
    BeamlineCliTest.Result r =
        BeamlineCliTest.cli(
            "postgres-local", "--pgPort=0", "--pgDataDir=" + dataDir,
            "--schemaDir=" + tmp.resolve("none"));

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--schemaDir"));
    assertThat(Files.exists(dataDir), is(false));
  }
}
