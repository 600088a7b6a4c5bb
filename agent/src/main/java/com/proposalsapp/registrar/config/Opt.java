package com.proposalsapp.registrar.config;

import java.util.List;
import java.util.function.Function;

/**
 * The one declaration of an option: its flag, the environment variables read in its place (in
 * order), its default, its help and how its value is checked. The command line, the help text, the
 * environment fallbacks and validation are all made from it.
 *
 * @param flag the long flag, e.g. {@code --etcd}
 * @param label the value's name in the help, e.g. {@code URLS}; null for a switch
 * @param defaultValue the value when neither flag nor environment gives one; null for none
 * @param env environment variables read, in order, when the flag is not given
 * @param help one line of help, without the environment and default (they are added)
 * @param parse checks and converts a value; throws {@link IllegalArgumentException} with the reason
 * @param <T> the checked value's type
 */
public record Opt<T>(
    String flag,
    String label,
    String defaultValue,
    List<String> env,
    String help,
    Function<String, T> parse) {

  public Opt {
    env = List.copyOf(env);
  }

  /** An option that takes a value. */
  public static <T> Opt<T> value(String flag, String label, Function<String, T> parse) {
    return new Opt<>(flag, label, null, List.of(), "", parse);
  }

  /** A switch with a {@code --no-} form; its value is true or false. */
  public static Opt<Boolean> toggle(String flag, boolean defaultValue) {
    return new Opt<>(flag, null, Boolean.toString(defaultValue), List.of(), "", Opt::parseBoolean);
  }

  /** The same option with this default. */
  public Opt<T> byDefault(String value) {
    return new Opt<>(flag, label, value, env, help, parse);
  }

  /** The same option, read from these environment variables when the flag is not given. */
  public Opt<T> env(String... names) {
    return new Opt<>(flag, label, defaultValue, List.of(names), help, parse);
  }

  /** The same option with this help line. */
  public Opt<T> help(String text) {
    return new Opt<>(flag, label, defaultValue, env, text, parse);
  }

  /** Whether this is a switch ({@code --x} / {@code --no-x}). */
  public boolean isToggle() {
    return label == null;
  }

  /**
   * The help line with where else the value comes from and its default, as {@code --help} shows.
   */
  public String description() {
    StringBuilder sb = new StringBuilder(help);
    if (!env.isEmpty() || defaultValue != null) {
      sb.append(" (");
      if (!env.isEmpty()) {
        sb.append("env ").append(String.join(", then ", env));
      }
      if (defaultValue != null) {
        sb.append(env.isEmpty() ? "" : "; ").append("default ").append(defaultValue);
      }
      sb.append(')');
    }
    return sb.toString();
  }

  static boolean parseBoolean(String v) {
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException("not true or false");
    };
  }

  @Override
  public String toString() {
    return flag;
  }
}
