package io.beamline.transforms.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.VarInt;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The base of the model classes' coders: each writes its class's fields in a fixed order, strings
 * as Beam's nested UTF-8, numbers as var-ints. Deterministic.
 *
 * <p>Why not AvroCoder: its reflect writer finds a class's field accessors in a cache keyed by
 * schema, comparing schemas deeply when a runner holds equal copies of one coder (one per
 * operator), which was 16 % of {@code etl}'s CPU on Flink, and Avro in all 46 %.
 */
abstract class FieldsCoder<T> extends AtomicCoder<T> {
  private static final long serialVersionUID = 1L;
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final CanonicalNames NAMES = new CanonicalNames(10_000);

  static void writeString(String value, OutputStream out) throws IOException {
    if (value == null) {
      throw new CoderException("a required string field is null");
    }
    STRING.encode(value, out);
  }

  static String readString(InputStream in) throws IOException {
    return STRING.decode(in);
  }

  /**
   * A string of few distinct values (tenant, source, table), one shared instance per value: a
   * runner that holds decoded elements (the Direct runner's groupings hold a whole run) would
   * otherwise keep a copy per row, a third of such a row's memory. Only for names already
   * validated: a dead letter's names come from rejected input and would crowd the bounded map.
   */
  static String readName(InputStream in) throws IOException {
    return NAMES.canonical(STRING.decode(in));
  }

  static void writeNullableString(@Nullable String value, OutputStream out) throws IOException {
    out.write(value == null ? 0 : 1);
    if (value != null) {
      STRING.encode(value, out);
    }
  }

  static @Nullable String readNullableString(InputStream in) throws IOException {
    return readPresence(in) ? STRING.decode(in) : null;
  }

  static void writeLong(long value, OutputStream out) throws IOException {
    VarInt.encode(value, out);
  }

  static long readLong(InputStream in) throws IOException {
    return VarInt.decodeLong(in);
  }

  static void writeInt(int value, OutputStream out) throws IOException {
    VarInt.encode(value, out);
  }

  static int readInt(InputStream in) throws IOException {
    return VarInt.decodeInt(in);
  }

  static boolean readPresence(InputStream in) throws IOException {
    int b = in.read();
    if (b != 0 && b != 1) {
      throw new CoderException(b < 0 ? "stream ended inside an element" : "bad presence byte " + b);
    }
    return b == 1;
  }
}
