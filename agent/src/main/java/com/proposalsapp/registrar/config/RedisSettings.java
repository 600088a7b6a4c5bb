package com.proposalsapp.registrar.config;

import static com.proposalsapp.registrar.config.Options.ANNOUNCE;
import static com.proposalsapp.registrar.config.Options.REDIS;
import static com.proposalsapp.registrar.config.Options.REDIS_CACERT;
import static com.proposalsapp.registrar.config.Options.REDIS_CERT;
import static com.proposalsapp.registrar.config.Options.REDIS_KEY;
import static com.proposalsapp.registrar.config.Options.REDIS_PASSWORD_FILE;
import static com.proposalsapp.registrar.config.Options.REDIS_TLS;
import static com.proposalsapp.registrar.config.Options.REDIS_USER;

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
    RedisAccess access =
        access(
            r,
            REDIS_USER,
            REDIS_PASSWORD_FILE,
            Options.REDIS_PASSWORD_ENV,
            REDIS_TLS,
            REDIS_CACERT,
            REDIS_CERT,
            REDIS_KEY);
    return new RedisSettings(address, announce, access);
  }

  /** The access of a Redis or of the Sentinels, from their own options. */
  static RedisAccess access(
      Resolver r,
      Opt<String> userOpt,
      Opt<Path> passwordFile,
      java.util.List<String> passwordEnv,
      Opt<Boolean> tlsOpt,
      Opt<Path> caOpt,
      Opt<Path> certOpt,
      Opt<Path> keyOpt)
      throws ConfigException {
    String user = r.get(userOpt);
    Secret password = r.secret(passwordFile, passwordEnv);
    if (user != null && password == null) {
      throw new ConfigException(
          "the "
              + userOpt.flag()
              + " user '"
              + user
              + "' has no password: give "
              + passwordFile.flag());
    }
    boolean tls = r.get(tlsOpt);
    Path ca = r.get(caOpt);
    Path cert = r.get(certOpt);
    Path key = r.get(keyOpt);
    if (!tls) {
      for (Opt<Path> o : java.util.List.of(caOpt, certOpt, keyOpt)) {
        if (r.present(o)) {
          throw r.conflict(o, "a TLS file needs " + tlsOpt.flag());
        }
      }
    }
    TlsFiles files = tls ? TlsFiles.of(r, certOpt, keyOpt, ca, cert, key) : null;
    return new RedisAccess(new Credentials(user, password), files);
  }
}
