package com.proposalsapp.registrar.config;

import static com.proposalsapp.registrar.config.Options.REQUIRE_SENTINEL_MAJORITY;
import static com.proposalsapp.registrar.config.Options.SENTINELS;
import static com.proposalsapp.registrar.config.Options.SENTINEL_CACERT;
import static com.proposalsapp.registrar.config.Options.SENTINEL_CERT;
import static com.proposalsapp.registrar.config.Options.SENTINEL_EVENTS;
import static com.proposalsapp.registrar.config.Options.SENTINEL_KEY;
import static com.proposalsapp.registrar.config.Options.SENTINEL_PASSWORD_ENV;
import static com.proposalsapp.registrar.config.Options.SENTINEL_PASSWORD_FILE;
import static com.proposalsapp.registrar.config.Options.SENTINEL_QUORUM;
import static com.proposalsapp.registrar.config.Options.SENTINEL_TLS;
import static com.proposalsapp.registrar.config.Options.SENTINEL_USER;

import com.proposalsapp.registrar.core.HostPort;
import java.util.List;

/**
 * The Sentinels that elect the master, and how far the agent trusts them.
 *
 * @param addresses the Sentinels to ask at start (more are learnt from them)
 * @param quorum Sentinels that must name the same master; 0 for a majority of those known
 * @param requireMajority never publish master without that quorum
 * @param events whether to subscribe to their events (else poll only)
 * @param access their ACL user, password and TLS
 */
public record SentinelSettings(
    List<HostPort> addresses,
    int quorum,
    boolean requireMajority,
    boolean events,
    RedisAccess access) {

  public SentinelSettings {
    addresses = List.copyOf(addresses);
  }

  static SentinelSettings resolve(Resolver r) throws ConfigException {
    List<HostPort> addresses = r.get(SENTINELS);
    Integer quorum = r.get(SENTINEL_QUORUM);
    if (quorum != null && quorum > addresses.size()) {
      throw r.conflict(
          SENTINEL_QUORUM,
          "must be between 1 and the number of Sentinels (" + addresses.size() + ")");
    }
    RedisAccess access =
        RedisSettings.access(
            r,
            SENTINEL_USER,
            SENTINEL_PASSWORD_FILE,
            SENTINEL_PASSWORD_ENV,
            SENTINEL_TLS,
            SENTINEL_CACERT,
            SENTINEL_CERT,
            SENTINEL_KEY);
    return new SentinelSettings(
        addresses,
        quorum == null ? 0 : quorum,
        r.get(REQUIRE_SENTINEL_MAJORITY),
        r.get(SENTINEL_EVENTS),
        access);
  }
}
