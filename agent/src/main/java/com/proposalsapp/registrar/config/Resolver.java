package com.proposalsapp.registrar.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Looks an option's value up in the flags given, then its environment variables, then its default,
 * checks it with the option's own parser and names where a bad value came from.
 */
public final class Resolver {

  private final Map<Opt<?>, String> flags;
  private final Function<String, String> env;
  private final List<String> warnings = new ArrayList<>();

  /**
   * @param flags the values given on the command line, by option
   * @param env the process environment
   */
  public Resolver(Map<Opt<?>, String> flags, Function<String, String> env) {
    this.flags = Map.copyOf(flags);
    this.env = env;
  }

  /** Whether the flag or one of its environment variables gives a value. */
  public boolean present(Opt<?> o) {
    return lookup(o) != null;
  }

  /** The checked value: given, else from the environment, else the default; null for none. */
  public <T> T get(Opt<T> o) throws ConfigException {
    String[] found = valueAndSource(o);
    if (found == null) {
      return null;
    }
    try {
      return o.parse().apply(found[0]);
    } catch (IllegalArgumentException e) {
      throw invalid(o, found, e.getMessage());
    }
  }

  /** The checked value, or a one-line error saying the option is required and why. */
  public <T> T required(Opt<T> o, String why) throws ConfigException {
    T value = get(o);
    if (value == null) {
      throw new ConfigException(
          "missing " + o.flag() + ": " + why + " (flag " + o.flag() + whereElse(o) + ")");
    }
    return value;
  }

  /**
   * A password: read from the file {@code file} names, else the value of the first of {@code
   * valueEnv} that is set (an environment variable may hold a password itself; a flag never does,
   * since argv is visible to every user of the host). Null when none is configured.
   */
  public Secret secret(Opt<Path> file, List<String> valueEnv) throws ConfigException {
    Path path = get(file);
    if (path != null) {
      try {
        Secret s = Secret.fromFile(path);
        if (SecretFiles.readableByOthers(path)) {
          warn(
              "the password file "
                  + path
                  + " ("
                  + file.flag()
                  + ") can be read by group or others: chmod 600 it");
        }
        return s;
      } catch (IOException | RuntimeException e) {
        throw new ConfigException(
            "cannot read password from "
                + file.flag()
                + " '"
                + printable(path.toString())
                + "': "
                + reason(e));
      }
    }
    for (String name : valueEnv) {
      String v = env.apply(name);
      if (v != null && !v.isEmpty()) {
        return new Secret(v);
      }
    }
    return null;
  }

  /** The raw value of an environment variable, null when unset or empty. */
  public String env(String name) {
    String v = env.apply(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** Whether the value was given as a flag (visible in argv), not from the environment. */
  public boolean givenAsFlag(Opt<?> o) {
    return flags.get(o) != null;
  }

  void warn(String warning) {
    warnings.add(warning);
  }

  /** Warnings found while resolving (a secret file others can read), to log once logging is up. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** A one-line error about a value that is valid alone but not with the others. */
  public ConfigException conflict(Opt<?> o, String reason) {
    String[] found = valueAndSource(o);
    return invalid(o, found == null ? new String[] {"", o.flag()} : found, reason);
  }

  /** The value and where it came from (a flag, a variable or the default); null for none. */
  private String[] valueAndSource(Opt<?> o) {
    String[] found = lookup(o);
    if (found != null) {
      return found;
    }
    return o.defaultValue() == null
        ? null
        : new String[] {o.defaultValue(), o.flag() + " (default)"};
  }

  /** The one-line error for {@code o}'s value, shown escaped and without its password. */
  private static ConfigException invalid(Opt<?> o, String[] valueAndSource, String reason) {
    return new ConfigException(
        "invalid value '"
            + printable(redacted(o, valueAndSource[0]))
            + "' for "
            + valueAndSource[1]
            + ": "
            + reason);
  }

  private static String whereElse(Opt<?> o) {
    return o.env().isEmpty() ? "" : ", or " + String.join(" or ", o.env());
  }

  private String[] lookup(Opt<?> o) {
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

  /**
   * {@code value} as an error may show it: the password of a URL's {@code user:password@} and of
   * etcdctl's {@code user:password} form masked, so that a refused value never prints a secret.
   */
  static String redacted(Opt<?> o, String value) {
    if (o == Options.ETCD_USER && value.indexOf(':') >= 0) {
      return value.substring(0, value.indexOf(':')) + ":****";
    }
    return URL_PASSWORD.matcher(value).replaceAll("$1:****@");
  }

  private static final java.util.regex.Pattern URL_PASSWORD =
      java.util.regex.Pattern.compile("(://[^/@:,\\s]*):[^/@,\\s]*@");

  /** Escapes control characters so that a message stays one line. */
  static String printable(String value) {
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
