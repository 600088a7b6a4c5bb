package com.proposalsapp.registrar;

import com.proposalsapp.registrar.cli.RegistrarCommand;

/** The entry point; the only place that exits the process. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(RegistrarCommand.execute(args, System::getenv));
  }
}
