package com.proposalsapp.registrar.core;

import java.time.Instant;

/**
 * The value of the master key, {@code <prefix>/<master-name>/master}: the one key a router needs
 * for writes, fenced by the Sentinels' config epoch.
 */
public record MasterRecord(String id, String dc, String host, int port, long epoch, Instant since) {

  /** The master key's value for an instance record whose role is master. */
  public static MasterRecord of(InstanceRecord r) {
    return new MasterRecord(r.id(), r.dc(), r.host(), r.port(), r.sentinel().epoch(), r.since());
  }
}
