package com.proposalsapp.registrar.config;

/**
 * How to log in to a Redis or to the Sentinels.
 *
 * @param credentials ACL user and password; {@link Credentials#NONE} when none is configured
 * @param tls how to speak TLS; null for plaintext
 */
public record RedisAccess(Credentials credentials, TlsFiles tls) {

  /** Plaintext, no password. */
  public static final RedisAccess NONE = new RedisAccess(Credentials.NONE, null);
}
