#pragma once
// The process-wide stop request: SIGTERM, SIGINT and SIGUSR1 set it, and every
// long wait polls it (the analyse loop, transfers, backoff sleeps, listings),
// so that a signal ends a run within seconds even in the middle of a transfer
// that has stalled. Async-signal-safe: the handler only stores a flag.
namespace regcensus {

// Installs the handlers (idempotent). The signal's number is kept for the log.
void install_stop_signal_handlers();

// True once a stop signal arrived (or request_stop was called).
bool stop_requested();

// The signal that asked to stop, 0 when none did (request_stop from code).
int stop_signal_number();

// Asks for a stop from code (tests, a fatal condition seen on one thread).
void request_stop();

}  // namespace regcensus
