package com.proposalsapp.registrar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

  private static final Backoff RETRY = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1600));

  @ParameterizedTest(name = "retry {0} waits {1} ms")
  @CsvSource({
    "-1,100",
    "0,100",
    "1,200",
    "2,400",
    "3,800",
    "4,1600",
    "5,1600",
    "30,1600",
    "2147483647,1600"
  })
  void doublesUpToTheCap(int attempt, long millis) {
    assertThat(RETRY.delay(attempt)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "initial {0} ms, max {1} ms")
  @CsvSource({"0,100", "-1,100", "200,100"})
  void rejectsNonsense(long initial, long max) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Backoff(Duration.ofMillis(initial), Duration.ofMillis(max)));
  }
}
