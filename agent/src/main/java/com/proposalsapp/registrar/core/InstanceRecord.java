package com.proposalsapp.registrar.core;

import java.time.Instant;

/**
 * The value published for one instance: only facts that change when the topology changes.
 *
 * @param masterHost the followed master, replicas and syncing replicas only; else null
 * @param masterPort likewise
 * @param link {@code up} or {@code down} for replicas; null for masters
 * @param since when {@code role} last changed
 * @param http the agent's HTTP checks, {@code host:port} as other nodes reach them; null when none
 */
public record InstanceRecord(
    String id,
    String masterName,
    String dc,
    String host,
    int port,
    Role role,
    String masterHost,
    Integer masterPort,
    String link,
    SentinelSummary sentinel,
    String agent,
    Instant since,
    String http) {

  /** A record without an HTTP address (as written before the agent served checks). */
  public InstanceRecord(
      String id,
      String masterName,
      String dc,
      String host,
      int port,
      Role role,
      String masterHost,
      Integer masterPort,
      String link,
      SentinelSummary sentinel,
      String agent,
      Instant since) {
    this(
        id,
        masterName,
        dc,
        host,
        port,
        role,
        masterHost,
        masterPort,
        link,
        sentinel,
        agent,
        since,
        null);
  }

  /** The published address as {@code host:port}. */
  public HostPort address() {
    return new HostPort(host, port);
  }

  /** This record with another {@code since}. */
  public InstanceRecord withSince(Instant newSince) {
    return new InstanceRecord(
        id,
        masterName,
        dc,
        host,
        port,
        role,
        masterHost,
        masterPort,
        link,
        sentinel,
        agent,
        newSince,
        http);
  }
}
