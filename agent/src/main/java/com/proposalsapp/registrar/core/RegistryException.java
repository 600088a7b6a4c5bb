package com.proposalsapp.registrar.core;

/** A registry operation failed; the message says what and where, for a person to act on. */
public class RegistryException extends Exception {

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }

  public RegistryException(String message) {
    super(message);
  }
}
