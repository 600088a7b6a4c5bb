package com.proposalsapp.registrar.core;

/**
 * What the registry holds for one instance key.
 *
 * @param key the full key
 * @param record the decoded record; null when the value is not a valid record
 * @param raw the value as stored
 * @param lease the lease the key is bound to, 0 for none
 * @param ttlLeft seconds left on that lease; -1 when unknown or not asked
 */
public record Published(String key, InstanceRecord record, String raw, long lease, long ttlLeft) {

  /** Whether the value decoded as a record. */
  public boolean valid() {
    return record != null;
  }
}
