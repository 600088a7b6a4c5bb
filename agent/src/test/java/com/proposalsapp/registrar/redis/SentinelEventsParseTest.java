package com.proposalsapp.registrar.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.FailoverEvent;
import com.proposalsapp.registrar.core.HostPort;
import org.junit.jupiter.api.Test;

class SentinelEventsParseTest {

  private static final HostPort OLD = HostPort.parse("127.0.0.1:6379");

  @Test
  void replicaEventsNameTheMasterAfterTheAt() {
    FailoverEvent e =
        SentinelEvents.parse(
            "+failover-state-send-slaveof-noone",
            "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379");
    assertThat(e)
        .isEqualTo(
            new FailoverEvent(
                FailoverEvent.Kind.PROGRESS,
                "+failover-state-send-slaveof-noone",
                "mymaster",
                OLD));
  }

  @Test
  void masterEventsAndAborts() {
    assertThat(
            SentinelEvents.parse("+failover-state-select-slave", "master mymaster 127.0.0.1 6379"))
        .isEqualTo(
            new FailoverEvent(
                FailoverEvent.Kind.STARTED, "+failover-state-select-slave", "mymaster", OLD));
    assertThat(
            SentinelEvents.parse("-failover-abort-no-good-slave", "master mymaster 127.0.0.1 6379")
                .kind())
        .isEqualTo(FailoverEvent.Kind.ABORT);
  }

  @Test
  void switchMasterNamesTheOldMaster() {
    FailoverEvent e =
        SentinelEvents.parse("+switch-master", "mymaster 127.0.0.1 6379 127.0.0.1 6380");
    assertThat(e.kind()).isEqualTo(FailoverEvent.Kind.END);
    assertThat(e.master()).isEqualTo(OLD);
  }

  @Test
  void otherEventsAreNone() {
    assertThat(SentinelEvents.parse("+sdown", "master mymaster 127.0.0.1 6379")).isNull();
    assertThat(SentinelEvents.parse("+selected-slave", "garbage")).isNull();
  }

  @Test
  void replicaOffsetsFromInfo() {
    var o =
        RedisWriteHold.parseOffsets(
            "# Replication\r\nrole:master\r\nconnected_slaves:2\r\n"
                + "slave0:ip=127.0.0.1,port=6380,state=online,offset=1234,lag=0\r\n"
                + "slave1:ip=127.0.0.1,port=6381,state=online,offset=1200,lag=1\r\n"
                + "master_repl_offset:1234\r\n");
    assertThat(o.master()).isEqualTo(1234);
    assertThat(o.replicas()).containsEntry(HostPort.parse("127.0.0.1:6381"), 1200L);
    assertThat(o.caughtUp()).isFalse();
  }

  @Test
  void aReplicasOwnOffsetFromItsInfo() {
    // Captured from a Redis 7.0 replica's INFO replication (trimmed).
    String info =
        "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:6379\r\n"
            + "master_link_status:up\r\nslave_read_repl_offset:5021\r\n"
            + "slave_repl_offset:5021\r\nslave_priority:100\r\nmaster_repl_offset:5021\r\n";
    assertThat(RedisWriteHold.parseReplicaOffset(info)).isEqualTo(5021);
    assertThat(RedisWriteHold.parseReplicaOffset("# Replication\r\nrole:master\r\n")).isEqualTo(-1);
  }
}
