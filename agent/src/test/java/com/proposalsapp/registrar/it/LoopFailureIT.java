package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent whose loop fails (not a cycle: the loop itself) stops and exits 1 instead of keeping its
 * lease alive with nothing keeping its record true.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopFailureIT {

  private static Sandbox sandbox;

  @BeforeAll
  static void startSandbox() {
    sandbox = Sandbox.start("LoopFailureIT");
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void aFailedLoopRemovesTheRecordAndExitsNonZero() {
    // The trigger: a poll interval whose nanoseconds overflow a long, which the loop computes only
    // after its first cycle has published. If validation ever rejects this value up front (exit
    // 2), find another real way to make the loop itself fail.
    String key = Records.key(Agents.id(sandbox, 0));
    long t0 = System.nanoTime();
    try (EtcdWatch watch =
            EtcdWatch.start(sandbox.etcd(), Records.GROUP, sandbox.dir().resolve("watch.log"));
        AgentProcess agent =
            Agents.start(sandbox, 0, new String[] {"--poll-interval", "3000000h"})) {
      EtcdWatch.State published =
          watch.awaitFirst(
              "record published", t0, Duration.ofSeconds(20), st -> st.entries().containsKey(key));

      int exit = agent.waitForExit(Duration.ofSeconds(20));

      watch.awaitFirst(
          "record removed",
          published.seenNanos(),
          Duration.ofSeconds(5),
          st -> !st.entries().containsKey(key));
      assertThat(exit).isEqualTo(1);
      assertThat(agent.stderrLines())
          .anyMatch(l -> l.contains("ERROR") && l.contains("the agent loop failed"));
      assertThat(Records.get(sandbox.etcd(), Agents.id(sandbox, 0))).isEmpty();
    }
  }
}
