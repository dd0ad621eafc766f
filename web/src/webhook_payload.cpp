#include "webhook_payload.hpp"

#include <algorithm>
#include <set>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"
#include "request_target.hpp"

namespace gitmoor::web {

namespace {

using core::Json;

std::string string_field(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// added, modified and removed of one commit object into `files`; true when the commit had any of the lists.
bool collect_files(const Json& commit, std::set<std::string>& files) {
  if (!commit.is_object()) return false;
  bool listed = false;
  for (const char* key : {"added", "modified", "removed"}) {
    const auto it = commit.find(key);
    if (it == commit.end() || !it->is_array()) continue;
    listed = true;
    for (const auto& file : *it) {
      if (file.is_string() && !file.get<std::string>().empty()) files.insert(file.get<std::string>());
    }
  }
  return listed;
}

}  // namespace

std::string webhook_json(std::string_view body, std::string_view content_type) {
  if (content_type.substr(0, 33) != "application/x-www-form-urlencoded") return std::string(body);
  // Form encoding: '+' is a space, then percent escapes.
  std::string form(body);
  for (auto& c : form) {
    if (c == '+') c = ' ';
  }
  for (std::size_t start = 0; start <= form.size();) {
    const auto end = std::min(form.find('&', start), form.size());
    const std::string_view pair = std::string_view(form).substr(start, end - start);
    if (pair.substr(0, 8) == "payload=") return percent_decode(pair.substr(8));
    start = end + 1;
  }
  throw core::InvalidInput("webhook body: a form-encoded body must carry the event in its payload field");
}

engine::GitPush parse_github_push(std::string_view text) {
  Json payload;
  try {
    payload = Json::parse(text);
  } catch (const Json::exception& e) {
    throw core::InvalidInput(std::string("push event: the body is not JSON: ") + e.what());
  }
  if (!payload.is_object()) throw core::InvalidInput("push event: the body is not a JSON object");

  engine::GitPush push;
  push.ref = string_field(payload, "ref");
  if (push.ref.empty()) throw core::InvalidInput("push event: ref is missing");
  push.after = string_field(payload, "after");

  const auto repository = payload.find("repository");
  if (repository == payload.end() || !repository->is_object()) {
    throw core::InvalidInput("push event for " + push.ref + ": repository is missing");
  }
  for (const char* key : {"html_url", "clone_url", "ssh_url", "git_url", "url"}) {
    auto url = string_field(*repository, key);
    if (!url.empty()) push.repository_urls.push_back(std::move(url));
  }
  if (push.repository_urls.empty()) {
    throw core::InvalidInput("push event for " + push.ref + ": repository has no URL (html_url, clone_url, ...)");
  }
  push.default_branch = string_field(*repository, "default_branch");
  if (push.default_branch.empty()) push.default_branch = string_field(*repository, "master_branch");

  // A forced push's commits are the new history only: what changed since the deployed commit is unknown.
  const auto forced = payload.find("forced");
  if (forced != payload.end() && forced->is_boolean() && forced->get<bool>()) return push;

  std::set<std::string> files;
  bool listed = false;
  if (const auto commits = payload.find("commits"); commits != payload.end() && commits->is_array()) {
    for (const auto& commit : *commits) listed = collect_files(commit, files) || listed;
  }
  if (const auto head = payload.find("head_commit"); head != payload.end()) listed = collect_files(*head, files) || listed;
  if (listed && !files.empty()) push.changed_files = std::vector<std::string>(files.begin(), files.end());
  return push;
}

}  // namespace gitmoor::web
