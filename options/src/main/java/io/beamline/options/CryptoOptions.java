package io.beamline.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where payload keys come from. */
public interface CryptoOptions extends PipelineOptions {
  @Description(
      "Keyring file: a JSON object from key id to the base64 of a 32-byte AES key, or to"
          + " {\"key\": ..., \"tenant\": ..., \"purpose\": \"payload\"|\"pii\"} for a key scoped to one"
          + " tenant or a tenant's pii key (see docs/FORMATS.md). Key bytes are never logged or"
          + " written anywhere else.")
  @Validation.Required
  String getKeyringPath();

  void setKeyringPath(String value);
}
