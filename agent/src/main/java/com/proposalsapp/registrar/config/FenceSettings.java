package com.proposalsapp.registrar.config;

import java.time.Duration;

/**
 * The write fence's settings (issue 14).
 *
 * @param enabled hold writes on this instance while a failover away from it is under way
 * @param timeout the longest writes are held
 */
public record FenceSettings(boolean enabled, Duration timeout) {

  static FenceSettings resolve(Resolver r) throws ConfigException {
    return new FenceSettings(r.get(Options.FENCE), r.get(Options.FENCE_TIMEOUT));
  }
}
