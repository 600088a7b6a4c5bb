package com.proposalsapp.registrar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "10.0.1.5:6379, 10.0.1.5, 6379, 10.0.1.5:6379",
    "' redis-0.dc1:1 ', redis-0.dc1, 1, redis-0.dc1:1",
    "[fd00::5]:65535, fd00::5, 65535, [fd00::5]:65535",
    "[::1]:6379, ::1, 6379, [::1]:6379",
    "localhost:6379, localhost, 6379, localhost:6379",
    "redis-0.redis.service.consul.:6379, redis-0.redis.service.consul., 6379, redis-0.redis.service.consul.:6379"
  })
  void parsesAndPrints(String text, String host, int port, String printed) {
    HostPort hp = HostPort.parse(text);

    assertThat(hp).isEqualTo(new HostPort(host, port));
    assertThat(hp.toString()).isEqualTo(printed);
    assertThat(HostPort.parse(hp.toString())).isEqualTo(hp);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(
      strings = {
        "",
        "10.0.1.5",
        "10.0.1.5:",
        ":6379",
        "10.0.1.5:0",
        "10.0.1.5:70000",
        "10.0.1.5:-1",
        "10.0.1.5:port",
        "redis 0:6379",
        "redis://10.0.1.5:6379",
        "a/b:6379",
        "10.0.1.5:6379,10.0.1.6:6379",
        "10.0.1.5:+6379",
        "10.0.1.5: 6379",
        "::1:6379",
        "[::g]:6379",
        "[10.0.1.5]:6379",
        "redis\u00070:6379",
        "-redis:6379",
        "redis..dc1:6379"
      })
  void rejects(String text) {
    assertThatIllegalArgumentException().isThrownBy(() -> HostPort.parse(text));
  }
}
