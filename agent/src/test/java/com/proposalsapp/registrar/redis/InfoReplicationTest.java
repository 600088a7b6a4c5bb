package com.proposalsapp.registrar.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Replication;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code INFO replication} as captured from redis-server 7.0 (see resources/info/README.md). */
class InfoReplicationTest {

  private static final HostPort MASTER = HostPort.parse("127.0.0.1:19563");

  static Stream<Arguments> captured() {
    return Stream.of(
        arguments("master-with-replicas.txt", new Replication(true, null, false, false, 2, 71)),
        arguments("master-alone.txt", new Replication(true, null, false, false, 0, 0)),
        arguments("replica-link-up.txt", new Replication(false, MASTER, true, false, 0, 71)),
        arguments("replica-link-down.txt", new Replication(false, MASTER, false, false, 0, 71)),
        arguments(
            "replica-sync-in-progress.txt",
            new Replication(false, HostPort.parse("127.0.0.1:22062"), false, true, 0, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captured")
  void parsesCapturedOutput(String file, Replication expected) throws IOException {
    assertThat(InfoReplication.parse(resource(file))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captured")
  void parsesCapturedOutputWithTheCrLfOfTheWire(String file, Replication expected)
      throws IOException {
    assertThat(InfoReplication.parse(resource(file).replace("\n", "\r\n"))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          no role at all               | ''                                                                 | role
          a section without role       | '# Replication\\nconnected_slaves:0'                               | role
          an unknown role              | 'role:sentinel'                                                    | sentinel
          a replica without host       | 'role:slave\\nmaster_port:6379\\nmaster_link_status:up'            | master_host
          a replica without port       | 'role:slave\\nmaster_host:10.0.2.7\\nmaster_link_status:up'        | master_port
          a non-numeric offset         | 'role:master\\nmaster_repl_offset:12ab'                            | master_repl_offset 12ab
          a non-numeric replica offset | 'role:slave\\nmaster_host:h\\nmaster_port:1\\nslave_repl_offset:x' | slave_repl_offset x
          a non-numeric replica count  | 'role:master\\nconnected_slaves:two'                               | connected_slaves two
          """)
  void rejectsMalformedOutputSayingWhatIsWrong(String name, String info, String mentions) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> InfoReplication.parse(info.replace("\\n", "\n")))
        .satisfies(e -> assertThat(e.getMessage()).contains(mentions.split(" ")));
  }

  @ParameterizedTest(name = "master_port:{0}")
  @CsvSource({"abc", "0", "70000"})
  void aBadMasterPortIsNamed(String port) {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> InfoReplication.parse("role:slave\nmaster_host:10.0.2.7\nmaster_port:" + port))
        .withMessageContaining("master_port")
        .withMessageContaining(port);
  }

  private static String resource(String file) throws IOException {
    try (InputStream in = InfoReplicationTest.class.getResourceAsStream("/info/" + file)) {
      assertThat(in).as("captured file info/%s", file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
