// The sync operation's state machine. See sync_operation.hpp.
//
// Stages run in this order (each a piece of step() work; a wave may need many steps while it waits):
//   [CreateNamespace] → PreSync waves → Sync waves → [prune] → PostSync waves → [prune when PruneLast]
// and, once any of them failed, SyncFail waves instead of the rest. Prune runs only after every Sync-phase wave is
// healthy, so never after an error.
//
// PruneLast: by default gitmoor already prunes after every Sync-phase wave is healthy (where Argo CD's PruneLast
// puts it), before PostSync hooks, so those hooks see the final state. PruneLast=true moves the prune after the
// PostSync hooks succeeded: objects leaving Git stay until the post-deploy checks pass, and a failed PostSync hook
// leaves them in place.
//
// Threads: step(), done(), state() and run() belong to the one worker that owns the operation; terminate() may come
// from any thread (an HTTP handler), so it only raises a flag that the next step() acts on.
#include "gitmoor/engine/sync_operation.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "gitmoor/applier/tracking.hpp"
#include "hook_requests.hpp"
#include "hooks.hpp"
#include "sync_plan.hpp"

namespace gitmoor::engine {

namespace {

using Clock = std::chrono::steady_clock;

// A written object whose live resourceVersion is still the one seen before the write is a stale read (a cache that
// has not seen the write yet), unless the server found nothing to change; after this long it is trusted anyway.
constexpr std::chrono::milliseconds kStaleGrace{2000};

std::string format_duration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 60000 == 0 && ms > 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string resource_version(const core::Object& object) { return object.metadata().value("resourceVersion", ""); }

struct Stage {
  enum class Kind { CreateNamespace, Wave, Prune } kind;
  const SyncWave* wave = nullptr;
};

enum class TaskState { Replacing, Running, Done, Failed };

struct TaskRun {
  const SyncTask* task = nullptr;
  core::Object object;  // the hook with its server-given name once created
  TaskState state = TaskState::Running;
  std::size_t result = 0;  // index into OperationState::resources
  std::string uid;         // hooks: the object this run created
  std::optional<std::string> version_before;  // resources: live resourceVersion before the apply
  bool written = false;
  std::string waiting_on;  // why it is not done yet (for the timeout message)
};

struct WaveRun {
  const SyncWave* wave = nullptr;
  Clock::time_point started;
  std::vector<TaskRun> tasks;
};

enum class Poll { Waiting, Done, Failed };

}  // namespace

struct SyncOperation::Impl {
  applier::ResourceManager& resources;
  applier::Client& client;
  std::vector<core::Object> desired;
  LiveLookup live;
  SyncOperationOptions options;
  OperationState state;

  const differ::LuaHealthRules& health_rules() const {
    return options.health_rules ? *options.health_rules : differ::no_lua_health_rules();
  }

  bool prepared = false;
  std::atomic<bool> terminate_requested{false};
  SyncPlan plan;
  std::vector<Stage> main_stages;
  std::vector<Stage> fail_stages;
  const std::vector<Stage>* sequence = &main_stages;
  std::size_t next = 0;
  std::optional<WaveRun> wave_run;
  Clock::time_point not_before{};
  std::string failure;  // what failed, while SyncFail hooks run
  // A dry run "created" the destination namespace: the server cannot dry-run objects inside a namespace that does
  // not exist, so those are reported unvalidated instead of failing the dry run.
  bool namespace_only_dry_run = false;

  Impl(applier::ResourceManager& r, applier::Client& c, std::vector<core::Object> d, LiveLookup l,
       SyncOperationOptions o)
      : resources(r), client(c), desired(std::move(d)), live(std::move(l)), options(std::move(o)) {
    state.operation = options.request;
    state.revision = options.revision.empty() ? options.request.revision : options.revision;
    state.phase = OperationPhase::Running;
    state.message = "running";
    state.started_at = now_rfc3339();
  }

  [[nodiscard]] bool done() const { return is_completed(state.phase); }
  [[nodiscard]] bool dry_run() const { return options.request.dry_run; }

  void finish(OperationPhase phase, std::string message) {
    state.phase = phase;
    state.message = std::move(message);
    state.finished_at = now_rfc3339();
    wave_run.reset();
  }

