package io.beamline.transforms.model;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared instance per distinct string, for strings of few values. Bounded: past {@code
 * capacity} distinct values a string is returned as it is, so a field of unexpectedly many values
 * (a tenant per customer) costs no more memory than without it. Thread-safe.
 */
public final class CanonicalNames {
  private final int capacity;
  private final ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();

  public CanonicalNames(int capacity) {
    this.capacity = capacity;
  }

  public String canonical(String value) {
    String known = names.get(value);
    if (known != null) {
      return known;
    }
    if (names.size() >= capacity) {
      return value;
    }
    known = names.putIfAbsent(value, value);
    return known == null ? value : known;
  }
}
