#include "mirror.hpp"

#include <algorithm>
#include <cctype>

#include "git_failure.hpp"
#include "git_metrics.hpp"
#include "gitmoor/engine/git_error.hpp"
#include "remote_callbacks.hpp"

namespace gitmoor::engine {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void cache_failure(const std::string& message) { throw GitError(GitErrorKind::CacheFailure, message); }

// Errors of the local object database: the mirror is damaged, not the remote.
bool is_local_failure() {
  const git_error* e = git_error_last();
  if (e == nullptr) return false;
  switch (e->klass) {
    case GIT_ERROR_ODB:
    case GIT_ERROR_OBJECT:
    case GIT_ERROR_REFERENCE:
    case GIT_ERROR_REPOSITORY:
    case GIT_ERROR_ZLIB:
    case GIT_ERROR_INDEXER:
    case GIT_ERROR_FILESYSTEM:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool looks_like_sha(const std::string& revision) {
  return revision.size() >= 4 && revision.size() <= GIT_OID_HEXSZ &&
         std::all_of(revision.begin(), revision.end(), [](unsigned char c) { return std::isxdigit(c); });
}

Mirror Mirror::open_or_create(const fs::path& path, bool& created) {
  created = false;
  git_repository* raw = nullptr;
  std::error_code ec;
  if (fs::exists(path, ec) && git_repository_open_bare(&raw, path.c_str()) == 0) {
    return Mirror(RepositoryHandle(raw));
  }
  // Missing, or too damaged to open: start over (the remote is the source of truth).
  fs::remove_all(path, ec);
  fs::create_directories(path.parent_path(), ec);
  if (int rc = git_repository_init(&raw, path.c_str(), 1); rc != 0) {
    cache_failure("mirror " + path.string() + ": " + last_git_error(rc));
  }
  created = true;
  return Mirror(RepositoryHandle(raw));
}

RemoteRefs Mirror::list_remote(const Repository& repository, std::chrono::steady_clock::time_point deadline) {
  check_credentials_supported("ls-remote", repository);
  const GitRequestMetrics metrics(repository.url, "ls-remote");
  git_remote* raw = nullptr;
  AuthAttempts no_auth;
  if (int rc = git_remote_create_detached(&raw, repository.url.c_str()); rc != 0) {
    throw_git_failure(rc, "ls-remote", repository, no_auth);
  }
  RemoteHandle remote(raw);
  RemoteCallbacks callbacks(repository, deadline);
  const git_remote_callbacks cb = callbacks.callbacks();
  if (int rc = git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &cb, nullptr, nullptr); rc != 0) {
    throw_git_failure(rc, "ls-remote", repository, callbacks.auth());
  }
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (int rc = git_remote_ls(&heads, &count, remote.get()); rc != 0) {
    throw_git_failure(rc, "ls-remote", repository, callbacks.auth());
  }
  RemoteRefs refs;
  for (size_t i = 0; i < count; ++i) refs.emplace(heads[i]->name, heads[i]->oid);
  git_remote_disconnect(remote.get());
  return refs;
}

void Mirror::fetch(const Repository& repository, std::chrono::steady_clock::time_point deadline) {
  check_credentials_supported("fetch", repository);
  const GitRequestMetrics metrics(repository.url, "fetch");
  git_remote* raw = nullptr;
  AuthAttempts no_auth;
  if (int rc = git_remote_create_anonymous(&raw, repository_.get(), repository.url.c_str()); rc != 0) {
    throw_git_failure(rc, "fetch", repository, no_auth);
  }
  RemoteHandle remote(raw);
  RemoteCallbacks callbacks(repository, deadline);
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.callbacks = callbacks.callbacks();
  options.prune = GIT_FETCH_PRUNE;
  options.update_fetchhead = 0;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;  // the tags refspec brings every tag already
  // Forced (+): a force-pushed branch replaces the mirror's, as the remote is the truth.
  char heads[] = "+refs/heads/*:refs/heads/*";
  char tags[] = "+refs/tags/*:refs/tags/*";
  char* specs[] = {heads, tags};
  const git_strarray refspecs{specs, 2};
  if (int rc = git_remote_fetch(remote.get(), &refspecs, &options, nullptr); rc != 0) {
    if (is_local_failure()) {
      cache_failure(redact_url(repository.url) + ": fetch into the mirror: " + last_git_error(rc));
    }
    throw_git_failure(rc, "fetch", repository, callbacks.auth());
  }
}

std::optional<git_oid> Mirror::advertised(const RemoteRefs& refs, const std::string& revision) {
  std::vector<std::string> candidates;
  if (revision == "HEAD" || revision.starts_with("refs/")) {
    candidates = {revision};
  } else {
    candidates = {"refs/heads/" + revision, "refs/tags/" + revision};  // a branch wins over a tag, as in Argo CD
  }
  for (const auto& name : candidates) {
    if (auto peeled = refs.find(name + "^{}"); peeled != refs.end()) return peeled->second;
    if (auto ref = refs.find(name); ref != refs.end()) return ref->second;
  }
  return std::nullopt;
}

bool Mirror::has_object(const git_oid& id) const {
  git_odb* raw = nullptr;
  if (git_repository_odb(&raw, repository_.get()) != 0) return false;
  OdbHandle odb(raw);
  return git_odb_exists(odb.get(), &id) == 1;
}

std::optional<git_oid> Mirror::local_commit(const std::string& sha) const {
  git_object* raw = nullptr;
  const int rc = git_revparse_single(&raw, repository_.get(), (sha + "^{commit}").c_str());
  if (rc == GIT_EAMBIGUOUS) {
    throw GitError(GitErrorKind::RevisionNotFound, "revision " + sha + " is ambiguous: give more of the SHA");
  }
  if (rc != 0 && rc != GIT_ENOTFOUND && is_local_failure()) {
    cache_failure("commit " + sha + " in the mirror: " + last_git_error(rc));
  }
  if (rc != 0) return std::nullopt;
  ObjectHandle object(raw);
  return *git_object_id(object.get());
}

std::string Mirror::peel_to_commit(const git_oid& id, const std::string& revision,
                                   const Repository& repository) const {
  git_object* raw = nullptr;
  if (int rc = git_object_lookup(&raw, repository_.get(), &id, GIT_OBJECT_ANY); rc != 0) {
    cache_failure(redact_url(repository.url) + ": revision " + revision + ": " + last_git_error(rc));
  }
  ObjectHandle object(raw);
  git_object* peeled_raw = nullptr;
  if (int rc = git_object_peel(&peeled_raw, object.get(), GIT_OBJECT_COMMIT); rc != 0) {
    throw GitError(GitErrorKind::RevisionNotFound, redact_url(repository.url) + ": revision " + revision +
                                                       " does not name a commit: " + last_git_error(rc));
  }
  ObjectHandle peeled(peeled_raw);
  return git_oid_tostr_s(git_object_id(peeled.get()));
}

}  // namespace gitmoor::engine
