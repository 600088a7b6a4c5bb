package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.runtime.Components;
import picocli.CommandLine.IVersionProvider;

/** The agent's name and version, as printed by --version. */
public final class Version implements IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {Components.AGENT};
  }
}
