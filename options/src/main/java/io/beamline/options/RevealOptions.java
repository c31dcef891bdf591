package io.beamline.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code reveal}: the keyring that protected the values and the rows' tenant. */
public interface RevealOptions extends CryptoOptions {
  @Description(
      "Tenant of the rows the values come from, [a-z0-9_]{1,64}: its pii key opens them, and only"
          + " values of that tenant open.")
  @Validation.Required
  String getTenant();

  void setTenant(String value);
}
