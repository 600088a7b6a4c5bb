package com.proposalsapp.registrar.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsulTemplateTest {

  private final ConsulTemplate template =
      new ConsulTemplate(
          Map.of("redis/password", "pw", "redis/maxmemory", "4gb"),
          Map.of("NOMAD_IP_redis", "10.0.2.7", "NOMAD_META_initial_master", "10.0.1.5"));

  @Test
  void keysWithAndWithoutDefaultsAndTheEnvironment() {
    assertThat(
            template.render(
                "requirepass {{ key \"redis/password\" }}\n"
                    + "maxmemory {{ keyOrDefault \"redis/maxmemory\" \"2gb\" }}\n"
                    + "policy {{ keyOrDefault \"redis/maxmemory_policy\" \"allkeys-lru\" }}\n"
                    + "ip {{ env \"NOMAD_IP_redis\" }} unset={{ env \"NOMAD_NOPE\" }}.\n"))
        .isEqualTo("requirepass pw\nmaxmemory 4gb\npolicy allkeys-lru\nip 10.0.2.7 unset=.\n");
  }

  @Test
  void conditionsOnTwoVariables() {
    String replicaof =
        "{{ if ne (env \"NOMAD_IP_redis\") (env \"NOMAD_META_initial_master\") }}"
            + "replicaof {{ env \"NOMAD_META_initial_master\" }} 6379{{ end }}";
    assertThat(template.render(replicaof)).isEqualTo("replicaof 10.0.1.5 6379");
    ConsulTemplate onTheInitialMaster =
        new ConsulTemplate(
            Map.of(),
            Map.of("NOMAD_IP_redis", "10.0.1.5", "NOMAD_META_initial_master", "10.0.1.5"));
    assertThat(onTheInitialMaster.render(replicaof)).isEmpty();
  }

  @Test
  void anAbsentKeyAndAnUnknownFunctionFail() {
    assertThatThrownBy(() -> template.render("{{ key \"redis/none\" }}"))
        .hasMessageContaining("redis/none");
    assertThatThrownBy(() -> template.render("{{ service \"redis\" }}"))
        .hasMessageContaining("does not know");
  }
}
