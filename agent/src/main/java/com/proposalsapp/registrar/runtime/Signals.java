package com.proposalsapp.registrar.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * The daemon's signals: SIGTERM and SIGINT ask it to stop (the first one received is kept, to be
 * forwarded to a child), SIGHUP calls a handler.
 */
public final class Signals {

  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicReference<String> received = new AtomicReference<>();

  private Signals() {}

  /** Installs the handlers; {@code onHup} runs on every SIGHUP. */
  public static Signals install(Runnable onHup) {
    Signals s = new Signals();
    Signal.handle(new Signal("TERM"), sig -> s.stop("TERM"));
    Signal.handle(new Signal("INT"), sig -> s.stop("INT"));
    Signal.handle(new Signal("HUP"), sig -> onHup.run());
    return s;
  }

  /** Asks to stop without a signal (the child exited, for example). */
  public void requestStop() {
    stop.countDown();
  }

  private void stop(String signal) {
    received.compareAndSet(null, signal);
    stop.countDown();
  }

  /** Waits until a stop is asked. */
  public void await() throws InterruptedException {
    stop.await();
  }

  /** Waits up to {@code millis} for a stop; true if one was asked. */
  public boolean await(long millis) throws InterruptedException {
    return stop.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Whether a stop was asked. */
  public boolean stopping() {
    return stop.getCount() == 0;
  }

  /** The first signal that asked to stop ({@code TERM}, {@code INT}); null if none did. */
  public String received() {
    return received.get();
  }
}
