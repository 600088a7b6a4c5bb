package com.proposalsapp.registrar.core;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Where the loop publishes its status after every cycle and readers take the latest; once {@link
 * #stopping} is called every status read says {@link Status.Phase#STOPPING}. Thread-safe, never
 * blocks.
 */
public final class StatusBoard {

  private final AtomicReference<Status> current;
  private final List<Consumer<Status>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;
  private volatile java.util.function.Supplier<FenceStatus> fence;

  public StatusBoard(Instant startedAt) {
    current = new AtomicReference<>(Status.starting(startedAt));
  }

  /** The latest status. */
  public Status current() {
    Status s = current.get();
    java.util.function.Supplier<FenceStatus> f = fence;
    if (f != null) {
      s = s.withFence(f.get());
    }
    return stopping ? s.withPhase(Status.Phase.STOPPING) : s;
  }

  /** Publishes the status of a cycle just ended and tells the listeners. */
  public void publish(Status s) {
    current.set(s);
    Status seen = current();
    for (Consumer<Status> l : listeners) {
      l.accept(seen);
    }
  }

  /** Every status read from now on carries the fence's state as {@code fence} gives it now. */
  public void fence(java.util.function.Supplier<FenceStatus> fence) {
    this.fence = fence;
  }

  /** From now on every status read says stopping. */
  public void stopping() {
    stopping = true;
  }

  /** Calls {@code listener} with every status published from now on, on the loop's thread. */
  public void onPublish(Consumer<Status> listener) {
    listeners.add(listener);
  }
}
