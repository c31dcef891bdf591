package io.beamline.benchmarks.stages;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.model.Envelope;
import org.junit.jupiter.api.Test;

class StageCallTest {
  @Test
  void aDeadLetterFailsTheCallNamingItsReason() {
    StagePool pool = SharedPool.pool();
    Envelope good = pool.envelopes[0];
    Envelope ofAnotherEvent =
        new Envelope("another-event", good.tenant(), good.source(), good.table(), good.eventTimeMillis(),
            good.keyId(), good.payload(), good.raw());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> pool.stages.decrypt.apply(ofAnotherEvent));
    assertThat(e.getMessage(), containsString("DecryptPayload made a dead letter: DECRYPT_FAILED"));
  }

  @Test
  void aCallAfterADeadLetterReturnsTheNextOutput() {
    StagePool pool = SharedPool.pool();
    assertThrows(IllegalStateException.class, () -> pool.stages.parse.apply("not json"));
    assertThat(pool.stages.parse.apply(pool.lines[1]), equalTo(pool.envelopes[1]));
  }

  @Test
  void stagesAreNamedAfterTheCompositesSteps() {
    ProcessEnvelopesStages s = SharedPool.pool().stages;
    assertThat(
        java.util.List.of(s.parse.stage(), s.decrypt.stage(), s.flatten.stage(), s.validate.stage(), s.protect.stage()),
        equalTo(java.util.List.of("ParseEnvelope", "DecryptPayload", "FlattenRecord", "ValidateAgainstSchema",
            "ProtectPersonalData")));
  }
}
