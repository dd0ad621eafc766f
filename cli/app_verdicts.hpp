#pragma once
// When `app wait` and `app sync` are done, and whether they succeeded: pure functions of the Application's JSON, so
// the rules (Degraded fails at once, a failed hook is named, pruning still required is a failure) are unit-tested.
#include <string>

#include "gitmoor/core/object.hpp"

namespace gitmoor::cli {

enum class Verdict { Waiting, Done, Failed };

struct Outcome {
  Verdict verdict = Verdict::Waiting;
  std::string reason;  // why it is Waiting (what is still missing) or Failed
};

struct WaitFor {
  bool sync = false;       // sync status Synced
  bool health = false;     // health Healthy; Degraded fails at once
  bool operation = false;  // no operation running
};

Outcome evaluate_wait(const core::Json& app, const WaitFor& wait_for);

// The sync operation's state as a key: a new operation (or a change of phase) changes it. "" when there is none.
std::string operation_key(const core::Json& app);

// A sync operation that started after `previous_key`: Waiting while it runs (or has not started yet); Failed on
// phase Failed or Error (naming a failed hook first), or when resources still require pruning (named; not for a
// dry run); Done otherwise.
Outcome evaluate_sync(const core::Json& app, const std::string& previous_key, bool dry_run);

}  // namespace gitmoor::cli
