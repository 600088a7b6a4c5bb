package com.proposalsapp.registrar.core;

/** The load balancer could not be read or refused a change; the message says which and why. */
public class BalancerException extends Exception {

  public BalancerException(String message, Throwable cause) {
    super(message, cause);
  }

  public BalancerException(String message) {
    super(message);
  }
}
