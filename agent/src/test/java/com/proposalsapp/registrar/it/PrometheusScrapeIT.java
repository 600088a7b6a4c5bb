package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real Prometheus scrapes the agents' and the router's {@code /metrics} and takes them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrometheusScrapeIT {

  private static Sandbox sandbox;
  private static final List<AgentProcess> agents = new ArrayList<>();
  private static HaproxyServer haproxy;
  private static AgentProcess route;
  private static PrometheusServer prometheus;

  @BeforeAll
  static void start() {
    sandbox = Sandbox.start("PrometheusScrapeIT");
    List<String> targets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      AgentProcess a = Agents.start(sandbox, i, new String[] {"--poll-interval", "200ms"});
      agents.add(a);
      targets.add(AgentHttp.address(a));
    }
    haproxy = Routers.startHaproxy(sandbox, "haproxy", 4);
    route = Routers.start(sandbox, haproxy, "route", "dc2");
    targets.add(AgentHttp.address(route));
    prometheus = PrometheusServer.start(sandbox.dir(), "prometheus", targets);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {prometheus, route, haproxy}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing the next one matters more
      }
    }
    agents.forEach(AgentProcess::close);
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void everyTargetIsUpAndTheRolesAndRoutesAreQueryable() {
    await("every target scraped and up, with no scrape error")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              JsonNode active = prometheus.api("targets?state=active").path("activeTargets");
              assertThat(active).hasSize(4);
              for (JsonNode t : active) {
                assertThat(t.path("health").asText()).as(t.toString()).isEqualTo("up");
                assertThat(t.path("lastError").asText()).as(t.toString()).isEmpty();
              }
            });
    await("one agent says master, two say replica; the router routes writes to one server")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              assertThat(prometheus.query("redis_registrar_role{role=\"master\"} == 1")).hasSize(1);
              assertThat(prometheus.query("redis_registrar_role{role=\"replica\"} == 1"))
                  .hasSize(2);
              assertThat(
                      prometheus.query(
                          "redis_registrar_route_servers{listener=\"write\",state=\"ready\"} == 1"))
                  .hasSize(1);
              assertThat(prometheus.query("redis_registrar_cycles_total > 0")).hasSize(3);
              assertThat(
                      prometheus.query(
                          "histogram_quantile(0.99, redis_registrar_cycle_duration_seconds_bucket)"))
                  .hasSize(3);
            });
  }
}
