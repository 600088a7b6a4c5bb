package com.proposalsapp.registrar.redis;

/** A Redis or Sentinel call failed; the message names the server and the reason. */
final class RedisException extends Exception {

  RedisException(String message, Throwable cause) {
    super(message, cause);
  }
}
