package com.proposalsapp.registrar.core;

import java.time.Duration;

/**
 * Capped exponential backoff as a plain value: {@code initial * 2^attempt}, at most {@code max}.
 */
public record Backoff(Duration initial, Duration max) {

  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max");
    }
  }

  /** The delay before retry number {@code attempt} (0 for the first retry). */
  public Duration delay(int attempt) {
    long factor = 1L << Math.min(Math.max(attempt, 0), 20);
    Duration d = initial.multipliedBy(factor);
    return d.compareTo(max) > 0 ? max : d;
  }
}
