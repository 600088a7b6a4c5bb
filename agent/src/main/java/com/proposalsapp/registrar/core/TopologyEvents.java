package com.proposalsapp.registrar.core;

/** Tells the agent the moment the topology may have changed, so it looks again before its poll. */
public interface TopologyEvents extends AutoCloseable {

  /** Starts listening; {@code onEvent} is called (from any thread) on every relevant event. */
  void start(Runnable onEvent);

  @Override
  void close();
}
