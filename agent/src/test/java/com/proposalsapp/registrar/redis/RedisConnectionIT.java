package com.proposalsapp.registrar.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.proposalsapp.registrar.config.RedisAccess;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.it.RedisServer;
import com.proposalsapp.registrar.it.Sandbox;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ClientKillParams;

/** The connection the agent observes Redis through, against a real redis-server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisConnectionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private RedisServer redis;
  private RedisConnection connection;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start(Sandbox.createDir("RedisConnectionIT"), "redis", 0);
    connection =
        new RedisConnection(
            new HostPort("127.0.0.1", redis.port()),
            "Redis",
            new RedisClients(RedisAccess.NONE, TIMEOUT, RedisClients.CLIENT_NAME));
  }

  @AfterEach
  void stop() {
    if (connection != null) {
      connection.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** What Sentinel does to every instance it reconfigures during a failover. */
  @Test
  void aConnectionKilledByTheServerIsReopenedWithinTheSameCall() throws RedisException {
    long first = connection.call(Jedis::clientId);

    try (Jedis admin = redis.jedis()) {
      assertThat(admin.clientKill(ClientKillParams.clientKillParams().id(String.valueOf(first))))
          .isEqualTo(1);
    }

    long second = connection.call(Jedis::clientId);
    assertThat(second).as("answered on a new connection").isNotEqualTo(first);
    assertThat(connection.call(Jedis::clientId)).as("which is kept").isEqualTo(second);
  }

  @Test
  void aStoppedServerIsReportedOnceRetriedWithTheServerName() throws RedisException {
    connection.call(Jedis::ping);
    redis.kill();

    assertThatThrownBy(() -> connection.call(Jedis::ping))
        .isInstanceOf(RedisException.class)
        .hasMessage("Redis at 127.0.0.1:" + redis.port() + ": connection refused");
  }

  @Test
  void aServerThatDoesNotAnswerFailsAfterOneTimeoutNotTwo() throws RedisException {
    connection.call(Jedis::ping);
    redis.pause();
    try {
      long started = System.nanoTime();
      assertThatThrownBy(() -> connection.call(Jedis::ping))
          .isInstanceOf(RedisException.class)
          .hasMessageEndingWith(": timed out");
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("a timeout is not retried")
          .isLessThan(TIMEOUT.multipliedBy(2));
    } finally {
      redis.resume();
    }
  }
}
