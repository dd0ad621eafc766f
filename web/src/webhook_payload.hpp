#pragma once
// GitHub's webhook payloads as the engine needs them. A push event names its repository several ways (html_url,
// clone_url, ssh_url, git_url) and lists the files of each pushed commit (added, modified, removed).
#include <string>
#include <string_view>

#include "gitmoor/engine/git_push.hpp"

namespace gitmoor::web {

// The JSON of a webhook body: the body itself (`application/json`), or its `payload` field when GitHub sends
// `application/x-www-form-urlencoded`.
[[nodiscard]] std::string webhook_json(std::string_view body, std::string_view content_type);

// A push event's payload. Throws core::InvalidInput naming what is missing or malformed. A forced push, or one
// whose commits list no files, gives changed_files = nullopt (every app on the ref is refreshed).
[[nodiscard]] engine::GitPush parse_github_push(std::string_view json);

}  // namespace gitmoor::web
