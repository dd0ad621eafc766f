#include "gitmoor/engine/git_source.hpp"

#include <csignal>
#include <cstdint>
#include <sys/types.h>
#include <unistd.h>

#include "git_handles.hpp"
#include "gitmoor/core/logging.hpp"
#include "mirror.hpp"
#include "network_stream.hpp"
#include "path_inspector.hpp"
#include "tree_writer.hpp"

namespace gitmoor::engine {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct GitSource::RepositoryState {
  std::mutex mutex;  // one remote check, fetch or checkout of this repository at a time
  fs::path mirror;
};

namespace {

std::atomic<std::uint64_t> g_instances{0};

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

// `https://github.com/acme/tetris.git` → `tetris-<hash>`: readable, and unique per URL (credentials left out, so
// rotating a token keeps the mirror).
std::string folder_name(const std::string& url) {
  const std::string redacted = redact_url(url);
  std::string base = redacted;
  while (!base.empty() && (base.back() == '/')) base.pop_back();
  base = base.substr(base.find_last_of("/:") + 1);
  if (base.ends_with(".git")) base.resize(base.size() - 4);
  std::string safe;
  for (char c : base) safe.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  if (safe.empty()) safe = "repo";
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(redacted)));
  return safe + "-" + hash;
}

// Checkout folders of processes that are gone (crashed, killed) are removed at start.
void remove_stale_checkouts(const fs::path& checkouts) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(checkouts, ec)) {
    const std::string name = entry.path().filename().string();
    const pid_t pid = static_cast<pid_t>(std::atol(name.c_str()));
    if (pid > 0 && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

const std::string& Resolution::value() const {
  if (error) std::rethrow_exception(error);
  return commit;
}

Checkout::~Checkout() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

GitSource::GitSource(GitSourceOptions options) : options_(std::move(options)) {
  ensure_libgit2();
  if (options_.cache_dir.empty()) throw core::InvalidInput("git source: a cache directory is required");
  std::error_code ec;
  fs::create_directories(options_.cache_dir / "mirrors", ec);
  fs::create_directories(options_.cache_dir / "checkouts", ec);
  if (ec) {
    throw GitError(GitErrorKind::CacheFailure, "cache directory " + options_.cache_dir.string() + ": " + ec.message());
  }
  remove_stale_checkouts(options_.cache_dir / "checkouts");
  // Per process and instance: two sources sharing a cache directory never remove each other's checkouts.
  checkouts_dir_ = options_.cache_dir / "checkouts" / (std::to_string(getpid()) + "." + std::to_string(++g_instances));
}

GitSource::~GitSource() {
  std::error_code ec;
  fs::remove_all(checkouts_dir_, ec);
}

fs::path GitSource::mirror_path(const std::string& url) const {
  return options_.cache_dir / "mirrors" / (folder_name(url) + ".git");
}

std::shared_ptr<GitSource::RepositoryState> GitSource::state_of(const std::string& url) {
  std::lock_guard lock(mutex_);
  auto& state = states_[redact_url(url)];
  if (!state) {
    state = std::make_shared<RepositoryState>();
    state->mirror = mirror_path(url);
  }
  return state;
}

PollResult GitSource::poll(const Repository& repository, const std::vector<std::string>& revisions) {
  auto state = state_of(repository.url);
  std::lock_guard lock(state->mutex);
  const auto deadline = Clock::now() + options_.operation_timeout;
  const NetworkScope scope({.connect_timeout = options_.connect_timeout, .io_timeout = options_.io_timeout,
                            .deadline = deadline});

  for (int attempt = 0;; ++attempt) {
    try {
      bool created = false;
      Mirror mirror = Mirror::open_or_create(state->mirror, created);
      if (created) ++clones_;

      const RemoteRefs refs = Mirror::list_remote(repository, deadline);
      ++remote_checks_;
      auto log = core::logger("engine");
      log->debug("{}: remote check: {} refs advertised", redact_url(repository.url), refs.size());

      // Fetch only when a wanted ref points at an object the mirror lacks, or a SHA is not in it yet.
      bool need_fetch = false;
      for (const auto& revision : revisions) {
        if (auto id = Mirror::advertised(refs, revision)) {
          need_fetch = need_fetch || !mirror.has_object(*id);
        } else if (looks_like_sha(revision)) {
          try {
            need_fetch = need_fetch || !mirror.local_commit(revision);
          } catch (const GitError&) {
            // ambiguous: resolved (and reported) below
          }
        }
      }
      PollResult result;
      if (need_fetch) {
        mirror.fetch(repository, deadline);
        ++fetches_;
        result.fetched = true;
        log->info("{}: fetched into {}", redact_url(repository.url), state->mirror.string());
      }

      for (const auto& revision : revisions) {
        Resolution& resolution = result.revisions[revision];
        try {
          if (auto id = Mirror::advertised(refs, revision)) {
            resolution.commit = mirror.peel_to_commit(*id, revision, repository);
          } else if (auto commit = looks_like_sha(revision) ? mirror.local_commit(revision) : std::nullopt) {
            resolution.commit = git_oid_tostr_s(&*commit);
          } else {
            throw GitError(GitErrorKind::RevisionNotFound,
                           redact_url(repository.url) + ": revision " + revision +
                               " not found: no branch, tag or commit of that name");
          }
        } catch (const GitError& e) {
          if (e.kind() == GitErrorKind::CacheFailure) throw;
          resolution.error = std::current_exception();
        }
      }
      return result;
    } catch (const GitError& e) {
      // A damaged mirror is thrown away and cloned again, once.
      if (e.kind() != GitErrorKind::CacheFailure || attempt > 0) {
        core::logger("engine")->debug("{}", e.what());  // the message is already free of secrets
        throw;
      }
      core::logger("engine")->warn("{}: mirror {} is damaged ({}); cloning it again", redact_url(repository.url),
                                   state->mirror.string(), e.what());
      std::error_code ec;
      fs::remove_all(state->mirror, ec);
    }
  }
}

std::string GitSource::resolve(const Repository& repository, const std::string& revision) {
  return poll(repository, {revision}).revisions.at(revision).value();
}

std::shared_ptr<const Checkout> GitSource::checkout(const Repository& repository, const std::string& commit) {
  auto state = state_of(repository.url);
  std::lock_guard lock(state->mutex);
  const std::string key = redact_url(repository.url) + "@" + commit;
  {
    std::lock_guard map_lock(mutex_);
    if (auto existing = checkouts_[key].lock()) return existing;
  }
  git_oid id;
  if (commit.size() != GIT_OID_HEXSZ || git_oid_fromstr(&id, commit.c_str()) != 0) {
    throw core::InvalidInput("checkout of " + redact_url(repository.url) + ": " + commit + " is not a full commit SHA");
  }
  // Unique per write: a checkout of the same commit still being removed by its last user never collides.
  static std::atomic<std::uint64_t> sequence{0};
  const fs::path root = checkouts_dir_ / (folder_name(repository.url) + "-" + commit.substr(0, 12) + "-" +
                                          std::to_string(++sequence));
  for (int attempt = 0;; ++attempt) {
    try {
      bool created = false;
      Mirror mirror = Mirror::open_or_create(state->mirror, created);
      if (created) ++clones_;
      if (attempt > 0) {
        // The mirror was damaged and is new: fill it again.
        const auto deadline = Clock::now() + options_.operation_timeout;
        const NetworkScope scope({.connect_timeout = options_.connect_timeout, .io_timeout = options_.io_timeout,
                                  .deadline = deadline});
        mirror.fetch(repository, deadline);
        ++fetches_;
      }
      write_commit_tree(mirror.get(), id, root);
      break;
    } catch (const GitError& e) {
      std::error_code ec;
      fs::remove_all(root, ec);
      if (e.kind() != GitErrorKind::CacheFailure || attempt > 0) throw;
      core::logger("engine")->warn("{}: mirror {} is damaged ({}); cloning it again", redact_url(repository.url),
                                   state->mirror.string(), e.what());
      fs::remove_all(state->mirror, ec);
    }
  }
  ++checkouts_written_;
  auto checkout = std::make_shared<const Checkout>(root, commit);
  std::lock_guard map_lock(mutex_);
  checkouts_[key] = checkout;
  // Forget entries whose checkouts are gone, so the map does not grow with every commit ever seen.
  std::erase_if(checkouts_, [](const auto& entry) { return entry.second.expired(); });
  return checkout;
}

std::vector<PathInfo> GitSource::inspect(const Repository& repository, const std::string& commit,
                                         const std::vector<PathQuery>& queries) {
  auto state = state_of(repository.url);
  std::lock_guard lock(state->mutex);
  git_oid id;
  if (commit.size() != GIT_OID_HEXSZ || git_oid_fromstr(&id, commit.c_str()) != 0) {
    throw core::InvalidInput("inspect of " + redact_url(repository.url) + ": " + commit + " is not a full commit SHA");
  }
  bool created = false;
  Mirror mirror = Mirror::open_or_create(state->mirror, created);
  if (created) ++clones_;
  return inspect_paths(mirror.get(), id, queries);
}

SourceCounters GitSource::counters() const {
  return {.remote_checks = remote_checks_.load(), .fetches = fetches_.load(), .clones = clones_.load(),
          .checkouts = checkouts_written_.load()};
}

}  // namespace gitmoor::engine
