package com.proposalsapp.registrar.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The agent's Logback configuration in code, found by Logback through {@code
 * META-INF/services/ch.qos.logback.classic.spi.Configurator}: a {@code logback.xml} would load an
 * XML parser and Logback's configuration model (about 390 classes) to say the same. A {@code
 * logback-test.xml} on the class path (the unit tests') is left to Logback.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogbackSetup extends ContextAwareBase implements Configurator {

  /** Logs go to stderr so that command output on stdout stays machine-readable. */
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level %msg%n%ex{short}";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (LogbackSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    // java.util.logging (gRPC, Guava) arrives through the SLF4J bridge; keep its levels in step.
    LevelChangePropagator jul = new LevelChangePropagator();
    jul.setContext(context);
    jul.setResetJUL(true);
    context.addListener(jul);
    jul.start();

    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(Logging.APPENDER);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    level(context, "io.etcd", Level.ERROR);
    level(context, "io.grpc", Level.ERROR);
    level(context, "io.netty", Level.ERROR);
    level(context, "io.vertx", Level.ERROR);
    level(context, "redis.clients", Level.WARN);
    // Reports only callbacks of jetcd futures that throw. The one seen: a watch callback of a
    // client the agent replaced after losing etcd, rejected by that client's closed executor
    // (harmless; the agent awaits every call with its own timeout and re-creates the watch).
    level(context, "com.google.common.util.concurrent.AbstractFuture", Level.OFF);
    // The level is set from the log-level option (or REGISTRAR_LOG_LEVEL) once options are valid.
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static void level(LoggerContext context, String logger, Level level) {
    context.getLogger(logger).setLevel(level);
  }
}
