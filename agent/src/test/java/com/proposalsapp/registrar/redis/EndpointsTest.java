package com.proposalsapp.registrar.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.HostPort;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointsTest {

  private static final HostPort IP = HostPort.parse("127.0.0.1:6379");
  private static final HostPort NAME = HostPort.parse("localhost:6379");

  @Test
  void aNameAndTheIpItResolvesToAreOneEndpoint() {
    assertThat(Endpoints.same(NAME, IP)).isTrue();
    assertThat(Endpoints.same(IP, NAME)).isTrue();
  }

  @Test
  void anotherPortOrAnotherAddressOrAnUnknownNameIsAnotherEndpoint() {
    assertThat(Endpoints.same(NAME, HostPort.parse("127.0.0.1:6380"))).isFalse();
    assertThat(Endpoints.same(IP, HostPort.parse("127.0.0.2:6379"))).isFalse();
    assertThat(Endpoints.same(IP, HostPort.parse("no-such-host.invalid:6379"))).isFalse();
  }

  @Test
  void aReportedAddressTakesTheConfiguredSpelling() {
    assertThat(Endpoints.spelledAs(IP, List.of(NAME))).isEqualTo(NAME);
    assertThat(Endpoints.spelledAs(HostPort.parse("127.0.0.1:7000"), List.of(NAME)))
        .isEqualTo(HostPort.parse("127.0.0.1:7000"));
  }
}
