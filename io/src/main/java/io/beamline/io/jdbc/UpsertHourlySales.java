package io.beamline.io.jdbc;

import io.beamline.transforms.model.CategorySales;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Upserts hourly category sales into {@code etl.hourly_category_sales}, keyed by tenant, category
 * and hour, keeping the latest pane: panes accumulate, so a later pane holds the newer numbers, and
 * an older pane arriving late (a retry, a replay) never overwrites a newer one.
 */
public final class UpsertHourlySales extends PTransform<PCollection<CategorySales>, PDone> {
  static final String UPSERT =
      "INSERT INTO etl.\"hourly_category_sales\" (\"tenant\", \"category\", \"window_start\","
          + " \"window_end\", \"items\", \"units\", \"revenue\", \"pane_index\", \"pane_timing\","
          + " \"updated_at\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())"
          + " ON CONFLICT (\"tenant\", \"category\", \"window_start\") DO UPDATE SET"
          + " \"window_end\" = EXCLUDED.\"window_end\", \"items\" = EXCLUDED.\"items\","
          + " \"units\" = EXCLUDED.\"units\", \"revenue\" = EXCLUDED.\"revenue\","
          + " \"pane_index\" = EXCLUDED.\"pane_index\", \"pane_timing\" = EXCLUDED.\"pane_timing\","
          + " \"updated_at\" = EXCLUDED.\"updated_at\""
          + " WHERE EXCLUDED.\"pane_index\" >= etl.\"hourly_category_sales\".\"pane_index\"";

  private final JdbcConnection connection;

  private UpsertHourlySales(JdbcConnection connection) {
    this.connection = connection;
  }

  public static UpsertHourlySales to(JdbcConnection connection) {
    return new UpsertHourlySales(connection);
  }

  @Override
  public PDone expand(PCollection<CategorySales> sales) {
    sales.apply("UpsertLatestPane", ParDo.of(new UpsertFn(connection, RetryTransientFailures.standard())));
    return PDone.in(sales.getPipeline());
  }

  static final class UpsertFn extends DoFn<CategorySales, Void> {
    private final JdbcConnection connection;
    private final RetryTransientFailures retry;
    private transient RetryTransientFailures.Session session;

    UpsertFn(JdbcConnection connection, RetryTransientFailures retry) {
      this.connection = connection;
      this.retry = retry;
    }

    @Setup
    public void setup() {
      session = new RetryTransientFailures.Session(connection);
    }

    @Teardown
    public void teardown() {
      if (session != null) {
        session.close();
      }
    }

    @ProcessElement
    public void process(@Element CategorySales s) throws SQLException {
      retry.inTransaction(
          session,
          c -> {
            try (PreparedStatement st = c.prepareStatement(UPSERT)) {
              st.setString(1, s.tenant());
              st.setString(2, s.category());
              st.setObject(3, utc(s.windowStartMillis()));
              st.setObject(4, utc(s.windowEndMillis()));
              st.setLong(5, s.items());
              st.setLong(6, s.units());
              st.setBigDecimal(7, new BigDecimal(s.revenue()));
              st.setLong(8, s.paneIndex());
              st.setString(9, s.timing());
              return st.executeUpdate();
            }
          });
    }

    private static OffsetDateTime utc(long millis) {
      return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
  }
}
