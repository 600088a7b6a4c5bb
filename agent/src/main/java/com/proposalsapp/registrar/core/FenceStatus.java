package com.proposalsapp.registrar.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The write fence's state, as {@code /status}, metrics and the log read it.
 *
 * @param enabled whether the agent fences at all ({@code --fence})
 * @param limit the longest a fence holds writes now: {@code --fence-timeout}, or less to stay under
 *     the Sentinels' {@code down-after-milliseconds}; null when the agent does not fence
 * @param held whether writes are held on this instance now
 * @param since when the writes were held; null when they are not
 * @param raisedBy the Sentinel event that raised the fence; null when not held
 * @param deadline when the fence lifts at the latest ({@code --fence-timeout}); null when not held
 * @param fences how many times writes were held since start
 * @param lifts how many times they were released, by why: {@code master_moved}, {@code aborted},
 *     {@code sentinels}, {@code timeout}, {@code stopping}
 * @param clientsDisconnected clients disconnected so that they reconnect to the new master
 * @param errors fence commands that failed
 * @param lastHeld how long the last fence held writes; null before the first lift
 * @param longestHeld the longest any fence held writes; null before the first lift
 * @param lastLift why the last fence was lifted; null before the first lift
 */
public record FenceStatus(
    boolean enabled,
    Duration limit,
    boolean held,
    Instant since,
    String raisedBy,
    Instant deadline,
    long fences,
    Map<String, Long> lifts,
    long clientsDisconnected,
    long errors,
    Duration lastHeld,
    Duration longestHeld,
    String lastLift) {

  public FenceStatus {
    lifts = Map.copyOf(lifts);
  }

  /** The status of an agent that does not fence. */
  public static FenceStatus off() {
    return idle(false, null);
  }

  /** The status of a fence that never held anything. */
  public static FenceStatus idle(boolean enabled, Duration limit) {
    return new FenceStatus(
        enabled, limit, false, null, null, null, 0, Map.of(), 0, 0, null, null, null);
  }
}
