package com.proposalsapp.registrar.it;

import java.util.List;
import java.util.Locale;

/**
 * p50 / p95 / p99 / max (and min, for the spread) of a list of milliseconds, by the nearest-rank
 * method (the smallest value with at least p% of the values at or below it; with 20 values p99 is
 * the max).
 */
record FailoverBenchStats(int n, double min, double p50, double p95, double p99, double max) {

  static FailoverBenchStats of(List<Double> millis) {
    if (millis.isEmpty()) {
      return new FailoverBenchStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new FailoverBenchStats(
        sorted.length,
        sorted[0],
        rank(sorted, 50),
        rank(sorted, 95),
        rank(sorted, 99),
        sorted[sorted.length - 1]);
  }

  private static double rank(double[] sorted, int percent) {
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  /** "n min p50 p95 p99 max", milliseconds with one decimal, in fixed-width columns. */
  String row() {
    return String.format(
        Locale.ROOT, "%4d %9.1f %9.1f %9.1f %9.1f %9.1f", n, min, p50, p95, p99, max);
  }

  static String header() {
    return String.format(
        Locale.ROOT, "%4s %9s %9s %9s %9s %9s", "n", "min", "p50", "p95", "p99", "max");
  }
}
