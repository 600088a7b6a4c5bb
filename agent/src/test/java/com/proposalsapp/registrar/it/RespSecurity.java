package com.proposalsapp.registrar.it;

import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;

/**
 * How the harness's Redis and Sentinels are protected, and so how the harness itself logs in: the
 * {@code default} user's password (null for none) and TLS (null for plaintext).
 *
 * @param password {@code requirepass} of every server, also their password for each other
 * @param tls the certificates every server serves TLS with; null for plaintext
 * @param clientCerts tls-auth-clients: "yes", "optional" or "no"
 */
public record RespSecurity(String password, TestTls tls, String clientCerts) {

  /** Plaintext, no password. */
  public static final RespSecurity NONE = new RespSecurity(null, null, "no");

  /** Every server with {@code requirepass password}. */
  public static RespSecurity password(String password) {
    return new RespSecurity(password, null, "no");
  }

  /** This security, and TLS with {@code tls} asking for client certificates as told. */
  public RespSecurity withTls(TestTls tls, String clientCerts) {
    return new RespSecurity(password, tls, clientCerts);
  }

  /** The config lines that listen on {@code port} with this security, for Redis or a Sentinel. */
  List<String> serverConfig(int port) {
    List<String> lines = new ArrayList<>();
    if (tls == null) {
      lines.add("port " + port);
    } else {
      lines.addAll(tls.serverConfig(port, clientCerts));
    }
    if (password != null) {
      lines.add("requirepass \"" + password + "\"");
    }
    return lines;
  }

  /** How the harness connects: as {@code default} with the password, over TLS if served. */
  JedisClientConfig clientConfig(int timeoutMillis) {
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(timeoutMillis)
            .socketTimeoutMillis(timeoutMillis)
            .password(password);
    if (tls != null) {
      b.ssl(true).sslSocketFactory(tls.harnessSocketFactory());
    }
    return b.build();
  }
}
