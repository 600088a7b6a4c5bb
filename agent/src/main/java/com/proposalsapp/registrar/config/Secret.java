package com.proposalsapp.registrar.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A password that never prints itself. One read from a file can be re-read ({@link #reload()}, on
 * SIGHUP) so that a rotated password is used from the next connection on; callers therefore read
 * {@link #value()} each time they connect, never once at construction.
 */
public final class Secret {

  private final Path file;
  private volatile String value;

  /** A secret given as a value (an environment variable); it cannot be reloaded. */
  public Secret(String value) {
    this(null, checked(value));
  }

  private Secret(Path file, String value) {
    this.file = file;
    this.value = value;
  }

  /** Reads a secret from the first line of a file; {@link #reload()} reads that file again. */
  public static Secret fromFile(Path file) throws IOException {
    return new Secret(file, read(file));
  }

  /** The current value. */
  public String value() {
    return value;
  }

  /** The file it is read from, or null for a value given directly. */
  public Path file() {
    return file;
  }

  /**
   * Reads the file again; keeps the old value when it cannot be read.
   *
   * @return whether the value changed
   */
  public boolean reload() throws IOException {
    if (file == null) {
      return false;
    }
    String next = read(file);
    boolean changed = !next.equals(value);
    value = next;
    return changed;
  }

  private static String read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    String line = (newline < 0 ? text : text.substring(0, newline)).strip();
    if (line.isEmpty()) {
      throw new IOException("the file is empty");
    }
    return line;
  }

  private static String checked(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("empty secret");
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && Objects.equals(file, s.file) && value.equals(s.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(file, value);
  }

  @Override
  public String toString() {
    return "Secret[****]";
  }
}
