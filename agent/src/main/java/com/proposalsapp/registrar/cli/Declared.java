package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Opt;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Puts the options declared in {@link com.proposalsapp.registrar.config.Options} on a command's
 * command line, and reads back what was given. Picocli only collects strings: defaults, environment
 * fallbacks and validation stay with the declarations.
 */
final class Declared {

  /** A command that takes declared options. */
  interface Command {
    /** The options it takes. */
    List<Opt<?>> options();
  }

  private Declared() {}

  /** Adds each option to {@code spec}. */
  static void addTo(CommandSpec spec, List<Opt<?>> options) {
    for (Opt<?> o : options) {
      OptionSpec.Builder b = OptionSpec.builder(o.flag()).description(o.description());
      if (o.isToggle()) {
        b.type(Boolean.class).negatable(true).arity("0");
      } else {
        b.type(String.class).paramLabel(o.label());
      }
      spec.addOption(b.build());
    }
  }

  /** The values given on the command line, by option; absent when not given. */
  static Map<Opt<?>, String> given(CommandSpec spec, List<Opt<?>> options) {
    Map<Opt<?>, String> out = new HashMap<>();
    for (Opt<?> o : options) {
      Object v = spec.findOption(o.flag()).getValue();
      if (v != null) {
        out.put(o, v.toString());
      }
    }
    return out;
  }
}
