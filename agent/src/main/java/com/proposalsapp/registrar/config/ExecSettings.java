package com.proposalsapp.registrar.config;

import java.time.Duration;

/**
 * How {@code exec} stops the Redis it runs.
 *
 * @param drainDelay the pause between deregistering and stopping Redis
 * @param childTimeout how long Redis may take to stop before SIGKILL
 */
public record ExecSettings(Duration drainDelay, Duration childTimeout) {

  static ExecSettings resolve(Resolver r) throws ConfigException {
    return new ExecSettings(r.get(Options.DRAIN_DELAY), r.get(Options.CHILD_TIMEOUT));
  }
}
