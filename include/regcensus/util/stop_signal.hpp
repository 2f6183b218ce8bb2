#pragma once
// The process-wide stop requests. SIGTERM, SIGINT and SIGUSR2 (the stop
// mpirun forwards, from scripts/regcensus-mpirun) ask to stop now: every
// long wait polls stop_requested() (the analyse loop, transfers, backoff
// sleeps, listings), so that a run ends within seconds even in the middle of
// a transfer that has stalled. SIGUSR1 only asks to wind down (no new work).
// Async-signal-safe: the handler only stores flags.
namespace regcensus {

// Installs the handlers (idempotent). The signal's number is kept for the log.
void install_stop_signal_handlers();

// True once SIGTERM, SIGINT or SIGUSR2 arrived (or request_stop was called). Not for
// SIGUSR1 (docs/trust.md, "One failure policy"): Slurm sends it ahead of the
// time limit, so it only winds the run down and running shards finish.
bool stop_requested();

// True once any of SIGTERM, SIGINT, SIGUSR2 or SIGUSR1 arrived: take no new work.
bool wind_down_requested();

// The signal that asked to stop, 0 when none did (request_stop from code).
int stop_signal_number();

// Asks for a stop from code (tests, a fatal condition seen on one thread).
void request_stop();

}  // namespace regcensus
