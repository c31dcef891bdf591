package io.beamline.transforms.schema;

import java.io.Serializable;
import java.util.List;

/** An array in a parent payload that is exploded into rows of a child table. */
public final class ChildSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String table;
  private final List<String> parentKey;

  ChildSpec(String path, String table, List<String> parentKey) {
    this.path = path;
    this.table = table;
    this.parentKey = List.copyOf(parentKey);
  }

  /** Dotted path of the array in the parent payload, for example {@code items}. */
  public String path() {
    return path;
  }

  public String table() {
    return table;
  }

  /** Parent columns copied onto every child row. */
  public List<String> parentKey() {
    return parentKey;
  }
}
