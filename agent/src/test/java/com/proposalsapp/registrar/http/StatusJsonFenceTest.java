package com.proposalsapp.registrar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.FenceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fence object of /status is read back as written: status's FENCE column depends on it. */
class StatusJsonFenceTest {

  @Test
  void aHeldFenceReadsBackAsWritten() {
    FenceStatus held =
        new FenceStatus(
            true,
            Duration.ofMillis(4750),
            true,
            Instant.parse("2026-12-02T16:00:00.123Z"),
            "+selected-slave",
            Instant.parse("2026-12-02T16:00:05.123Z"),
            3,
            Map.of("master_moved", 1L, "aborted", 1L),
            7,
            1,
            Duration.ofMillis(1234),
            Duration.ofMillis(2345),
            "aborted");
    assertThat(StatusJson.fence(StatusJson.fence(held))).isEqualTo(held);
  }

  @Test
  void anIdleFenceReadsBackAsWritten() {
    FenceStatus off = FenceStatus.off();
    assertThat(StatusJson.fence(StatusJson.fence(off))).isEqualTo(off);
    FenceStatus idle = FenceStatus.idle(true, Duration.ofSeconds(5));
    assertThat(StatusJson.fence(StatusJson.fence(idle))).isEqualTo(idle);
  }
}
