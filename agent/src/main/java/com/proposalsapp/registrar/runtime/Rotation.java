package com.proposalsapp.registrar.runtime;

import com.proposalsapp.registrar.config.Credentials;
import com.proposalsapp.registrar.config.Secret;
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
