package com.proposalsapp.registrar.runtime;

/** The daemon could not start (an HTTP address that cannot be bound, for example). */
public final class StartupException extends RuntimeException {

  public StartupException(String message) {
    super(message);
  }
}
