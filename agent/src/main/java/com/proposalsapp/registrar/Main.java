package com.proposalsapp.registrar;

import com.proposalsapp.registrar.cli.RegistrarCommand;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The entry point; the only place that exits the process. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    // gRPC and Guava (under jetcd) log through java.util.logging: send it to Logback.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(RegistrarCommand.execute(args, System::getenv));
  }
}
