package com.proposalsapp.registrar.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations operators type: {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}. */
public final class Durations {

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private Durations() {}

  /** Parses {@code text}; throws {@link IllegalArgumentException} when it is not a duration. */
  public static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration (use e.g. 500ms, 2s, 1m)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /**
   * A check that takes a duration within {@code min} and {@code max} (both given as {@link #parse}
   * reads them), and names the range when it refuses one.
   */
  public static java.util.function.Function<String, Duration> within(String min, String max) {
    Duration lo = parse(min);
    Duration hi = parse(max);
    return v -> {
      Duration d = parse(v);
      if (d.compareTo(lo) < 0 || d.compareTo(hi) > 0) {
        throw new IllegalArgumentException("must be between " + min + " and " + max);
      }
      return d;
    };
  }

  /** Formats a duration the way {@link #parse} reads it. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
