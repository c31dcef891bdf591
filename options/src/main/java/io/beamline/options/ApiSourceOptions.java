package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Where and how records are pulled from a cursor-paginated HTTP API ({@code ingest-api}). */
public interface ApiSourceOptions extends EnvelopeIdentityOptions {
  @Description(
      "First page of the API, an http:// or https:// URL (it may have a query). Each later page is"
          + " this URL plus --cursorParam=<cursor>. It must not carry user:password; use"
          + " --apiTokenEnv for credentials.")
  @Validation.Required
  String getApiUrl();

  void setApiUrl(String value);

  @Description("Query parameter that carries the cursor of the next page.")
  @Default.String("cursor")
  String getCursorParam();

  void setCursorParam(String value);

  @Description("JSON pointer to the array of records in a page's body.")
  @Default.String("/data")
  String getItemsPointer();

  void setItemsPointer(String value);

  @Description(
      "JSON pointer to the next page's cursor in a page's body. The walk ends at a page whose"
          + " cursor is missing, null or empty.")
  @Default.String("/next_cursor")
  String getCursorPointer();

  void setCursorPointer(String value);

  @Description(
      "Field of a record (a name, or a JSON pointer starting with /) whose value becomes the"
          + " envelope's event_id; a number is taken as its text.")
  @Default.String("id")
  String getIdField();

  void setIdField(String value);

  @Description(
      "Field of a record (a name, or a JSON pointer starting with /) whose value becomes the"
          + " envelope's event_time: ISO-8601 with offset or Z.")
  @Default.String("updated_at")
  String getEventTimeField();

  void setEventTimeField(String value);

  @Description("Most requests sent per second, retries included.")
  @Default.Double(5)
  double getMaxRequestsPerSecond();

  void setMaxRequestsPerSecond(double value);

  @Description(
      "Retries of a page after a 429, a 5xx, a timeout or a connection error, with exponential"
          + " backoff and jitter. A page still failing after them ends the walk with one"
          + " FETCH_FAILED dead letter.")
  @Default.Integer(5)
  int getMaxRetries();

  void setMaxRetries(int value);

  @Description("Backoff before the first retry, in milliseconds; doubled for each further retry.")
  @Default.Long(500)
  long getInitialBackoffMillis();

  void setInitialBackoffMillis(long value);

  @Description(
      "Longest backoff between two attempts, in milliseconds; also the most a Retry-After header"
          + " of a 429 or 503 is waited for.")
  @Default.Long(30000)
  long getMaxBackoffMillis();

  void setMaxBackoffMillis(long value);

  @Description("Time allowed for connecting and for each request's response, in seconds.")
  @Default.Integer(30)
  int getRequestTimeoutSeconds();

  void setRequestTimeoutSeconds(int value);

  @Description(
      "Name of an environment variable holding a bearer token, sent as 'Authorization: Bearer"
          + " <token>'; empty sends none. The token is never logged or written anywhere.")
  @Default.String("")
  String getApiTokenEnv();

  void setApiTokenEnv(String value);
}
