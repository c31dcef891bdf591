package io.beamline.transforms.quality;

import java.util.Locale;

/** The kinds of quality rule a suite may declare, by their name in the suite file. */
public enum RuleType {
  NOT_NULL,
  UNIQUE,
  BETWEEN,
  MATCHES,
  IN_SET,
  COMPLETENESS,
  ROW_COUNT,
  FRESHNESS,
  EXPRESSION;

  /** The name in a suite file: {@code not_null}, {@code in_set}, ... */
  public String fileName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static RuleType parse(String name) {
    for (RuleType t : values()) {
      if (t.fileName().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** Rules judged row by row, whose failing rows are counted. */
  boolean isRowLevel() {
    return this != ROW_COUNT && this != FRESHNESS && this != UNIQUE;
  }

  /** Rules that measure a column's validity score. */
  boolean measuresValidity() {
    return this == BETWEEN || this == MATCHES || this == IN_SET;
  }

  /** Rules that measure a column's completeness score. */
  boolean measuresCompleteness() {
    return this == NOT_NULL || this == COMPLETENESS;
  }
}
