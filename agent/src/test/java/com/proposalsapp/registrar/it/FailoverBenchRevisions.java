package com.proposalsapp.registrar.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The failover benchmark's etcd observer: every revision of the keys under one prefix, rebuilt from
 * a {@code get --prefix} snapshot and a jetcd watch from the revision right after it, each with the
 * {@link System#nanoTime()} at which this JVM received it.
 */
final class FailoverBenchRevisions implements AutoCloseable {
  private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The keys under the prefix right after {@code revision}, received at {@code seenNanos}, with the
   * values that are JSON objects parsed once (the benchmark polls these states).
   */
  record State(
      long revision, long seenNanos, Map<String, String> entries, Map<String, JsonNode> objects) {

    static State of(long revision, long seenNanos, Map<String, String> entries) {
      Map<String, JsonNode> objects = new HashMap<>();
      entries.forEach(
          (key, value) -> {
            if (Records.isObject(value)) {
              objects.put(key, Records.parse(value));
            }
          });
      return new State(revision, seenNanos, Map.copyOf(entries), Map.copyOf(objects));
    }

    /** The value of {@code key} as JSON, if present and an object. */
    Optional<JsonNode> json(String key) {
      return Optional.ofNullable(objects.get(key));
    }

    /** The instance records (keys under {@code instancesPrefix}) that are JSON objects. */
    List<JsonNode> instances(String instancesPrefix) {
      return objects.entrySet().stream()
          .filter(e -> e.getKey().startsWith(instancesPrefix))
          .map(Map.Entry::getValue)
          .toList();
    }
  }

  private final Client client;
  private final List<State> states = new ArrayList<>();
  private final Watch.Watcher watcher;
  private volatile Throwable failure;

  private FailoverBenchRevisions(Client client, String prefix) {
    this.client = client;
    ByteSequence key = bytes(prefix);
    GetResponse snapshot = snapshot(key);
    long revision = snapshot.getHeader().getRevision();
    Map<String, String> entries = new HashMap<>();
    snapshot.getKvs().forEach(kv -> entries.put(text(kv.getKey()), text(kv.getValue())));
    states.add(State.of(revision, System.nanoTime(), entries));
    WatchOption from = WatchOption.builder().isPrefix(true).withRevision(revision + 1).build();
    watcher = client.getWatchClient().watch(key, from, Watch.listener(this::apply, this::fail));
  }

  /** Snapshots {@code prefix} on {@code endpoint} and watches every later revision under it. */
  static FailoverBenchRevisions start(String endpoint, String prefix) {
    Client client = Client.builder().endpoints(endpoint).build();
    try {
      return new FailoverBenchRevisions(client, prefix);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** Every state so far, oldest first; the first is the snapshot. */
  synchronized List<State> states() {
    return List.copyOf(states);
  }

  /** The newest state. */
  synchronized State latest() {
    return states.get(states.size() - 1);
  }

  /** The first state received at or after {@code sinceNanos} that matches, if any yet. */
  synchronized Optional<State> first(long sinceNanos, Predicate<State> matches) {
    return states.stream().filter(s -> s.seenNanos() >= sinceNanos).filter(matches).findFirst();
  }

  /** Fails if the watch ended with an error: its states would no longer be complete. */
  void check() {
    if (failure != null) {
      throw new IllegalStateException("the etcd watch failed: " + failure, failure);
    }
  }

  @Override
  public void close() {
    watcher.close();
    client.close();
  }

  /**
   * Applies one watch response: a new state per revision it holds (a txn shares a revision), each
   * stamped with the time of receipt, taken before waiting for a reader to let go of the states.
   */
  private void apply(WatchResponse response) {
    long seen = System.nanoTime();
    synchronized (this) {
      applyAt(response, seen);
    }
  }

  private void applyAt(WatchResponse response, long seen) {
    for (WatchEvent event : response.getEvents()) {
      KeyValue kv = event.getKeyValue();
      State last = latest();
      if (kv.getModRevision() < last.revision()) {
        continue; // replayed after a resumed stream: already applied
      }
      Map<String, String> entries = new HashMap<>(last.entries());
      if (event.getEventType() == WatchEvent.EventType.DELETE) {
        entries.remove(text(kv.getKey()));
      } else {
        entries.put(text(kv.getKey()), text(kv.getValue()));
      }
      State next = State.of(kv.getModRevision(), seen, entries);
      if (kv.getModRevision() == last.revision() && states.size() > 1) {
        states.set(states.size() - 1, next); // another event of the same transaction
      } else {
        states.add(next);
      }
    }
  }

  private void fail(Throwable t) {
    failure = t;
  }

  private GetResponse snapshot(ByteSequence prefix) {
    try {
      return client
          .getKVClient()
          .get(prefix, GetOption.builder().isPrefix(true).build())
          .get(SNAPSHOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the etcd snapshot", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the etcd snapshot of " + prefix, e);
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }
}
