// GitSource::commit_metadata: a commit's author, date, message and tags from the mirror (Argo CD's
// RevisionMetadata). A full SHA the mirror holds is read without touching the network; anything else (a branch, a
// tag, a short or unknown SHA) goes through poll() first, so the answer is what the remote says now.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>

#include "git_handles.hpp"
#include "gitmoor/engine/git_source.hpp"

namespace gitmoor::engine {

namespace {

using ReferenceHandle = std::unique_ptr<git_reference, GitDeleter<git_reference, git_reference_free>>;
using IteratorHandle =
    std::unique_ptr<git_reference_iterator, GitDeleter<git_reference_iterator, git_reference_iterator_free>>;

bool is_full_sha(const std::string& revision) {
  return revision.size() == GIT_OID_HEXSZ &&
         std::all_of(revision.begin(), revision.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string rfc3339_utc(git_time_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// The mirror opened for reading only; null when there is none yet.
RepositoryHandle open_mirror(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nullptr;
  git_repository* raw = nullptr;
  if (git_repository_open_bare(&raw, path.c_str()) != 0) return nullptr;
  return RepositoryHandle(raw);
}

std::vector<std::string> tags_of(git_repository* repository, const git_oid& commit) {
  std::vector<std::string> tags;
  git_reference_iterator* raw_iterator = nullptr;
  if (git_reference_iterator_glob_new(&raw_iterator, repository, "refs/tags/*") != 0) return tags;
  IteratorHandle iterator(raw_iterator);
  git_reference* raw = nullptr;
  while (git_reference_next(&raw, iterator.get()) == 0) {
    ReferenceHandle reference(raw);
    git_object* peeled_raw = nullptr;
    if (git_reference_peel(&peeled_raw, reference.get(), GIT_OBJECT_COMMIT) != 0) continue;
    ObjectHandle peeled(peeled_raw);
    if (git_oid_equal(git_object_id(peeled.get()), &commit) != 0) tags.emplace_back(git_reference_shorthand(reference.get()));
  }
  std::sort(tags.begin(), tags.end());
  return tags;
}

// The commit's metadata; nullopt when the mirror does not hold it.
std::optional<CommitMetadata> read_commit(git_repository* repository, const std::string& sha) {
  git_oid id;
  if (git_oid_fromstr(&id, sha.c_str()) != 0) return std::nullopt;
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repository, &id) != 0) return std::nullopt;
  CommitHandle commit(raw);
  CommitMetadata out;
  out.commit = sha;
  if (const git_signature* author = git_commit_author(commit.get())) {
    out.author = std::string(author->name ? author->name : "") + " <" + (author->email ? author->email : "") + ">";
    out.date = rfc3339_utc(author->when.time);
  }
  const char* message = git_commit_message(commit.get());
  out.message = message ? message : "";
  out.tags = tags_of(repository, id);
  return out;
}

}  // namespace

CommitMetadata GitSource::commit_metadata(const Repository& repository, const std::string& revision) {
  ensure_libgit2();
  if (is_full_sha(revision)) {
    if (auto mirror = open_mirror(mirror_path(repository.url))) {
      if (auto metadata = read_commit(mirror.get(), revision)) return *metadata;
    }
  }
  const std::string sha = resolve(repository, revision);  // throws GitError (RevisionNotFound) for an unknown one
  auto mirror = open_mirror(mirror_path(repository.url));
  std::optional<CommitMetadata> metadata;
  if (mirror) metadata = read_commit(mirror.get(), sha);
  if (!metadata) {
    throw GitError(GitErrorKind::RevisionNotFound,
                   redact_url(repository.url) + ": revision " + revision + ": commit " + sha + " is not in the mirror");
  }
  return *metadata;
}

}  // namespace gitmoor::engine
