package com.proposalsapp.registrar.core;

/**
 * One Sentinel's answer to {@code SENTINEL MASTER <name>}.
 *
 * @param sentinel the Sentinel asked
 * @param runId its run id ({@code SENTINEL MYID}); null when it could not be asked
 * @param master the master it names; null if it could not be asked or does not know the name
 * @param configEpoch its {@code config-epoch} for the master, 0 when unknown
 * @param problem why it named no master; null when it did
 * @param error the problem in words, naming the Sentinel; null when it answered
 */
public record SentinelAnswer(
    HostPort sentinel,
    String runId,
    HostPort master,
    long configEpoch,
    Problem problem,
    String error) {

  /** Why a Sentinel named no master. */
  public enum Problem {
    /** Down, refusing connections or timing out: an outage. */
    UNREACHABLE(false),
    /** It answered that it monitors no master of that name. */
    UNKNOWN_MASTER(true),
    /** It refused the user or password (WRONGPASS), or wants one (NOAUTH). */
    AUTH(true),
    /** The user may not run a command the agent needs (NOPERM). */
    NO_PERMISSION(true),
    /** The TLS handshake failed: a certificate not trusted, not for this host, or missing. */
    TLS(true),
    /** The same Sentinel (same run id) is configured under another address too. */
    DUPLICATE(true),
    /** An answer that cannot be read. */
    BAD_ANSWER(true);

    private final boolean misconfiguration;

    Problem(boolean misconfiguration) {
      this.misconfiguration = misconfiguration;
    }

    /** Whether this is a mistake in the configuration rather than an outage. */
    public boolean misconfiguration() {
      return misconfiguration;
    }

    /** The lower-case name used in JSON and metrics. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** An answer naming a master. */
  public static SentinelAnswer named(
      HostPort sentinel, String runId, HostPort master, long configEpoch) {
    return new SentinelAnswer(sentinel, runId, master, configEpoch, null, null);
  }

  /** An answer naming a master, from a Sentinel whose run id is not known. */
  public static SentinelAnswer named(HostPort sentinel, HostPort master, long configEpoch) {
    return named(sentinel, null, master, configEpoch);
  }

  /** A Sentinel that could not be asked, or answered with {@code problem}. */
  public static SentinelAnswer failed(
      HostPort sentinel, String runId, Problem problem, String error) {
    return new SentinelAnswer(sentinel, runId, null, 0, problem, error);
  }

  /** A Sentinel that could not be asked. */
  public static SentinelAnswer failed(HostPort sentinel, String error) {
    return failed(sentinel, null, Problem.UNREACHABLE, error);
  }

  /** This answer, not counted: it came from the same Sentinel as {@code first}. */
  SentinelAnswer duplicateOf(SentinelAnswer first) {
    return failed(
        sentinel,
        runId,
        Problem.DUPLICATE,
        "Sentinel at "
            + sentinel
            + " is the same Sentinel as "
            + first.sentinel()
            + " (run id "
            + runId
            + "): it counts once towards the quorum; list each Sentinel once in --sentinels");
  }

  /** Whether the Sentinel answered with a master. */
  public boolean answered() {
    return master != null;
  }

  /** Whether the Sentinel answered at all, with a master or with an error. */
  public boolean responded() {
    return problem != Problem.UNREACHABLE;
  }

  /** Whether the answer shows a mistake in the configuration. */
  public boolean misconfigured() {
    return problem != null && problem.misconfiguration();
  }
}
