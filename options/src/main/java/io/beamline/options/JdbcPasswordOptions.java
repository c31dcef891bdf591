package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where a database password comes from: a file or an environment variable, never the command
 * line (which other users of the machine can read in the process list).
 */
public interface JdbcPasswordOptions extends PipelineOptions {
  @Description(
      "Name of the environment variable that holds the database password (used unless"
          + " --jdbcPasswordFile is set).")
  @Default.String("BEAMLINE_JDBC_PASSWORD")
  String getJdbcPasswordEnv();

  void setJdbcPasswordEnv(String value);

  @Description(
      "File whose first line is the database password; wins over --jdbcPasswordEnv. Empty: use"
          + " the environment variable.")
  @Default.String("")
  String getJdbcPasswordFile();

  void setJdbcPasswordFile(String value);
}
