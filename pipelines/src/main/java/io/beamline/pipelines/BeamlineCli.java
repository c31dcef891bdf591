package io.beamline.pipelines;

import io.beamline.options.EtlOptions;
import io.beamline.pipelines.etl.BatchEtlPipeline;
import io.beamline.pipelines.etl.EtlRunSummary;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The command line: {@code <command> --option=value ...}. Options are parsed and validated, and
 * the keyring, schemas and input checked, before any pipeline starts; a problem ends the command
 * with exit code 2 and a message naming the option.
 */
public final class BeamlineCli {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int BAD_USAGE = 2;
  public static final int NOT_CONSERVED = 3;
  /** A batch run finished, but a table failed a critical quality rule (circuit breaker). */
  public static final int QUALITY_FAILED = 4;

  /** One command: its options interface, a summary for help, and what it does. */
  interface Command {
    Class<? extends PipelineOptions> options();

    String summary();

    int run(PipelineOptions options, PrintStream out) throws Exception;
  }

  private final Map<String, Command> commands = new TreeMap<>();

  public BeamlineCli() {
    commands.put("etl", new EtlCommand());
    commands.put("generate", new GenerateCommand());
    commands.put("demo", new DemoCommand());
    commands.put("kafka-local", new KafkaLocalCommand());
    commands.put("postgres-local", new PostgresLocalCommand());
    commands.put("s3-local", new S3LocalCommand());
    commands.put("stream", new StreamCommand());
    commands.put("ingest-api", new IngestApiCommand());
    commands.put("ingest-jdbc", new IngestJdbcCommand());
    commands.put("backfill", new BackfillCommand());
    commands.put("flink-cluster", new FlinkClusterCommand());
    commands.put("spark-cluster", new SparkClusterCommand());
    commands.put("reveal", new RevealCommand());
  }

  /** The command line with {@code reveal} reading values from {@code revealInput}, for tests. */
  BeamlineCli(java.io.Reader revealInput) {
    this();
    commands.put("reveal", new RevealCommand(revealInput));
  }

  public static void main(String[] args) {
    exit(() -> new BeamlineCli().run(args, System.out, System.err));
  }

  /**
   * Ends the JVM with the command's exit code, also when the command ended with an error the
   * command line could not report: a runner's worker threads would otherwise keep the JVM alive
   * after {@code main} died (an out-of-memory run on the Direct runner hung, never exiting).
   */
  public static void exit(java.util.function.IntSupplier command) {
    int code;
    try {
      code = command.getAsInt();
    } catch (Throwable t) {
      try {
        System.err.println("failed: " + t);
      } finally {
        // halt, not exit: shutdown hooks could wait on the threads that keep the JVM alive.
        Runtime.getRuntime().halt(FAILED);
      }
      return;
    }
    System.exit(code);
  }

  /** Runs a command and returns its exit code. */
  public int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || List.of("help", "--help", "-h").contains(args[0])) {
      out.print(usage());
      return args.length == 0 ? BAD_USAGE : OK;
    }
    Command command = commands.get(args[0]);
    if (command == null) {
      err.println("Unknown command '" + args[0] + "'.");
      err.print(usage());
      return BAD_USAGE;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (Arrays.stream(rest).anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      out.print(OptionsHelp.of(args[0], command.summary(), command.options()));
      return OK;
    }
    PipelineOptions options;
    try {
      PipelineOptionsFactory.register(command.options());
      options = PipelineOptionsFactory.fromArgs(rest).withValidation().as(command.options());
    } catch (IllegalArgumentException e) {
      err.println(args[0] + ": " + e.getMessage());
      err.println("See: " + args[0] + " --help");
      return BAD_USAGE;
    }
    try {
      return command.run(options, out);
    } catch (io.beamline.pipelines.etl.QualityGateException e) {
      if (e.summary() != null) {
        out.print(e.summary().toText());
      }
      err.println(args[0] + " failed: " + e.getMessage());
      return QUALITY_FAILED;
    } catch (IllegalArgumentException | io.beamline.transforms.schema.InvalidSchemaException e) {
      err.println(args[0] + ": " + e.getMessage());
      return BAD_USAGE;
    } catch (Exception e) {
      err.println(args[0] + " failed: " + e);
      return FAILED;
    } catch (OutOfMemoryError e) {
      err.println(args[0] + " failed: out of memory (" + e.getMessage() + "). The Direct runner holds"
          + " a batch run in memory: give the JVM a larger heap (java -Xmx3g -jar ... for 1M events) or"
          + " run on Flink or Spark.");
      return FAILED;
    }
  }

  /** The command line with one more command, for tests. */
  BeamlineCli(String name, Command command) {
    this();
    commands.put(name, command);
  }

  private String usage() {
    StringBuilder s = new StringBuilder("Usage: java -jar beamline-<runner>.jar <command> --option=value ...\n\nCommands:\n");
    commands.forEach((name, c) -> s.append(String.format("  %-12s %s%n", name, c.summary())));
    s.append("\n<command> --help lists every option of a command with its description and default.\n");
    return s.toString();
  }

  /** Prints a finished run's summary and turns it into an exit code. */
  static int report(EtlRunSummary summary, PrintStream out) {
    out.print(summary.toText());
    return summary.conserved() ? OK : NOT_CONSERVED;
  }

  static final class EtlCommand implements Command {
    @Override
    public Class<? extends PipelineOptions> options() {
      return EtlOptions.class;
    }

    @Override
    public String summary() {
      return "Batch ETL: envelope files to the partitioned raw, etl (Parquet), dlq and audit zones.";
    }

    @Override
    public int run(PipelineOptions options, PrintStream out) {
      return report(BatchEtlPipeline.run(options.as(EtlOptions.class)), out);
    }
  }
}
