package com.proposalsapp.registrar.etcd;

import com.proposalsapp.registrar.config.Credentials;
import com.proposalsapp.registrar.config.EtcdAccess;
import com.proposalsapp.registrar.config.TlsFiles;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/** Builds the jetcd client from {@link EtcdAccess}: endpoints, TLS and credentials. */
final class EtcdClients {

  private EtcdClients() {}

  /**
   * A Vert.x instance sized for one gRPC channel carrying a few calls a second: one event loop (the
   * default is two per core), one worker and one internal blocking thread at most (both made only
   * when used), and no file cache (nothing is served from the class path). jetcd closes it with the
   * client, so each client gets its own.
   */
  static Vertx vertx() {
    return Vertx.vertx(
        new VertxOptions()
            .setEventLoopPoolSize(1)
            .setWorkerPoolSize(1)
            .setInternalBlockingPoolSize(1)
            .setFileSystemOptions(
                new FileSystemOptions()
                    .setFileCachingEnabled(false)
                    .setClassPathResolvingEnabled(false)));
  }

  /**
   * A client for {@code access} on {@code vertx}; reads the password now, so that a client built
   * after a reload uses the rotated one. Never speaks plaintext to an https:// endpoint.
   */
  static Client build(EtcdAccess access, Vertx vertx, Duration connectTimeout) {
    ClientBuilder b =
        Client.builder()
            .target(target(access))
            .vertx(vertx)
            .connectTimeout(connectTimeout)
            // Fail fast while disconnected: the agent's loop owns retries and backoff.
            .waitForReady(false);
    if (access.tls() != null) {
      b.sslContext(sslContext(access.tls()));
    }
    Credentials c = access.credentials();
    if (c.user() != null) {
      b.user(ByteSequence.from(c.user(), StandardCharsets.UTF_8));
      b.password(ByteSequence.from(c.passwordValue(), StandardCharsets.UTF_8));
    }
    return b.build();
  }

  /**
   * jetcd's own {@code endpoints(URI...)} writes {@code ip:///[::1]:2379}, which gRPC cannot parse
   * (a bracket in a URI path); percent-encoded brackets are decoded back by jetcd's resolver.
   */
  static String target(EtcdAccess access) {
    return "ip:///"
        + access.endpoints().stream().map(EtcdClients::hostPort).collect(Collectors.joining(","));
  }

  private static String hostPort(URI u) {
    String host = u.getHost().replace("[", "%5B").replace("]", "%5D");
    return host + ":" + u.getPort();
  }

  private static io.netty.handler.ssl.SslContext sslContext(TlsFiles tls) {
    try {
      SslContextBuilder b = GrpcSslContexts.forClient();
      if (tls.caCert() != null) {
        b.trustManager(tls.caCert().toFile());
      }
      if (tls.cert() != null) {
        b.keyManager(tls.cert().toFile(), tls.key().toFile());
      }
      return b.build();
    } catch (SSLException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot use the etcd TLS files: " + (e.getMessage() == null ? e : e.getMessage()), e);
    }
  }
}
