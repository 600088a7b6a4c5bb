package com.proposalsapp.registrar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.proposalsapp.registrar.core.HostPort;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteSettingsTest {

  static RouteSettings resolve(Map<String, String> env, Object... flagPairs)
      throws ConfigException {
    Map<Opt<?>, String> flags = new HashMap<>();
    for (int i = 0; i < flagPairs.length; i += 2) {
      flags.put((Opt<?>) flagPairs[i], (String) flagPairs[i + 1]);
    }
    return RouteSettings.resolve(flags, env::get, true);
  }

  @Test
  void defaultsAreTheSeedsAddressesAndTenToOne() throws ConfigException {
    RouteSettings s =
        resolve(Map.of(), Options.DC, "dc2", Options.HAPROXY_SOCKET, "/run/haproxy/admin.sock");
    assertThat(s.haproxy().writeBind()).isEqualTo(HostPort.parse("127.0.0.1:6380"));
    assertThat(s.haproxy().readBind()).isEqualTo(HostPort.parse("127.0.0.1:6381"));
    assertThat(s.haproxy().localWeight()).isEqualTo(10);
    assertThat(s.haproxy().remoteWeight()).isEqualTo(1);
    assertThat(s.haproxy().slots()).isEqualTo(8);
    assertThat(s.etcd().prefix()).isEqualTo("/service/redis");
    assertThat(s.haproxy().socket()).isEqualTo(Path.of("/run/haproxy/admin.sock"));
    assertThat(s.http()).hasToString("0.0.0.0:8009");
    assertThat(s.log().level()).isEqualTo("INFO");
    assertThat(s.log().format()).isEqualTo(LogSettings.Format.TEXT);
  }

  @Test
  void httpCanBeTurnedOffOrPutOnAnyFreePort() throws ConfigException {
    assertThat(
            resolve(Map.of("ROUTE_HTTP", "off"), Options.DC, "dc1", Options.HAPROXY_SOCKET, "/s")
                .http())
        .isNull();
    assertThat(
            resolve(
                    Map.of(),
                    Options.DC,
                    "dc1",
                    Options.HAPROXY_SOCKET,
                    "/s",
                    Options.ROUTE_HTTP,
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
            Options.SLOTS,
            "5");
    assertThat(s.dc()).isEqualTo("dc3");
    assertThat(s.haproxy().readBind()).isEqualTo(HostPort.parse("0.0.0.0:7381"));
    assertThat(s.haproxy().slots()).as("a flag wins over the environment").isEqualTo(5);
  }

  @Test
  void badValuesNameTheOptionAndTheValue() {
    assertThatThrownBy(() -> resolve(Map.of(), Options.DC, "dc1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("missing --haproxy-socket");
    assertThatThrownBy(
            () ->
                resolve(
                    Map.of(),
                    Options.DC,
                    "dc1",
                    Options.HAPROXY_SOCKET,
                    "/s",
                    Options.LOCAL_WEIGHT,
                    "300"))
        .hasMessage("invalid value '300' for --local-weight: must be between 1 and 256");
    assertThatThrownBy(
            () ->
                resolve(
                    Map.of(),
                    Options.DC,
                    "dc1",
                    Options.HAPROXY_SOCKET,
                    "/s",
                    Options.READ_BIND,
                    "127.0.0.1:6380"))
        .hasMessageContaining("for --read-bind: it is the --write-bind address");
    assertThatThrownBy(
            () ->
                resolve(
                    Map.of("ROUTE_SLOTS", "x"), Options.DC, "dc1", Options.HAPROXY_SOCKET, "/s"))
        .hasMessage("invalid value 'x' for ROUTE_SLOTS (for --slots): not a number");
    assertThatThrownBy(() -> resolve(Map.of(), Options.HAPROXY_SOCKET, "/s"))
        .hasMessageStartingWith("missing --dc");
  }

  @Test
  void printingTheConfigurationNeedsNoDatacenter() throws ConfigException {
    Map<Opt<?>, String> flags = new HashMap<>();
    flags.put(Options.HAPROXY_SOCKET, "/s");
    assertThat(RouteSettings.resolve(flags, k -> null, false).dc()).isNull();
  }
}
