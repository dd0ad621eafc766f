#pragma once
// SIGINT and SIGTERM for the serving commands: blocked in every thread (call before starting any), then awaited by
// the main thread, so a stop is handled in one place and not by whichever thread the kernel picked.
namespace gitmoor::cli {

void block_stop_signals();
int wait_for_stop_signal();  // the signal received

}  // namespace gitmoor::cli
