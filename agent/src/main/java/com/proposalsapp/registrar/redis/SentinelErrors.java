package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.SentinelAnswer.Problem;
import redis.clients.jedis.exceptions.JedisDataException;

/** Tells a Sentinel's configuration errors from an outage, by what it or the TLS layer said. */
final class SentinelErrors {

  private SentinelErrors() {}

  /** The problem behind a failed Sentinel call. */
  static Problem classify(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof PemTls.TlsFilesException || c instanceof javax.net.ssl.SSLException) {
        return Problem.TLS;
      }
      if (c instanceof JedisDataException && c.getMessage() != null) {
        String m = c.getMessage();
        if (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.contains("AUTH <password>")) {
          return Problem.AUTH;
        }
        if (m.startsWith("NOPERM")) {
          return Problem.NO_PERMISSION;
        }
        if (m.contains("No such master with that name")) {
          return Problem.UNKNOWN_MASTER;
        }
        return Problem.BAD_ANSWER;
      }
    }
    return Problem.UNREACHABLE;
  }
}
