package com.proposalsapp.registrar.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.SentinelSummary;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordJsonTest {

  private static final Instant SINCE = Instant.parse("2026-11-25T17:02:11Z");
  private static final String AGENT = "redis-registrar 0.1.0";

  private static final InstanceRecord REPLICA =
      new InstanceRecord(
          "dc1-10.0.1.5-6379",
          "proposalsapp-redis",
          "dc1",
          "10.0.1.5",
          6379,
          Role.REPLICA,
          "10.0.2.7",
          6379,
          "up",
          new SentinelSummary(true, "10.0.2.7:6379", 3, 3, 0),
          AGENT,
          SINCE);

  /** The example of the issue, verbatim. */
  private static final String REPLICA_JSON =
      """
      {"id":"dc1-10.0.1.5-6379","master_name":"proposalsapp-redis","dc":"dc1","host":"10.0.1.5","port":6379,\
      "role":"replica","master_host":"10.0.2.7","master_port":6379,"link":"up",\
      "sentinel":{"confirmed":true,"master":"10.0.2.7:6379","agreeing":3,"reachable":3,"epoch":0},\
      "agent":"redis-registrar 0.1.0","since":"2026-11-25T17:02:11Z"}""";

  private static final InstanceRecord MASTER =
      new InstanceRecord(
          "dc2-10.0.2.7-6379",
          "proposalsapp-redis",
          "dc2",
          "10.0.2.7",
          6379,
          Role.MASTER,
          null,
          null,
          null,
          new SentinelSummary(true, "10.0.2.7:6379", 2, 3, 0),
          AGENT,
          SINCE);

  private static final String MASTER_JSON =
      """
      {"id":"dc2-10.0.2.7-6379","master_name":"proposalsapp-redis","dc":"dc2","host":"10.0.2.7","port":6379,\
      "role":"master",\
      "sentinel":{"confirmed":true,"master":"10.0.2.7:6379","agreeing":2,"reachable":3,"epoch":0},\
      "agent":"redis-registrar 0.1.0","since":"2026-11-25T17:02:11Z"}""";

  /** A master no Sentinel could speak for: the summary has no master. */
  private static final InstanceRecord STALE_ALONE =
      new InstanceRecord(
          "dc3-10.0.3.9-6379",
          "proposalsapp-redis",
          "dc3",
          "10.0.3.9",
          6379,
          Role.STALE,
          null,
          null,
          null,
          new SentinelSummary(false, null, 0, 0, 0),
          AGENT,
          SINCE);

  private static final String STALE_ALONE_JSON =
      """
      {"id":"dc3-10.0.3.9-6379","master_name":"proposalsapp-redis","dc":"dc3","host":"10.0.3.9","port":6379,\
      "role":"stale","sentinel":{"confirmed":false,"agreeing":0,"reachable":0,"epoch":0},\
      "agent":"redis-registrar 0.1.0","since":"2026-11-25T17:02:11Z"}""";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static Stream<Arguments> documented() {
    return Stream.of(
        arguments(Role.REPLICA, REPLICA, REPLICA_JSON),
        arguments(Role.MASTER, MASTER, MASTER_JSON),
        arguments(Role.STALE, STALE_ALONE, STALE_ALONE_JSON));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documented")
  void encodesTheDocumentedShapeExactly(Role role, InstanceRecord record, String json) {
    assertThat(RecordJson.encode(record)).isEqualTo(json);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documented")
  void decodesWhatItEncodes(Role role, InstanceRecord record, String json) {
    assertThat(RecordJson.decode(json)).isEqualTo(record);
    assertThat(RecordJson.decode(RecordJson.encode(record))).isEqualTo(record);
  }

  @Test
  void roundTripsASyncingReplicaWithFractionalSince() {
    InstanceRecord syncing =
        new InstanceRecord(
            "x",
            "m",
            "dc1",
            "fd00::5",
            6380,
            Role.SYNCING,
            "fd00::7",
            6380,
            "down",
            new SentinelSummary(false, "[fd00::7]:6380", 1, 2, 0),
            AGENT,
            Instant.parse("2026-11-25T17:02:11.123Z"));

    assertThat(RecordJson.decode(RecordJson.encode(syncing))).isEqualTo(syncing);
  }

  @Test
  void theHttpAddressIsWrittenLastAndARecordWithoutItStaysReadable() {
    InstanceRecord withHttp =
        new InstanceRecord(
            REPLICA.id(),
            REPLICA.masterName(),
            REPLICA.dc(),
            REPLICA.host(),
            REPLICA.port(),
            REPLICA.role(),
            REPLICA.masterHost(),
            REPLICA.masterPort(),
            REPLICA.link(),
            REPLICA.sentinel(),
            REPLICA.agent(),
            REPLICA.since(),
            "10.0.1.5:8008");
    String json = RecordJson.encode(withHttp);

    assertThat(json).endsWith(",\"since\":\"2026-11-25T17:02:11Z\",\"http\":\"10.0.1.5:8008\"}");
    assertThat(RecordJson.decode(json)).isEqualTo(withHttp);
    assertThat(RecordJson.decode(REPLICA_JSON).http()).as("an older agent's record").isNull();
    assertThat(RecordJson.encode(REPLICA)).doesNotContain("http");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "garbage", "{", "[]", "null", "42", "\"replica\"", "{}"})
  void rejectsValuesThatAreNotARecord(String json) {
    assertThatIllegalArgumentException().isThrownBy(() -> RecordJson.decode(json));
  }

  @ParameterizedTest(name = "without {0}")
  @CsvSource({
    "id, id",
    "master_name, master_name",
    "dc, dc",
    "host, host",
    "port, port",
    "role, role",
    "agent, agent",
    "since, since",
    "sentinel, confirmed",
    "sentinel.confirmed, confirmed",
    "sentinel.agreeing, agreeing",
    "sentinel.reachable, reachable"
  })
  void rejectsARecordWithoutARequiredFieldNamingIt(String field, String mention) {
    ObjectNode n = replicaNode();
    if (field.startsWith("sentinel.")) {
      ((ObjectNode) n.get("sentinel")).remove(field.substring("sentinel.".length()));
    } else {
      n.remove(field);
    }

    assertThatIllegalArgumentException()
        .isThrownBy(() -> RecordJson.decode(n.toString()))
        .withMessageContaining(mention);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "port=\"6379\"",
        "port=6379.5",
        "port=6379.0",
        "port=6e3",
        "port=3000000000",
        "sentinel={\"confirmed\":true,\"agreeing\":3,\"reachable\":3,\"epoch\":1.5}",
        "sentinel={\"confirmed\":true,\"agreeing\":3,\"reachable\":3,\"epoch\":1e40}",
        "master_port=\"6379\"",
        "since=\"yesterday\"",
        "since=17",
        "id=7",
        "sentinel={\"confirmed\":\"yes\",\"agreeing\":3,\"reachable\":3}"
      })
  void rejectsAFieldOfTheWrongType(String assignment) throws Exception {
    String field = assignment.substring(0, assignment.indexOf('='));
    ObjectNode n = replicaNode();
    n.set(field, MAPPER.readTree(assignment.substring(field.length() + 1)));

    assertThatIllegalArgumentException().isThrownBy(() -> RecordJson.decode(n.toString()));
  }

  @Test
  void rejectsAnUnknownRole() {
    ObjectNode n = replicaNode().put("role", "primary");

    assertThatIllegalArgumentException().isThrownBy(() -> RecordJson.decode(n.toString()));
  }

  @Test
  void anUnknownRoleIsNamedInTheMessage() {
    ObjectNode n = replicaNode().put("role", "primary");

    assertThatIllegalArgumentException()
        .isThrownBy(() -> RecordJson.decode(n.toString()))
        .withMessageContaining("role")
        .withMessageContaining("'primary'");
  }

  @Test
  void rejectsTrailingGarbage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RecordJson.decode(REPLICA_JSON + " garbage"));
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"", "  ", "[]", "7", "\"a\"", "null"})
  void refusesWhatIsNotAnObject(String json) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RecordJson.decode(json))
        .withMessage("not a JSON object");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {" {}", " 7", " [", " }"})
  void refusesAnythingAfterTheObject(String after) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RecordJson.decode(REPLICA_JSON + after))
        .withMessageStartingWith("not JSON: ");
  }

  @Test
  void refusesTruncatedJsonSayingWhere() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> RecordJson.decode(REPLICA_JSON.substring(0, 40)))
        .withMessageStartingWith("not JSON: Unexpected end-of-input");
  }

  @Test
  void aRepeatedFieldCountsOnceItsLastValue() {
    String repeated = REPLICA_JSON.replace("{\"id\":", "{\"port\":1,\"id\":");

    assertThat(RecordJson.decode(repeated)).isEqualTo(REPLICA);
  }

  @Test
  void theMasterKeyIsReadBackAsWritten() {
    MasterRecord m =
        new MasterRecord("dc1-a", "dc1", "10.0.0.1", 6379, 3_000_000_000L, Instant.EPOCH);

    assertThat(RecordJson.encodeMaster(m))
        .isEqualTo(
            "{\"id\":\"dc1-a\",\"dc\":\"dc1\",\"host\":\"10.0.0.1\",\"port\":6379,"
                + "\"epoch\":3000000000,\"since\":\"1970-01-01T00:00:00Z\"}");
    assertThat(RecordJson.decodeMaster(RecordJson.encodeMaster(m))).isEqualTo(m);
  }

  private static ObjectNode replicaNode() {
    return MAPPER.valueToTree(RecordJson.toNode(REPLICA));
  }
}
