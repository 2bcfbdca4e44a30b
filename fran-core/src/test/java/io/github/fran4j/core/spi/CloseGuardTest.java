package io.github.fran4j.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CloseGuardTest {
  @Test
  void closeWaitsForTheCallInFlightAndReleasesOnce() throws Exception {
    CloseGuard guard = new CloseGuard("test session");
    AtomicBoolean callRunning = new AtomicBoolean();
    AtomicBoolean releasedDuringCall = new AtomicBoolean();
    AtomicInteger releases = new AtomicInteger();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread caller = new Thread(() -> {
      try (CloseGuard.Call c = guard.enter("run")) {
        callRunning.set(true);
        inside.countDown();
        finish.await();
        callRunning.set(false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    caller.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(() -> guard.close(() -> {
      releasedDuringCall.set(callRunning.get());
      releases.incrementAndGet();
    }));
    closer.start();
    // The closer must still be waiting while the call runs.
    closer.join(200);
    assertThat(closer.isAlive()).isTrue();
    assertThat(releases.get()).isZero();
    finish.countDown();
    closer.join(10_000);
    caller.join(10_000);
    assertThat(releases.get()).isEqualTo(1);
    assertThat(releasedDuringCall.get()).isFalse();
    assertThat(guard.close(releases::incrementAndGet)).isFalse();
    assertThat(releases.get()).isEqualTo(1);
    assertThat(guard.isClosed()).isTrue();
  }

  @Test
  void callsAfterCloseNameTheOperationAndTheResource() {
    CloseGuard guard = new CloseGuard("face model a.onnx");
    assertThat(guard.close(() -> { })).isTrue();
    assertThatThrownBy(() -> guard.enter("detect"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("detect called on a closed face model a.onnx");
  }

  @Test
  void nestedCallsWorkAndCloseFromInsideACallIsRefusedNotDeadlocked() {
    CloseGuard guard = new CloseGuard("ReAger");
    try (CloseGuard.Call outer = guard.enter("reage");
        CloseGuard.Call inner = guard.enter("predictDeltas")) {
      assertThatThrownBy(() -> guard.close(() -> { }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("from inside one of its own calls");
    }
    assertThat(guard.close(() -> { })).isTrue();
  }
}
