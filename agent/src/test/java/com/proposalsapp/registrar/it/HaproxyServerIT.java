package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/** The harness's HAProxy: starts on a checked config, proxies Redis, and obeys its Runtime API. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HaproxyServerIT {

  @Test
  void proxiesRedisAndReportsRuntimeChanges() {
    Path dir = Sandbox.createDir("HaproxyServerIT");
    try (RedisServer redis = RedisServer.start(dir, "redis", 0);
        HaproxyServer haproxy =
            HaproxyServer.start(
                dir,
                "haproxy",
                h ->
                    String.join(
                        "\n",
                        "global",
                        "  stats socket " + h.socket() + " mode 600 level admin",
                        "defaults",
                        "  mode tcp",
                        "  timeout connect 1s",
                        "  timeout client 1h",
                        "  timeout server 1h",
                        "listen w",
                        "  bind " + h.writeAddress(),
                        "  server s1 " + redis.address(),
                        "  server s2 127.0.0.1:1 disabled",
                        "listen r",
                        "  bind " + h.readAddress(),
                        "  server s1 127.0.0.1:1 disabled",
                        ""))) {
      try (Jedis jedis = new Jedis("127.0.0.1", haproxy.writePort())) {
        assertThat(jedis.ping()).isEqualTo("PONG");
        assertThat(haproxy.sessions("w")).containsEntry("s1", 1);
      }
      assertThat(haproxy.active("w"))
          .extracting(HaproxyServer.ServerState::server)
          .containsExactly("s1");
      assertThat(haproxy.active("r")).isEmpty();
      assertThat(haproxy.slotOf("w", redis.address())).isPresent();

      haproxy.runtime("set server w/s1 state maint");
      assertThat(haproxy.active("w")).isEmpty();
      assertThatThrownBy(
              () -> {
                try (Jedis jedis = new Jedis("127.0.0.1", haproxy.writePort())) {
                  jedis.ping();
                }
              })
          .isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
    }
  }
}
