package com.proposalsapp.registrar.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A password that never prints itself. */
public record Secret(String value) {

  public Secret {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("empty secret");
    }
  }

  /** Reads a secret from the first line of a file. */
  public static Secret fromFile(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    String line = (newline < 0 ? text : text.substring(0, newline)).strip();
    if (line.isEmpty()) {
      throw new IOException("the file is empty");
    }
    return new Secret(line);
  }

  @Override
  public String toString() {
    return "Secret[****]";
  }
}
