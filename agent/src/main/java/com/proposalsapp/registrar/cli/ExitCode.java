package com.proposalsapp.registrar.cli;

/** The process exit codes, as documented in the README. */
public final class ExitCode {

  /** Success. */
  public static final int OK = 0;

  /** A runtime failure: a server could not be reached or refused the operation. */
  public static final int FAILURE = 1;

  /** A usage or configuration error, reported before any connection is made. */
  public static final int USAGE = 2;

  private ExitCode() {}
}
