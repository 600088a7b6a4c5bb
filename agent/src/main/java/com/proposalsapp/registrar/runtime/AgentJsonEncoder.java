package com.proposalsapp.registrar.runtime;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.function.Supplier;

/**
 * Logback's own {@link JsonEncoder} (one JSON object per line) with the agent's {@code id}, {@code
 * dc} and current {@code role} added as top-level fields on every line.
 */
public final class AgentJsonEncoder extends JsonEncoder {

  private static volatile String id;
  private static volatile String dc;
  private static volatile Supplier<String> role = () -> null;

  /** Names the agent on every line from now on; {@code currentRole} is asked at each line. */
  static void identify(String agentId, String agentDc, Supplier<String> currentRole) {
    id = agentId;
    dc = agentDc;
    role = currentRole;
  }

  @Override
  protected void appendCustomFields(StringBuilder sb, ILoggingEvent event) {
    field(sb, "id", id);
    field(sb, "dc", dc);
    field(sb, "role", role.get());
  }

  private static void field(StringBuilder sb, String name, String value) {
    if (value == null) {
      return;
    }
    sb.append(",\"").append(name).append("\":\"");
    JsonStringEncoder.getInstance().quoteAsString(value, sb);
    sb.append('"');
  }
}
