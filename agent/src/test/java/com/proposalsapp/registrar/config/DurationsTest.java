package com.proposalsapp.registrar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({
    "500ms, 500",
    "2s, 2000",
    "1m, 60000",
    "1h, 3600000",
    "0s, 0",
    "' 2s ', 2000",
    "999999999ms, 999999999"
  })
  void parses(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "''{0}''")
  @NullSource
  @ValueSource(
      strings = {
        "",
        " ",
        "5x",
        "-1s",
        "1.5s",
        "2",
        "s",
        "1d",
        "2 s",
        "1S",
        "1s500ms",
        "1234567890s"
      })
  void rejects(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Durations.parse(text))
        .withMessageContaining("500ms");
  }

  @ParameterizedTest(name = "{0} ms is {1}")
  @CsvSource({
    "500, 500ms",
    "1500, 1500ms",
    "2000, 2s",
    "90000, 90s",
    "60000, 1m",
    "5400000, 90m",
    "3600000, 1h",
    "0, 0s"
  })
  void formatsTheWayItParses(long millis, String text) {
    Duration d = Duration.ofMillis(millis);

    assertThat(Durations.format(d)).isEqualTo(text);
    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }
}
