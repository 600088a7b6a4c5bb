package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.HostPort;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The Sentinels configured and those they report through {@code SENTINEL SENTINELS}. */
public final class KnownSentinels {

  private final List<HostPort> configured;
  private final List<HostPort> all = new CopyOnWriteArrayList<>();
  private final List<Consumer<HostPort>> listeners = new CopyOnWriteArrayList<>();

  public KnownSentinels(List<HostPort> configured) {
    this.configured = List.copyOf(configured);
    all.addAll(configured);
  }

  /** Whether {@code sentinel} was configured rather than discovered. */
  public boolean configured(HostPort sentinel) {
    return configured.contains(sentinel);
  }

  /** Every Sentinel known now, configured ones first. */
  public List<HostPort> all() {
    return List.copyOf(all);
  }

  /** Adds a discovered Sentinel; returns whether it was new. */
  public synchronized boolean add(HostPort sentinel) {
    if (all.contains(sentinel)) {
      return false;
    }
    all.add(sentinel);
    listeners.forEach(l -> l.accept(sentinel));
    return true;
  }

  /** Calls {@code listener} for each Sentinel discovered from now on. */
  public void onDiscovered(Consumer<HostPort> listener) {
    listeners.add(listener);
  }
}
