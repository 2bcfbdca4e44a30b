package io.github.fran4j.core.weights.pth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The allow-list message is derived from the table the unpickler applies. */
class AllowListTest {
  @Test
  void messageListsExactlyTheAcceptedGlobalsInTableOrder() {
    assertThat(RestrictedUnpickler.ALLOWED_GLOBALS).isEqualTo(
        "[collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_tensor,"
            + " torch._utils._rebuild_parameter, torch._utils._rebuild_parameter_with_state,"
            + " torch.<Float|Half|BFloat16|Long|Double|Int|Short|Char|Byte|Bool>Storage]");
    assertThat(RestrictedUnpickler.allowed("torch", "HalfStorage")).isTrue();
    assertThat(RestrictedUnpickler.allowed("torch", "ComplexFloatStorage")).isFalse();
    assertThat(RestrictedUnpickler.allowed("os", "system")).isFalse();
  }
}
