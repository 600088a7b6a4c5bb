package com.proposalsapp.registrar.core;

/**
 * One Sentinel's answer to {@code SENTINEL MASTER <name>}.
 *
 * @param sentinel the Sentinel asked
 * @param master the master it names; null if it could not be asked or does not know the name
 * @param configEpoch its {@code config-epoch} for the master, 0 when unknown
 * @param error why it gave no answer; null when it answered
 */
public record SentinelAnswer(HostPort sentinel, HostPort master, long configEpoch, String error) {

  /** An answer naming a master. */
  public static SentinelAnswer named(HostPort sentinel, HostPort master, long configEpoch) {
    return new SentinelAnswer(sentinel, master, configEpoch, null);
  }

  /** A Sentinel that could not be asked. */
  public static SentinelAnswer failed(HostPort sentinel, String error) {
    return new SentinelAnswer(sentinel, null, 0, error);
  }

  /** Whether the Sentinel answered with a master. */
  public boolean answered() {
    return master != null;
  }
}