  // Something failed: run the SyncFail hooks (not on a dry run), then end Failed with `message`.
  void fail(std::string message) {
    wave_run.reset();
    if (sequence == &fail_stages) {
      finish(OperationPhase::Failed, failure + "; SyncFail hook failed: " + message);
      return;
    }
    if (fail_stages.empty()) {
      finish(OperationPhase::Failed, std::move(message));
      return;
    }
    failure = std::move(message);
    state.message = failure + " (running SyncFail hooks)";
    sequence = &fail_stages;
    next = 0;
  }

  void prepare() {
    auto objects = resources.prepare(std::move(desired), options.app, options.ns);
    desired = std::move(objects);
    const bool selective = !options.request.resources.empty();
    // Hooks run on a full, real sync with the hook strategy (Argo CD's default; its apply strategy runs none).
    const bool hooks = !dry_run() && !selective && !options.request.apply_only;
    plan = plan_sync(desired, {.run_hooks = hooks, .only = options.request.resources});

    if (options.create_namespace) main_stages.push_back({.kind = Stage::Kind::CreateNamespace});
    bool pruned = !options.request.prune;
    for (const auto& wave : plan.waves) {
      if (!pruned && !options.prune_last && wave.phase == SyncPhase::PostSync) {
        main_stages.push_back({.kind = Stage::Kind::Prune});
        pruned = true;
      }
      main_stages.push_back({.kind = Stage::Kind::Wave, .wave = &wave});
    }
    if (!pruned) main_stages.push_back({.kind = Stage::Kind::Prune});
    for (const auto& wave : plan.fail_waves) fail_stages.push_back({.kind = Stage::Kind::Wave, .wave = &wave});
    prepared = true;
  }

  // ---- results

  std::size_t add_result(const core::Object& object, const SyncTask* task, std::string status, std::string message) {
    SyncResourceResult result;
    result.key = object.key();
    result.version = object.gvk().version;
    result.status = std::move(status);
    result.message = std::move(message);
    if (task != nullptr) {
      result.hook_type = task->hook_type;
      result.sync_phase = std::string(to_string(task->phase));
      result.sync_wave = task->wave;
      if (task->is_hook()) result.hook_phase = "Running";
    } else {
      result.sync_phase = "Sync";
    }
    state.resources.push_back(std::move(result));
    return state.resources.size() - 1;
  }

  SyncResourceResult& result_of(const TaskRun& run) { return state.resources[run.result]; }

  // ---- stages

  // Returns true when the next stage may start in this same step.
  bool advance() {
    if (next >= sequence->size()) {
      if (sequence == &fail_stages) {
        finish(OperationPhase::Failed, failure);
      } else {
        finish(OperationPhase::Succeeded, dry_run() ? "successfully synced (dry run)" : "successfully synced (all tasks run)");
      }
      return false;
    }
    const auto& stage = (*sequence)[next];
    switch (stage.kind) {
      case Stage::Kind::CreateNamespace:
        if (create_namespace()) ++next;
        return true;
      case Stage::Kind::Prune:
        if (prune()) ++next;
        return true;
      case Stage::Kind::Wave: {
        if (!wave_run) {
          if (Clock::now() < not_before) return false;
          if (!start_wave(*stage.wave)) return true;  // failed: SyncFail hooks next
        }
        switch (poll_wave()) {
          case Poll::Waiting: return false;
          case Poll::Failed: return true;
          case Poll::Done: break;
        }
        wave_run.reset();
        ++next;
        not_before = Clock::now() + options.wave_delay;
        return true;
      }
    }
    return false;
  }

