package com.proposalsapp.registrar.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Looks a value up in flags, then environment, then the default, and names where it came from. */
final class Resolver<O extends Resolver.Spec> {
  /** An option: its flag, its default (null for none), the environment variables read in order. */
  interface Spec {
    String flag();

    String defaultValue();

    List<String> env();
  }

  private final Map<O, String> flags;
  private final Function<String, String> env;

  Resolver(Map<O, String> flags, Function<String, String> env) {
    this.flags = flags;
    this.env = env;
  }

  boolean present(O o) {
    return lookup(o) != null;
  }

  <T> T get(O o, Function<String, T> parse) throws ConfigException {
    String[] found = lookup(o);
    String value = found == null ? o.defaultValue() : found[0];
    String source = found == null ? o.flag() + " (default)" : found[1];
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "invalid value '" + printable(value) + "' for " + source + ": " + e.getMessage());
    }
  }

  Secret secret(O fileOption, List<String> envNames) throws ConfigException {
    String file = flags.get(fileOption);
    if (file != null) {
      try {
        return Secret.fromFile(Path.of(file));
      } catch (IOException | RuntimeException e) {
        throw new ConfigException(
            "cannot read password from "
                + fileOption.flag()
                + " '"
                + printable(file)
                + "': "
                + reason(e));
      }
    }
    for (String name : envNames) {
      String v = env.apply(name);
      if (v != null && !v.isEmpty()) {
        return new Secret(v);
      }
    }
    return null;
  }

  private String[] lookup(O o) {
    String flag = flags.get(o);
    if (flag != null) {
      return new String[] {flag, o.flag()};
    }
    for (String name : o.env()) {
      String v = env.apply(name);
      if (v != null && !v.isEmpty()) {
        return new String[] {v, name + " (for " + o.flag() + ")"};
      }
    }
    return null;
  }

  /** Escapes control characters so that a message stays one line. */
  private static String printable(String value) {
    StringBuilder sb = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String reason(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
