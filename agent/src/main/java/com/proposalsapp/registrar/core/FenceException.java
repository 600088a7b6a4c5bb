package com.proposalsapp.registrar.core;

/** A command of the write fence failed; the message names the server and the reason. */
public final class FenceException extends Exception {

  public FenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
