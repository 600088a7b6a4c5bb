package com.proposalsapp.registrar.config;

import java.util.List;
import java.util.Locale;

/**
 * How log lines are written.
 *
 * @param format text or JSON
 * @param level the root level, upper case (TRACE, DEBUG, INFO, WARN, ERROR, OFF)
 */
public record LogSettings(Format format, String level) {

  /** How log lines are written. */
  public enum Format {
    /** One human-readable line per event. */
    TEXT,
    /** One JSON object per line, with id, dc and role as fields, for log shippers. */
    JSON
  }

  /** The log levels {@code --log-level} takes. */
  public static final List<String> LEVELS =
      List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  static LogSettings resolve(Resolver r) throws ConfigException {
    return new LogSettings(r.get(Options.LOG_FORMAT), r.get(Options.LOG_LEVEL));
  }

  static Format parseFormat(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "text" -> Format.TEXT;
      case "json" -> Format.JSON;
      default -> throw new IllegalArgumentException("use text or json");
    };
  }

  static String parseLevel(String v) {
    String level = v.trim().toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException(
          "use one of " + String.join(", ", LEVELS).toLowerCase(Locale.ROOT));
    }
    return level;
  }
}
