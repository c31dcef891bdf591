package io.beamline.io.jdbc;

import java.io.EOFException;
import java.io.Serializable;
import java.net.ConnectException;
import java.net.SocketException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a unit of JDBC work in one transaction, again on a fresh connection with exponential
 * backoff when it fails for a reason that passes (connection lost or refused, serialization
 * failure, deadlock, server shutting down or starting), up to a limit. Other failures are thrown
 * at once: they are the caller's to handle.
 */
final class RetryTransientFailures implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RetryTransientFailures.class);
  private static final Set<String> TRANSIENT_STATES =
      Set.of("40001", "40P01", "57P01", "57P02", "57P03", "53300", "55P03");

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;

  RetryTransientFailures(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("at least one attempt is needed");
    }
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
  }

  /** Eight attempts, backing off from 200 ms to at most 10 s: rides out a server restart. */
  static RetryTransientFailures standard() {
    return new RetryTransientFailures(8, Duration.ofMillis(200), Duration.ofSeconds(10));
  }

  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** A connection that is opened on first use and replaced after a transient failure. */
  static final class Session implements AutoCloseable {
    private final JdbcConnection target;
    private Connection connection;

    Session(JdbcConnection target) {
      this.target = target;
    }

    Connection get() throws SQLException {
      if (connection == null) {
        connection = target.open();
        connection.setAutoCommit(false);
      }
      return connection;
    }

    void discard() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // The connection is broken anyway.
        }
        connection = null;
      }
    }

    @Override
    public void close() {
      discard();
    }
  }

  <T> T inTransaction(Session session, Work<T> work) throws SQLException {
    long backoff = initialBackoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      Connection c = null;
      try {
        c = session.get();
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException e) {
        rollbackQuietly(c);
        if (!isTransient(e) || attempt >= maxAttempts) {
          throw e;
        }
        LOG.warn(
            "Transient database failure (SQLSTATE {}), attempt {} of {}; retrying in {} ms",
            e.getSQLState(), attempt, maxAttempts, backoff);
        session.discard();
        sleep(backoff);
        backoff = Math.min(backoff * 2, maxBackoff.toMillis());
      }
    }
  }

  /** Whether a failure is one that passes: the same work may succeed on a new connection. */
  static boolean isTransient(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        if (state != null && (state.startsWith("08") || TRANSIENT_STATES.contains(state))) {
          return true;
        }
      }
      if (t instanceof ConnectException || t instanceof SocketException || t instanceof EOFException) {
        return true;
      }
    }
    return false;
  }

  private static void rollbackQuietly(Connection c) {
    if (c != null) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // A broken connection has nothing to roll back; the server aborts the transaction.
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", e);
    }
  }
}
