package com.proposalsapp.registrar.nomad;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the job specs' templates as Nomad's consul-template would, from a Consul KV map and the
 * task's environment, for exactly the functions they use: {@code key}, {@code keyOrDefault}, {@code
 * env}, and {@code if eq|ne (env ...) (env ...)} ... {@code end}. Anything else fails, so a
 * template that grows another function cannot pass here unrendered.
 */
record ConsulTemplate(Map<String, String> kv, Map<String, String> env) {

  private static final Pattern IF =
      Pattern.compile(
          "\\{\\{ *if (eq|ne) \\(env \"([^\"]+)\"\\) \\(env \"([^\"]+)\"\\) *\\}\\}(.*?)\\{\\{ *end *\\}\\}",
          Pattern.DOTALL);
  private static final Pattern ACTION =
      Pattern.compile(
          "\\{\\{ *(?:key \"(?<key>[^\"]+)\"|keyOrDefault \"(?<okey>[^\"]+)\" \"(?<default>[^\"]*)\""
              + "|env \"(?<env>[^\"]+)\") *\\}\\}");

  String render(String template) {
    StringBuilder out = new StringBuilder();
    Matcher condition = IF.matcher(template);
    while (condition.find()) {
      boolean equal = env(condition.group(2)).equals(env(condition.group(3)));
      boolean holds = condition.group(1).equals("eq") == equal;
      condition.appendReplacement(out, Matcher.quoteReplacement(holds ? condition.group(4) : ""));
    }
    condition.appendTail(out);

    StringBuilder rendered = new StringBuilder();
    Matcher action = ACTION.matcher(out);
    while (action.find()) {
      String value;
      if (action.group("key") != null) {
        value = kv.get(action.group("key"));
        if (value == null) {
          // consul-template's key blocks until the key exists: Nomad would wait here.
          throw new IllegalStateException("Consul KV has no " + action.group("key"));
        }
      } else if (action.group("okey") != null) {
        value = kv.getOrDefault(action.group("okey"), action.group("default"));
      } else {
        value = env(action.group("env"));
      }
      action.appendReplacement(rendered, Matcher.quoteReplacement(value));
    }
    action.appendTail(rendered);
    if (rendered.indexOf("{{") >= 0) {
      throw new IllegalArgumentException(
          "a template action this renderer does not know: " + rendered);
    }
    return rendered.toString();
  }

  private String env(String name) {
    // consul-template's env gives "" for an unset variable.
    return env.getOrDefault(name, "");
  }
}
