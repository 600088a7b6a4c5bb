package com.proposalsapp.registrar.etcd;

import com.proposalsapp.registrar.config.EtcdAccess;
import com.proposalsapp.registrar.core.LeaseLostException;
import com.proposalsapp.registrar.core.RegistryException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The jetcd client and its Vert.x instance, replaced after a connection-level failure or on demand
 * (a rotated password); every call goes through {@link #await}, which bounds it and turns its
 * failure into one line. What lives on the client (the keep-alive, the watch) registers to hear of
 * a replacement, and synchronizes on this connection: one lock for the client and what it carries.
 */
final class EtcdConnection implements AutoCloseable {

  /** Calls failing at the connection level make us rebuild the client, at most this often. */
  static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(1);

  /** One jetcd client with its own Vert.x instance. */
  private record Connection(Vertx vertx, Client client) {}

  private final EtcdAccess access;
  private final Duration timeout;
  private final long timeoutMs;
  private final String endpoints;
  private final List<Runnable> onReplaced = new ArrayList<>();
  private volatile Connection connection;
  private volatile long connectedAtNanos;

  /** Builds the client (connecting nothing yet); every call is bounded by {@code timeout}. */
  EtcdConnection(EtcdAccess access, Duration timeout) {
    this.access = access;
    this.timeout = timeout;
    this.timeoutMs = timeout.toMillis();
    this.endpoints = access.list();
    this.connection = connect();
  }

  private Connection connect() {
    Vertx vertx = EtcdClients.vertx();
    Client client = EtcdClients.build(access, vertx, timeout);
    connectedAtNanos = System.nanoTime();
    return new Connection(vertx, client);
  }

  /** Runs {@code listener} (under this connection's lock) each time the client is replaced. */
  synchronized void onReplaced(Runnable listener) {
    onReplaced.add(listener);
  }

  /**
   * Replaces the client after a connection-level failure. gRPC backs its reconnect attempts off up
   * to two minutes and jetcd gives no way to reset that, so a fresh channel is the way to try again
   * at the agent's own pace; at most once per {@link #RECONNECT_INTERVAL}.
   */
  private synchronized void reconnect() {
    if (System.nanoTime() - connectedAtNanos >= RECONNECT_INTERVAL.toNanos()) {
      replace();
    }
  }

  /** Replaces the client now: it reads the credentials again (after a rotation, say). */
  synchronized void replace() {
    Connection old = connection;
    connection = connect();
    onReplaced.forEach(Runnable::run);
    closeQuietly(old);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.client().close();
      c.vertx().close();
    } catch (RuntimeException e) {
      // closing a broken client: nothing more to do
    }
  }

  KV kv() {
    return connection.client().getKVClient();
  }

  Lease leases() {
    return connection.client().getLeaseClient();
  }

  Watch watches() {
    return connection.client().getWatchClient();
  }

  /** The endpoints as given, for messages. */
  String endpoints() {
    return endpoints;
  }

  /**
   * Waits for {@code future} within the timeout; a failure becomes a {@link RegistryException}
   * naming etcd and {@code what} ({@link LeaseLostException} when the lease is gone), and a
   * connection-level one replaces the client.
   */
  <T> T await(String what, CompletableFuture<T> future) throws RegistryException {
    try {
      return future.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      reconnect();
      throw new RegistryException(
          "etcd at " + endpoints + ": " + what + " timed out after " + timeoutMs + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("etcd at " + endpoints + ": " + what + " interrupted", e);
    } catch (ExecutionException e) {
      String why = describe(e.getCause(), access.tls() != null);
      if (unavailable(e.getCause())) {
        reconnect();
      }
      if (why.contains("requested lease not found")) {
        throw new LeaseLostException(
            "etcd at " + endpoints + ": " + what + ": the lease is gone (revoked or expired)",
            e.getCause());
      }
      throw new RegistryException(
          "etcd at " + endpoints + ": " + what + " failed: " + why, e.getCause());
    }
  }

  private static boolean unavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof io.grpc.StatusRuntimeException s
          && (s.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
              || s.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED)) {
        return true;
      }
      if (c instanceof java.net.ConnectException || c instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /** A failure in a few words, with a hint where gRPC's own words point nowhere. */
  static String describe(Throwable t, boolean tls) {
    Throwable root = t;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException) {
        return "TLS handshake failed ("
            + c.getMessage()
            + "): check --etcd-cacert, --etcd-cert and --etcd-key";
      }
      root = c;
    }
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    msg = msg.replaceFirst("^[A-Z_]+: ", "");
    if (msg.contains("Network closed for unknown reason")) {
      return tls
          ? "the connection was closed during TLS: does etcd require a client certificate"
              + " (--etcd-cert, --etcd-key)?"
          : "the connection was closed: does etcd speak TLS (use https:// and --etcd-cacert)?";
    }
    return msg;
  }

  @Override
  public void close() {
    Connection c = connection;
    c.client().close();
    try {
      c.vertx().close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // closing: nothing more to do
    }
  }
}
