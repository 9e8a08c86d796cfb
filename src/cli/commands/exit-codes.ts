// Exit codes scripts can rely on.
export const ExitCode = {
  /** Everything worked. */
  OK: 0,
  /** The call failed (the message on stderr starts with the gRPC code name), or every location failed. */
  ERROR: 1,
  /** The command line was wrong (unknown option, missing argument, bad value). */
  USAGE: 2,
  /** Partial results: some locations answered, others failed (in-band errors on stderr). */
  PARTIAL: 3,
  /** Ctrl-C during a wait (128 + SIGINT); what exists and how to go on is on stderr. */
  INTERRUPTED: 130,
} as const;
