package io.beamline.benchmarks.baseline;

import java.math.BigDecimal;

/**
 * Appends JSON text exactly as Jackson writes it for Beamline's trees (the {@code _extra} column
 * and arrays kept as JSON strings): the same string escapes ({@code \n}-style short forms, other
 * control characters as upper-case {@code \}{@code u00XX}, nothing else escaped), integers as
 * digits and other numbers as {@link BigDecimal#toString()}.
 */
final class JsonText {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private JsonText() {}

  static void appendString(StringBuilder out, String s) {
    out.append('"');
    int n = s.length();
    int from = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, from, i);
      from = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    out.append(s, from, n).append('"');
  }

  /** A scalar as flattening keeps it: String, Long, BigInteger, BigDecimal, Boolean or JSON null. */
  static void appendScalar(StringBuilder out, Object value) {
    if (value instanceof String s) {
      appendString(out, s);
    } else if (value == FlatRow.JSON_NULL) {
      out.append("null");
    } else {
      out.append(value);
    }
  }
}
