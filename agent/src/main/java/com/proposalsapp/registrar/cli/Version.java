package com.proposalsapp.registrar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The agent's name and version, as published in every record and printed by --version. */
public final class Version implements IVersionProvider {

  /** {@code redis-registrar <version>}. */
  public static final String AGENT = "redis-registrar " + load();

  @Override
  public String[] getVersion() {
    return new String[] {AGENT};
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/redis-registrar.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
