package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.config.Credentials;
import com.proposalsapp.registrar.config.RedisAccess;
import com.proposalsapp.registrar.core.HostPort;
import java.time.Duration;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultRedisCredentials;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisCredentials;
import redis.clients.jedis.RedisCredentialsProvider;

/**
 * The one place a Jedis client is configured: how to log in to a Redis or a Sentinel, with which
 * timeouts and under which client name.
 */
public final class RedisClients {

  /** The client name of the agent's command connections. */
  public static final String CLIENT_NAME = "redis-registrar";

  /** The client name of its event subscriptions. */
  public static final String EVENTS_CLIENT_NAME = "redis-registrar-events";

  private final RedisAccess access;
  private final int timeoutMillis;
  private final String clientName;

  /**
   * @param access the ACL user, password and TLS of the servers these clients reach
   * @param timeout the connect and read timeout of every call
   * @param clientName what {@code CLIENT LIST} shows for these connections
   */
  public RedisClients(RedisAccess access, Duration timeout, String clientName) {
    this.access = access;
    this.timeoutMillis = (int) timeout.toMillis();
    this.clientName = clientName;
  }

  /** These clients with another connect and read timeout. */
  public RedisClients withTimeout(Duration timeout) {
    return new RedisClients(access, timeout, clientName);
  }

  /** Opens a connection for commands: the read timeout bounds every call. */
  Jedis open(HostPort address) {
    return new Jedis(hostAndPort(address), config(timeoutMillis));
  }

  /** Opens a connection for a subscription, idle until something happens: no read timeout. */
  Jedis openSubscription(HostPort address) {
    return new Jedis(hostAndPort(address), config(0));
  }

  private static HostAndPort hostAndPort(HostPort address) {
    return new HostAndPort(address.host(), address.port());
  }

  /**
   * The configuration of one new connection. The TLS files are read for each (a connection is kept
   * until it fails), so renewed certificates are used from the next connection on; files that
   * cannot be used throw {@link PemTls.TlsFilesException}.
   */
  private JedisClientConfig config(int socketTimeoutMillis) {
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(timeoutMillis)
            .socketTimeoutMillis(socketTimeoutMillis)
            .credentialsProvider(new CurrentCredentials(access.credentials()))
            .clientName(clientName)
            // no CLIENT SETINFO on connect: Redis 7.0 does not know it, and the ACL need not allow
            // it
            .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
    if (access.tls() != null) {
      b.ssl(true)
          .sslSocketFactory(PemTls.socketFactory(access.tls()))
          .sslParameters(PemTls.parameters());
    }
    return b.build();
  }

  /** The user and the password as they are at each connection: the password can be rotated. */
  private record CurrentCredentials(Credentials credentials) implements RedisCredentialsProvider {
    @Override
    public RedisCredentials get() {
      String password = credentials.passwordValue();
      return password == null
          ? new DefaultRedisCredentials(null, (char[]) null)
          : new DefaultRedisCredentials(credentials.user(), password);
    }
  }
}
