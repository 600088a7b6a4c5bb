package com.proposalsapp.registrar.core;

import java.time.Clock;

/** Answers every observation with what the test scripted last, stamped with the test's clock. */
final class FakeTopologySource implements TopologySource {

  private final Clock clock;
  private Replication redis;
  private String redisError;
  private SentinelView sentinels;
  private RuntimeException failure;
  private int observations;

  FakeTopologySource(Clock clock) {
    this.clock = clock;
  }

  /** From now on Redis answers {@code redis} and the Sentinels {@code sentinels}. */
  synchronized FakeTopologySource answers(Replication redis, SentinelView sentinels) {
    this.redis = redis;
    this.redisError = null;
    this.sentinels = sentinels;
    this.failure = null;
    return this;
  }

  /** From now on Redis cannot be asked; the Sentinels keep their last answer. */
  synchronized void redisDown(String error) {
    this.redis = null;
    this.redisError = error;
  }

  /** From now on Redis cannot be asked and the Sentinels answer {@code sentinels}. */
  synchronized void redisDown(String error, SentinelView sentinels) {
    redisDown(error);
    this.sentinels = sentinels;
  }

  /** From now on {@link #observe} breaks its contract and throws. */
  synchronized void throwOnObserve(RuntimeException e) {
    this.failure = e;
  }

  synchronized int observations() {
    return observations;
  }

  @Override
  public synchronized Observation observe() {
    observations++;
    if (failure != null) {
      throw failure;
    }
    return new Observation(clock.instant(), redis, redisError, sentinels);
  }

  @Override
  public void close() {}
}
