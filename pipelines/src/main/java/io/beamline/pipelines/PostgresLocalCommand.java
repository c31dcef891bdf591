package io.beamline.pipelines;

import io.beamline.io.jdbc.JdbcConnection;
import io.beamline.io.jdbc.LocalPostgres;
import io.beamline.io.jdbc.WarehouseMigrations;
import io.beamline.options.PostgresLocalOptions;
import io.beamline.transforms.schema.TableSchemas;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code postgres-local}: runs a real PostgreSQL 16 on 127.0.0.1 with the warehouse schemas and
 * the etl tables of {@code --schemaDir} until Ctrl-C, so that loading can be tried without
 * installing PostgreSQL. Prints the JDBC URL and user, and where the password is, never the
 * password.
 */
final class PostgresLocalCommand implements BeamlineCli.Command {
  /** Printed once the server is up and migrated; scripts and tests wait for it. */
  static final String READY = "PostgreSQL running, JDBC URL: ";
  /** The generated password's file in {@code --pgDataDir}, when no password option gives one. */
  static final String PASSWORD_FILE = "password";

  private final Function<String, String> env;

  PostgresLocalCommand() {
    this(System::getenv);
  }

  PostgresLocalCommand(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public Class<? extends PipelineOptions> options() {
    return PostgresLocalOptions.class;
  }

  @Override
  public String summary() {
    return "A local PostgreSQL 16 on 127.0.0.1 with the warehouse tables, until Ctrl-C.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) throws Exception {
    PostgresLocalOptions o = options.as(PostgresLocalOptions.class);
    if (o.getPgPort() < 0 || o.getPgPort() > 65535) {
      throw new IllegalArgumentException(
          "--pgPort must be between 0 and 65535, not " + o.getPgPort());
    }
    Path dataDir = Path.of(o.getPgDataDir()).toAbsolutePath();
    // Schemas first: a bad schema file stops the command before anything is started or written.
    String schemaDir =
        o.getSchemaDir() == null || o.getSchemaDir().trim().isEmpty()
            ? PostgresLocalOptions.DEFAULT_SCHEMA_DIR
            : o.getSchemaDir().trim();
    TableSchemas schemas = TableSchemas.load(Path.of(schemaDir));
    String passwordSource;
    String password;
    Optional<String> given = JdbcConnection.password(o, env);
    if (given.isPresent()) {
      password = given.get();
      passwordSource =
          o.getJdbcPasswordFile().trim().isEmpty()
              ? "from the environment variable " + o.getJdbcPasswordEnv().trim()
              : "in " + Path.of(o.getJdbcPasswordFile().trim()).toAbsolutePath();
    } else {
      Path file = dataDir.resolve(PASSWORD_FILE);
      password = generatedPassword(file, dataDir);
      passwordSource = "in " + file + " (pass --jdbcPasswordFile=" + file + " to the loaders)";
    }
    LocalPostgres server;
    try {
      server =
          LocalPostgres.builder().dataDir(dataDir).port(o.getPgPort()).password(password).start();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--jdbcPasswordFile/--jdbcPasswordEnv: " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof BindException) {
        throw new IllegalArgumentException(
            "--pgPort: " + e.getMessage() + " (another PostgreSQL?). Stop it, or choose another"
                + " port; --pgPort=0 picks a free one.",
            e);
      }
      throw e;
    }
    return ServeUntilStopped.serve(
        "postgres-local",
        server::close,
        () -> {
          int ran = WarehouseMigrations.migrate(server.connection(), schemas);
          out.println(
              "Warehouse migrated (" + ran + " migration" + (ran == 1 ? "" : "s") + " applied): schemas"
                  + " raw, etl, audit; etl tables of " + schemas.all().size() + " table schemas");
          out.println("Data in " + dataDir + " (server log: " + server.logFile() + ")");
          out.println(READY + server.jdbcUrl());
          out.println("User: " + server.user());
          out.println("Password " + passwordSource);
          out.println("Ctrl-C to stop");
          out.flush();
        });
  }

  /**
   * The password in {@code file}, made (random, owner-only) if the data dir has no server yet.
   * A data dir whose server was made with a password given another way needs that password.
   */
  private static String generatedPassword(Path file, Path dataDir) throws IOException {
    if (Files.exists(file)) {
      return JdbcConnection.readPasswordFile(file);
    }
    if (Files.exists(dataDir.resolve(LocalPostgres.CLUSTER_DIR).resolve("PG_VERSION"))) {
      throw new IllegalArgumentException(
          "--pgDataDir " + dataDir + " holds a PostgreSQL server made with a password given by"
              + " --jdbcPasswordFile or --jdbcPasswordEnv: give it the same way again");
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.createDirectories(dataDir);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
    return password;
  }
}
