package com.proposalsapp.registrar.http;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Metrics read from a status snapshot at scrape time, with the official Prometheus client: the
 * shared pieces of the agent's and the router's {@code /metrics}.
 */
final class Scrape {

  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  private Scrape() {}

  /** Registers a gauge whose value is {@code f} of the latest snapshot. */
  static <S> void gauge(
      PrometheusRegistry registry,
      String name,
      String help,
      Supplier<S> status,
      ToDoubleFunction<S> f) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(f.applyAsDouble(status.get())))
        .register(registry);
  }

  /** Registers a counter whose value is {@code f} of the latest snapshot. */
  static <S> void counter(
      PrometheusRegistry registry,
      String name,
      String help,
      Supplier<S> status,
      ToDoubleFunction<S> f) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(f.applyAsDouble(status.get())))
        .register(registry);
  }

  /**
   * Registers a gauge in seconds whose value is the duration {@code f} of the latest snapshot,
   * absent while that is null.
   */
  static <S> void seconds(
      PrometheusRegistry registry,
      String name,
      String help,
      Supplier<S> status,
      Function<S, Duration> f) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(
            cb -> {
              Duration d = f.apply(status.get());
              if (d != null) {
                cb.call(d.toMillis() / 1000.0);
              }
            })
        .register(registry);
  }

  /** 1 for true, 0 for false. */
  static double flag(boolean b) {
    return b ? 1 : 0;
  }

  /** {@code registry} in the Prometheus text format, as {@code /metrics} serves it. */
  static Response of(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      WRITER.write(out, registry.scrape(), io.prometheus.metrics.config.EscapingScheme.DEFAULT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Response(200, PrometheusTextFormatWriter.CONTENT_TYPE, out.toByteArray());
  }
}
