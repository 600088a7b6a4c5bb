package com.proposalsapp.registrar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.proposalsapp.registrar.config.RouteSettings.Option;
import com.proposalsapp.registrar.core.HostPort;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteSettingsTest {

  static RouteSettings resolve(Map<String, String> env, Object... flagPairs)
      throws ConfigException {
    Map<Option, String> flags = new EnumMap<>(Option.class);
    for (int i = 0; i < flagPairs.length; i += 2) {
      flags.put((Option) flagPairs[i], (String) flagPairs[i + 1]);
    }
    return RouteSettings.resolve(flags, env::get, true);
  }

  @Test
  void defaultsAreTheSeedsAddressesAndTenToOne() throws ConfigException {
    RouteSettings s =
        resolve(Map.of(), Option.DC, "dc2", Option.HAPROXY_SOCKET, "/run/haproxy/admin.sock");
    assertThat(s.writeBind()).isEqualTo(HostPort.parse("127.0.0.1:6380"));
    assertThat(s.readBind()).isEqualTo(HostPort.parse("127.0.0.1:6381"));
    assertThat(s.localWeight()).isEqualTo(10);
    assertThat(s.remoteWeight()).isEqualTo(1);
    assertThat(s.slots()).isEqualTo(8);
    assertThat(s.prefix()).isEqualTo("/service/redis");
    assertThat(s.haproxySocket()).isEqualTo(Path.of("/run/haproxy/admin.sock"));
    assertThat(s.http()).hasToString("0.0.0.0:8009");
  }

  @Test
  void httpCanBeTurnedOffOrPutOnAnyFreePort() throws ConfigException {
    assertThat(
            resolve(Map.of("ROUTE_HTTP", "off"), Option.DC, "dc1", Option.HAPROXY_SOCKET, "/s")
                .http())
        .isNull();
    assertThat(
            resolve(
                    Map.of(),
                    Option.DC,
                    "dc1",
                    Option.HAPROXY_SOCKET,
                    "/s",
                    Option.HTTP,
                    "127.0.0.1:0")
                .http()
                .port())
        .isZero();
  }

  @Test
  void theEnvironmentFillsWhatFlagsLeaveOut() throws ConfigException {
    RouteSettings s =
        resolve(
            Map.of(
                "NOMAD_DC", "dc3",
                "ROUTE_HAPROXY_SOCKET", "/s",
                "ROUTE_READ_BIND", "0.0.0.0:7381",
                "ROUTE_SLOTS", "4"),
            Option.SLOTS,
            "5");
    assertThat(s.dc()).isEqualTo("dc3");
    assertThat(s.readBind()).isEqualTo(HostPort.parse("0.0.0.0:7381"));
    assertThat(s.slots()).as("a flag wins over the environment").isEqualTo(5);
  }

  @Test
  void badValuesNameTheOptionAndTheValue() {
    assertThatThrownBy(() -> resolve(Map.of(), Option.DC, "dc1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("missing --haproxy-socket");
    assertThatThrownBy(
            () ->
                resolve(
                    Map.of(),
                    Option.DC,
                    "dc1",
                    Option.HAPROXY_SOCKET,
                    "/s",
                    Option.LOCAL_WEIGHT,
                    "300"))
        .hasMessage("invalid value '300' for --local-weight: must be between 1 and 256");
    assertThatThrownBy(
            () ->
                resolve(
                    Map.of(),
                    Option.DC,
                    "dc1",
                    Option.HAPROXY_SOCKET,
                    "/s",
                    Option.READ_BIND,
                    "127.0.0.1:6380"))
        .hasMessageContaining("for --read-bind: it is the --write-bind address");
    assertThatThrownBy(
            () ->
                resolve(Map.of("ROUTE_SLOTS", "x"), Option.DC, "dc1", Option.HAPROXY_SOCKET, "/s"))
        .hasMessage("invalid value 'x' for ROUTE_SLOTS (for --slots): not a number");
    assertThatThrownBy(() -> resolve(Map.of(), Option.HAPROXY_SOCKET, "/s"))
        .hasMessageStartingWith("missing --dc");
  }

  @Test
  void printingTheConfigurationNeedsNoDatacenter() throws ConfigException {
    Map<Option, String> flags = new EnumMap<>(Option.class);
    flags.put(Option.HAPROXY_SOCKET, "/s");
    assertThat(RouteSettings.resolve(flags, k -> null, false).dc()).isNull();
  }
}
