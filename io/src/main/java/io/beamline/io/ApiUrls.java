package io.beamline.io;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/** The URLs of an API walk: checking the first page's, adding a cursor, and showing them safely. */
final class ApiUrls {
  /** Query parameters whose values are shown as {@code ***}: they may be credentials. */
  private static final Pattern SECRET_PARAM =
      Pattern.compile("(?i).*(token|key|secret|passw|pwd|auth|sig|credential|session).*");

  private ApiUrls() {}

  /** The first page's URL, checked; throws naming {@code --apiUrl} without echoing it. */
  static URI parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("--apiUrl is required");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--apiUrl is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("--apiUrl must be an http:// or https:// URL with a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "--apiUrl must not carry user:password; pass a token with --apiTokenEnv");
    }
    if (uri.getRawFragment() != null) {
      throw new IllegalArgumentException("--apiUrl must not have a #fragment");
    }
    return uri;
  }

  /** {@code base} with {@code param=cursor} appended to its query ({@code ?} or {@code &}). */
  static URI withCursor(URI base, String param, String cursor) {
    String s = base.toString();
    String pair =
        URLEncoder.encode(param, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
    if (base.getRawQuery() == null) {
      return URI.create(s + "?" + pair);
    }
    return URI.create(s + (s.endsWith("?") || s.endsWith("&") ? "" : "&") + pair);
  }

  /**
   * A URL as it may appear in logs, dead letters and the audit record: without user info, and
   * with the values of query parameters that look like credentials replaced by {@code ***}.
   */
  static String shown(URI uri) {
    StringBuilder s = new StringBuilder();
    s.append(uri.getScheme()).append("://").append(uri.getHost());
    if (uri.getPort() >= 0) {
      s.append(':').append(uri.getPort());
    }
    s.append(uri.getRawPath() == null ? "" : uri.getRawPath());
    String query = uri.getRawQuery();
    if (query != null) {
      s.append('?');
      String[] pairs = query.split("&", -1);
      for (int i = 0; i < pairs.length; i++) {
        String pair = pairs[i];
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        s.append(i > 0 ? "&" : "");
        if (eq >= 0 && SECRET_PARAM.matcher(name).matches()) {
          s.append(name).append("=***");
        } else {
          s.append(pair);
        }
      }
    }
    return s.toString();
  }
}
