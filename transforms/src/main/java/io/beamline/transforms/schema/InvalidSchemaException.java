package io.beamline.transforms.schema;

/** A schema file that cannot be used; the message names the file and the problem. */
public final class InvalidSchemaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidSchemaException(String message) {
    super(message);
  }
}
