package com.proposalsapp.registrar.config;

import static com.proposalsapp.registrar.config.Options.ANNOUNCE;
import static com.proposalsapp.registrar.config.Options.REDIS;
import static com.proposalsapp.registrar.config.Options.REDIS_PASSWORD_FILE;

import com.proposalsapp.registrar.core.HostPort;
import java.nio.file.Path;

/**
 * The Redis this agent watches.
 *
 * @param address where the agent reaches it
 * @param announce the address published for clients (the {@code address} unless told otherwise)
 * @param access its ACL user, password and TLS
 */
public record RedisSettings(HostPort address, HostPort announce, RedisAccess access) {

  static RedisSettings resolve(Resolver r) throws ConfigException {
    HostPort address = r.get(REDIS);
    HostPort announce = r.present(ANNOUNCE) ? r.get(ANNOUNCE) : address;
    RedisAccess access = access(r, REDIS_PASSWORD_FILE, Options.REDIS_PASSWORD_ENV);
    return new RedisSettings(address, announce, access);
  }

  /**
   * The access of a Redis or of the Sentinels, from their own options: a password for now (ACL
   * users and TLS are issue 10's next step).
   */
  static RedisAccess access(Resolver r, Opt<Path> passwordFile, java.util.List<String> passwordEnv)
      throws ConfigException {
    return new RedisAccess(new Credentials(null, r.secret(passwordFile, passwordEnv)), null);
  }
}