  bool create_namespace() {
    const auto set = resources.apply_all({}, {.app = options.app,
                                              .ns = options.ns,
                                              .create_namespace = true,
                                              .dry_run = dry_run(),
                                              .force = false,
                                              .wait = false});
    for (const auto& entry : set.entries) {
      core::Object ns(core::Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", options.ns}}}});
      const bool ok = entry.action != applier::Action::Failed;
      add_result(ns, nullptr, ok ? "Synced" : "SyncFailed",
                 ok ? (dry_run() ? "namespace created (CreateNamespace, dry run)" : "namespace created (CreateNamespace)")
                    : entry.message);
      if (!ok) {
        fail("CreateNamespace: " + entry.message);
        return false;
      }
      namespace_only_dry_run = dry_run();
    }
    return true;
  }

  bool prune() {
    applier::PruneOptions prune_options{.app = options.app, .propagation = options.propagation, .dry_run = dry_run()};
    prune_options.only = options.request.resources;
    const auto set = resources.prune(desired, prune_options);
    std::string errors;
    for (const auto& entry : set.entries) {
      SyncResourceResult result;
      result.key = entry.key;
      result.sync_phase = "Sync";
      switch (entry.action) {
        case applier::Action::Pruned:
          result.status = "Pruned";
          result.message = dry_run() ? "pruned (dry run)" : "pruned";
          break;
        case applier::Action::Skipped:
          result.status = "PruneSkipped";
          result.message = "ignored (no prune): " + entry.message;
          break;
        default:
          result.status = "SyncFailed";
          result.message = entry.message;
          errors += (errors.empty() ? "" : "; ") + entry.message;
          break;
      }
      state.resources.push_back(std::move(result));
    }
    if (!errors.empty()) {
      fail("one or more objects failed to prune: " + errors);
      return false;
    }
    return true;
  }

  // Applies the wave's resources and creates its hooks. False when that already failed (fail() was called).
  bool start_wave(const SyncWave& wave) {
    wave_run = WaveRun{.wave = &wave, .started = Clock::now(), .tasks = {}};
    std::vector<core::Object> objects;
    for (const auto& task : wave.tasks) {
      if (task.is_hook()) continue;
      TaskRun run{.task = &task, .object = task.object};
      if (!dry_run()) {
        try {
          if (auto current = live(task.object.key())) run.version_before = resource_version(*current);
        } catch (const std::exception&) {
          // Unknown: the first read after the apply is trusted, as without a previous version.
        }
      }
      objects.push_back(task.object);
      wave_run->tasks.push_back(std::move(run));
    }
    if (!objects.empty() && !apply_resources(std::move(objects))) return false;

    for (const auto& task : wave.tasks) {
      if (!task.is_hook()) continue;
      TaskRun run{.task = &task, .object = task.object};
      run.result = add_result(task.object, &task, "Synced", "");
      wave_run->tasks.push_back(std::move(run));
      auto& added = wave_run->tasks.back();
      if (!launch_hook(added)) {
        fail(hook_failure(added));
        return false;
      }
    }
    return true;
  }

  bool apply_resources(std::vector<core::Object> objects) {
    std::set<core::ResourceKey> unvalidated;
    if (namespace_only_dry_run) {
      std::erase_if(objects, [&](const core::Object& o) {
        if (o.ns() != options.ns) return false;
        unvalidated.insert(o.key());
        return true;
      });
    }
    const auto set = resources.apply_all(std::move(objects), {.app = options.app,
                                                              .ns = options.ns,
                                                              .create_namespace = false,
                                                              .dry_run = dry_run(),
                                                              .force = options.request.force,
                                                              .wait = false,
                                                              .ignore_rules = options.ignore_rules});
    std::string errors;
    for (auto& run : wave_run->tasks) {
      const auto key = run.object.key();
      if (unvalidated.count(key) != 0) {
        run.result = add_result(run.object, run.task, "Synced",
                                "created (dry run; not validated: namespace " + options.ns + " does not exist yet)");
        run.state = TaskState::Done;
        continue;
      }
      const auto entry = std::find_if(set.entries.begin(), set.entries.end(),
                                      [&](const applier::ChangeSetEntry& e) { return e.key == key; });
      if (entry == set.entries.end()) {
        // apply_all stopped before it (an earlier kind group of this wave failed).
        run.result = add_result(run.object, run.task, "SyncFailed", "not applied: an earlier object of its wave failed");
        run.state = TaskState::Failed;
        continue;
      }
      if (entry->action == applier::Action::Failed) {
        run.result = add_result(run.object, run.task, "SyncFailed", entry->message);
        run.state = TaskState::Failed;
        errors += (errors.empty() ? "" : "; ") + entry->message;
        continue;
      }
      std::string message(applier::to_string(entry->action));
      if (dry_run()) message += " (dry run)";
      run.result = add_result(run.object, run.task, "Synced", message);
      run.written = entry->action == applier::Action::Created || entry->action == applier::Action::Configured;
      run.waiting_on = "not read back since " + message;
      // A dry run changed nothing: there is nothing to wait for.
      run.state = dry_run() ? TaskState::Done : TaskState::Running;
    }
    if (!errors.empty()) {
      fail("one or more objects failed to apply: " + errors);
      return false;
    }
    return true;
  }

  // Deletes the previous run when BeforeHookCreation asks, then creates the hook. False when that failed.
  bool launch_hook(TaskRun& run) {
    const auto policy = hook_delete_policy(run.object);
    if (policy.before_hook_creation && !run.object.name().empty()) {
      try {
        if (!delete_object(client, resources.discovery(), run.object, applier::PropagationPolicy::Background)) {
          run.state = TaskState::Replacing;
          run.waiting_on = "waiting for the previous run to be deleted";
          return true;
        }
      } catch (const std::exception& e) {
        return hook_error(run, e.what());
      }
    }
    return create(run);
  }

  bool create(TaskRun& run) {
    try {
      const auto created = create_hook(client, resources.discovery(), run.object);
      run.object.set_name(created.name);
      run.uid = created.uid;
      run.state = TaskState::Running;
      run.waiting_on = "created";
      auto& result = result_of(run);
      result.key = run.object.key();
      result.message = "created";
      return true;
    } catch (const std::exception& e) {
      return hook_error(run, e.what());
    }
  }

  bool hook_error(TaskRun& run, const std::string& message) {
    run.state = TaskState::Failed;
    auto& result = result_of(run);
    result.status = "SyncFailed";
    result.hook_phase = "Failed";
    result.message = message;
    return false;
  }

  std::string hook_failure(const TaskRun& run) {
    return run.task->hook_type + " hook " + run.object.key().to_string() + " failed: " + state.resources[run.result].message;
  }

  // A finished hook is deleted when its policy asks. A failed delete is noted, not a sync failure.
  void apply_delete_policy(TaskRun& run, bool succeeded) {
    const auto policy = hook_delete_policy(run.object);
    if (!(succeeded ? policy.hook_succeeded : policy.hook_failed)) return;
    try {
      delete_object(client, resources.discovery(), run.object, applier::PropagationPolicy::Background);
    } catch (const std::exception& e) {
      auto& result = result_of(run);
      result.message += (result.message.empty() ? "" : "; ") + std::string("delete after completion failed: ") + e.what();
    }
  }

  void poll_hook(TaskRun& run) {
    if (run.state == TaskState::Replacing) {
      if (object_exists(client, resources.discovery(), run.object)) return;
      if (!create(run)) return;
    }
    const auto current = live(run.object.key());
    // Not seen yet, or still the previous run (a cache that has not caught up): keep waiting.
    if (!current || current->metadata().value("uid", "") != run.uid) return;
    const auto outcome = hook_outcome(*current, health_rules());
    auto& result = result_of(run);
    result.hook_phase = std::string(to_string(outcome.phase));
    if (!outcome.message.empty()) result.message = outcome.message;
    run.waiting_on = outcome.message.empty() ? "running" : outcome.message;
    if (outcome.phase == HookPhase::Running) return;
    run.state = outcome.phase == HookPhase::Succeeded ? TaskState::Done : TaskState::Failed;
    apply_delete_policy(run, outcome.phase == HookPhase::Succeeded);
  }

  void poll_resource(TaskRun& run) {
    std::optional<core::Object> current;
    try {
      current = live(run.object.key());
    } catch (const std::exception& e) {
      run.waiting_on = e.what();  // a failed read is retried at the next step, until the wave's timeout
      return;
    }
    if (!current) {
      run.waiting_on = "Missing";
      return;
    }
    if (run.written && run.version_before && resource_version(*current) == *run.version_before &&
        Clock::now() - wave_run->started < kStaleGrace) {
      run.waiting_on = "the write is not visible yet";
      return;
    }
    const auto health = differ::assess_health(&*current, health_rules());
    if (health.status == differ::HealthStatus::Healthy || health.status == differ::HealthStatus::Suspended) {
      run.state = TaskState::Done;
      return;
    }
    run.waiting_on = std::string(differ::to_string(health.status)) + (health.message.empty() ? "" : ": " + health.message);
  }

  Poll poll_wave() {
    auto& run_wave = *wave_run;
    bool all_done = true;
    for (auto& run : run_wave.tasks) {
      if (run.state == TaskState::Done) continue;
      if (run.task->is_hook()) {
        try {
          poll_hook(run);
        } catch (const std::exception& e) {
          run.waiting_on = e.what();
        }
        if (run.state == TaskState::Failed) {
          fail(hook_failure(run));
          return Poll::Failed;
        }
      } else {
        poll_resource(run);
      }
      all_done = all_done && run.state == TaskState::Done;
    }
    if (all_done) return Poll::Done;
    if (Clock::now() - run_wave.started >= options.wave_timeout) {
      std::string pending;
      for (const auto& run : run_wave.tasks) {
        if (run.state == TaskState::Done) continue;
        pending += (pending.empty() ? "" : "; ") + run.object.key().to_string() + " " + run.waiting_on;
      }
      fail(std::string(to_string(run_wave.wave->phase)) + " wave " + std::to_string(run_wave.wave->wave) +
           " not done after " + format_duration(options.wave_timeout) + ": " + pending);
      return Poll::Failed;
    }
    // What the UI shows while the wave waits: the first task not done, and how many more.
    std::size_t pending = 0;
    const TaskRun* first = nullptr;
    for (const auto& run : run_wave.tasks) {
      if (run.state == TaskState::Done) continue;
      if (first == nullptr) first = &run;
      ++pending;
    }
    if (first != nullptr) {
      state.message = "waiting for " + std::string(to_string(run_wave.wave->phase)) + " wave " +
                      std::to_string(run_wave.wave->wave) + ": " + first->object.key().to_string() + " " +
                      first->waiting_on + (pending > 1 ? " (and " + std::to_string(pending - 1) + " more)" : "");
    }
    return Poll::Waiting;
  }

  // ---- terminate

  void terminate_now() {
    if (wave_run) {
      for (auto& run : wave_run->tasks) {
        if (!run.task->is_hook() || (run.state != TaskState::Running && run.state != TaskState::Replacing)) continue;
        auto& result = result_of(run);
        result.hook_phase = "Failed";
        result.message = "terminated by user";
        if (run.state == TaskState::Running) apply_delete_policy(run, false);
      }
    }
    finish(OperationPhase::Failed, "terminated by user");
  }

  OperationPhase step() {
    if (done()) return state.phase;
    try {
      if (terminate_requested) {
        // First the step that shows Terminating (the worker writes it to status), then the one that stops.
        if (state.phase != OperationPhase::Terminating) {
          state.phase = OperationPhase::Terminating;
          state.message = "terminating";
        } else {
          terminate_now();
        }
        return state.phase;
      }
      if (!prepared) prepare();
      while (!done() && advance()) {
      }
    } catch (const std::exception& e) {
      finish(OperationPhase::Error, e.what());
    }
    return state.phase;
  }
};

SyncOperation::SyncOperation(applier::ResourceManager& resources, applier::Client& client,
                             std::vector<core::Object> desired, LiveLookup live, SyncOperationOptions options)
    : impl_(std::make_unique<Impl>(resources, client, std::move(desired), std::move(live), std::move(options))) {}

SyncOperation::~SyncOperation() = default;

OperationPhase SyncOperation::step() { return impl_->step(); }

bool SyncOperation::done() const { return impl_->done(); }

const OperationState& SyncOperation::state() const { return impl_->state; }

void SyncOperation::terminate() { impl_->terminate_requested = true; }

OperationState SyncOperation::run(std::chrono::milliseconds poll) {
  while (!done()) {
    step();
    if (!done()) std::this_thread::sleep_for(poll);
  }
  return state();
}

}  // namespace gitmoor::engine
