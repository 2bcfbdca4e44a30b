package io.github.fran4j.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceTest {
  @Test
  void parsesTheDocumentedForms() {
    assertThat(Device.parse("AUTO")).isEqualTo(Device.AUTO);
    assertThat(Device.parse("cpu")).isEqualTo(Device.CPU);
    assertThat(Device.parse("cuda")).isEqualTo(Device.cuda(0));
    assertThat(Device.parse("cuda:2").id()).isEqualTo(2);
    assertThat(Device.cuda(1).toString()).isEqualTo("cuda:1");
    assertThatThrownBy(() -> Device.parse("tpu")).hasMessageContaining("expected auto, cpu");
    assertThatThrownBy(() -> Device.parse("cuda:x")).hasMessageContaining("cuda:x");
  }
}
