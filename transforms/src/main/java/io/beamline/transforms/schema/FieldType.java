package io.beamline.transforms.schema;

import java.util.Locale;

/** Column types a table schema may declare. */
public enum FieldType {
  STRING,
  INT,
  LONG,
  DOUBLE,
  DECIMAL,
  BOOLEAN,
  TIMESTAMP,
  DATE;

  static FieldType parse(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  public String schemaName() {
    return name().toLowerCase(Locale.ROOT);
  }

  boolean isNumeric() {
    return this == INT || this == LONG || this == DOUBLE || this == DECIMAL;
  }
}
