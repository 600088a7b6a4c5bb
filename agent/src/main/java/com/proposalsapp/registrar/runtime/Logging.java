package com.proposalsapp.registrar.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.proposalsapp.registrar.config.LogSettings;
import com.proposalsapp.registrar.config.LogSettings.Format;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/** Applies {@code --log-level} and {@code --log-format} to Logback, once settings are valid. */
public final class Logging {

  /** The appender {@link LogbackSetup} configures. */
  static final String APPENDER = "STDERR";

  private Logging() {}

  /** Sets the root level and, for {@code json}, swaps the appender's encoder for the JSON one. */
  public static void configure(LogSettings s) {
    String logLevel = s.level();
    Format logFormat = s.format();
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding (none ships with the agent)
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(logLevel, Level.INFO));
    if (logFormat == Format.JSON
        && root.getAppender(APPENDER) instanceof ConsoleAppender<?> console) {
      json(context, cast(console));
    }
  }

  /** Logs each warning found while the settings were resolved, once, at WARN. */
  public static void warn(java.util.List<String> warnings) {
    org.slf4j.Logger log = LoggerFactory.getLogger(Logging.class);
    for (String w : warnings) {
      log.warn("{}", w);
    }
  }

  /** Adds {@code id}, {@code dc} and the current role to every JSON line from now on. */
  public static void identify(String id, String dc, Supplier<String> role) {
    AgentJsonEncoder.identify(id, dc, role);
  }

  private static void json(
      LoggerContext context, ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> console) {
    AgentJsonEncoder encoder = new AgentJsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithArguments(false);
    encoder.setWithMessage(false); // the formatted message carries it, placeholders filled in
    encoder.setWithFormattedMessage(true);
    encoder.setWithMDC(false); // the agent keeps no MDC: id, dc and role are fields of their own
    encoder.start();
    console.stop();
    Encoder<ch.qos.logback.classic.spi.ILoggingEvent> old = console.getEncoder();
    console.setEncoder(encoder);
    console.start();
    if (old != null) {
      old.stop();
    }
  }

  @SuppressWarnings("unchecked")
  private static ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> cast(
      ConsoleAppender<?> a) {
    return (ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent>) a;
  }
}
