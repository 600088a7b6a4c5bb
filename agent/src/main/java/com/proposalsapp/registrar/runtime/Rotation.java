package com.proposalsapp.registrar.runtime;

import com.proposalsapp.registrar.config.Credentials;
import com.proposalsapp.registrar.config.EtcdAccess;
import com.proposalsapp.registrar.config.Secret;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP's re-read of the password files, so that a rotated password is used without a restart. A
 * file that cannot be read keeps the old password, with one WARN; the password itself is never
 * logged, only whether it changed.
 */
final class Rotation {

  private static final Logger log = LoggerFactory.getLogger(Rotation.class);

  private Rotation() {}

  /**
   * Reads etcd's password file again and rebuilds the etcd client of {@code registry} when the
   * password changed (etcd drops the tokens of a user whose password changes) or it speaks TLS (so
   * that renewed certificates are read).
   */
  static void rereadEtcd(EtcdAccess access, EtcdRegistry registry) {
    if (reread("etcd", access.credentials()) || access.tls() != null) {
      registry.reconnect();
    }
  }

  /**
   * Reads the password file of {@code credentials} again, if it has one.
   *
   * @param whose what the password is for, for the log line ("etcd", "Redis")
   * @return whether the password changed
   */
  static boolean reread(String whose, Credentials credentials) {
    Secret s = credentials.password();
    if (s == null || s.file() == null) {
      return false;
    }
    try {
      boolean changed = s.reload();
      log.info(
          "SIGHUP: {} password file {} re-read: {}",
          whose,
          s.file(),
          changed ? "changed, used from the next connection" : "unchanged");
      return changed;
    } catch (IOException | RuntimeException e) {
      log.warn(
          "SIGHUP: cannot re-read the {} password file {} ({}); keeping the password read before",
          whose,
          s.file(),
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      return false;
    }
  }
}
