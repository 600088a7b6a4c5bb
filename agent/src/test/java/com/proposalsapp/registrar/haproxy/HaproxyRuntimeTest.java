package com.proposalsapp.registrar.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.proposalsapp.registrar.core.BalancerException;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Listener;
import com.proposalsapp.registrar.core.ServerSlot;
import com.proposalsapp.registrar.core.SlotChange;
import com.proposalsapp.registrar.core.SlotState;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HaproxyRuntimeTest {

  /** Captured from HAProxy 2.6.12 (Debian 12): disabled, ready, drain; and another backend. */
  static final String STATE =
      """
      1
      # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
      2 redis_write 1 s1 127.0.0.1 0 5 1 1 0 1 0 0 8 0 0 0 - 1 - 0 0 - - 0
      2 redis_write 2 s2 10.0.2.7 2 4 1 1 0 1 0 0 8 0 0 0 - 6379 - 0 0 - - 0
      3 redis_read 1 s1 10.0.1.5 2 12 10 1 0 1 0 0 8 0 0 0 - 6379 - 0 0 - - 0
      4 other 1 web 10.0.0.1 2 0 1 1 0 1 0 0 8 0 0 0 - 80 - 0 0 - - 0

      """;

  @Test
  void parsesTheRoutersSlotsAndNothingElse() throws BalancerException {
    assertThat(HaproxyRuntime.parseServersState(STATE))
        .containsExactly(
            new ServerSlot(Listener.WRITE, "s1", HostPort.parse("127.0.0.1:1"), SlotState.MAINT, 1),
            new ServerSlot(
                Listener.WRITE, "s2", HostPort.parse("10.0.2.7:6379"), SlotState.READY, 1),
            new ServerSlot(
                Listener.READ, "s1", HostPort.parse("10.0.1.5:6379"), SlotState.DRAIN, 10));
  }

  @Test
  void refusesAnAnswerThatIsNotFormatOne() {
    assertThatThrownBy(() -> HaproxyRuntime.parseServersState("Unknown command.\n"))
        .isInstanceOf(BalancerException.class)
        .hasMessageContaining("format 1");
  }

  @Test
  void rendersTheRuntimeApiCommands() {
    HostPort b = HostPort.parse("10.0.2.7:6379");
    assertThat(HaproxyRuntime.render(new SlotChange.SetAddress(Listener.WRITE, "s2", b)))
        .isEqualTo("set server redis_write/s2 addr 10.0.2.7 port 6379");
    assertThat(HaproxyRuntime.render(new SlotChange.SetWeight(Listener.READ, "s1", 10)))
        .isEqualTo("set weight redis_read/s1 10");
    assertThat(HaproxyRuntime.render(new SlotChange.SetState(Listener.READ, "s3", SlotState.DRAIN)))
        .isEqualTo("set server redis_read/s3 state drain");
    assertThat(HaproxyRuntime.render(new SlotChange.ShutdownSessions(Listener.WRITE, "s1")))
        .isEqualTo("shutdown sessions server redis_write/s1");
  }

  @Test
  void theConfigurationHasBothListenersTheSocketAndEverySlotFree() {
    String cfg =
        HaproxyConfig.render(
            Path.of("/run/haproxy/registrar.sock"),
            HostPort.parse("127.0.0.1:6380"),
            HostPort.parse("127.0.0.1:6381"),
            3);
    assertThat(cfg)
        .contains("stats socket /run/haproxy/registrar.sock mode 600 level admin")
        .contains("listen redis_write\n  bind 127.0.0.1:6380\n")
        .contains("listen redis_read\n  bind 127.0.0.1:6381\n")
        .contains("timeout client 1h", "timeout server 1h");
    assertThat(cfg.lines().filter(l -> l.matches("  server s\\d 127\\.0\\.0\\.1:1 disabled")))
        .hasSize(6);
  }
}
