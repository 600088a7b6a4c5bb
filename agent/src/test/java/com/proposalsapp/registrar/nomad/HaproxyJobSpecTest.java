package com.proposalsapp.registrar.nomad;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.nomad.JobSpec.Block;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nomad/haproxy.nomad.hcl}: HAProxy and the router on every app node. */
class HaproxyJobSpecTest {

  private final JobSpec spec = JobSpec.parse("haproxy.nomad.hcl");
  private final Block group = spec.groups().get(0);

  @Test
  void aSystemJobOnTheAppNodesOfEveryDatacenter() {
    Block job = spec.job();
    assertThat(job.string("type")).isEqualTo("system");
    assertThat(job.body().get("datacenters")).isEqualTo(List.of("dc1", "dc2", "dc3"));
    assertThat(job.blocks("constraint"))
        .containsExactly(Map.of("attribute", "node.class", "value", "app"));
    assertThat(spec.groups()).hasSize(1);
    assertThat(JobSpec.map(group.body().get("network")).get("mode")).isEqualTo("host");
  }

  @Test
  void theConfigIsPrintedBeforeHaproxyStartsAndTheRouterRunsBesideIt() {
    Block printer = group.task("haproxy-config");
    assertThat(printer.hook()).contains("prestart");
    assertThat(printer.sidecar()).as("runs to completion first").isFalse();
    Block haproxy = group.task("haproxy");
    assertThat(haproxy.hook()).isEmpty();
    assertThat(haproxy.args()).containsExactly("-f", "/alloc/data/haproxy.cfg", "-db");
    assertThat(haproxy.string("kill_signal")).as("HAProxy's soft stop").isEqualTo("SIGUSR1");
    Block router = group.task("router");
    assertThat(router.hook()).contains("poststart");
    assertThat(router.sidecar()).isTrue();
    assertThat(router.args().get(0)).isEqualTo("route");
    assertThat(String.join(" ", printer.args()))
        .contains(" route --print-haproxy-config ")
        .endsWith(" > /alloc/data/haproxy.cfg");
  }

  @Test
  void thePrinterAndTheRouterShareTheirOptionsAndTheNetworksPorts() {
    List<String> router = group.task("router").args();
    String printed = group.task("haproxy-config").args().get(0);
    List<String> printerOptions =
        Arrays.asList(
            printed
                .substring(printed.indexOf("--dc \"$NOMAD_DC\" ") + "--dc \"$NOMAD_DC\" ".length())
                .replace(" > /alloc/data/haproxy.cfg", "")
                .split(" "));
    List<String> routerOptions = router.subList(router.indexOf("--haproxy-socket"), router.size());
    assertThat(printerOptions).isEqualTo(routerOptions);
    assertThat(router.get(router.indexOf("--haproxy-socket") + 1)).startsWith("/alloc/");

    Map<String, Integer> ports = group.staticPorts();
    assertThat(router.get(router.indexOf("--write-bind") + 1)).endsWith(":" + ports.get("write"));
    assertThat(router.get(router.indexOf("--read-bind") + 1)).endsWith(":" + ports.get("read"));
    assertThat(router.get(router.indexOf("--http") + 1)).endsWith(":" + ports.get("router_http"));
    Map<String, Object> service = group.blocks("service").get(0);
    assertThat(service.get("port")).isEqualTo("router_http");
    assertThat(JobSpec.map(service.get("check")).get("path")).isEqualTo("/health");
  }

  @Test
  void noSecretInArgsOrEnv() {
    for (Block task : group.children("task")) {
      assertThat(String.join(" ", task.args())).doesNotContainIgnoringCase("password");
      assertThat(task.env())
          .containsOnlyKeys(task.env().isEmpty() ? List.of() : List.of("REGISTRAR_ETCD"));
    }
  }
}
