package com.proposalsapp.registrar.core;

/** The registry refused a write because the lease it was bound to no longer exists. */
public class LeaseLostException extends RegistryException {

  public LeaseLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
