package io.beamline.transforms.quality;

/** A quality suite file that cannot be used; the message names the file, the rule and the problem. */
public final class InvalidQualitySuiteException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidQualitySuiteException(String message) {
    super(message);
  }
}
