#pragma once
// The demo's deploy repository: a real local Git repository built from the example monorepo, with a history that
// reads like the reference user's (sources, then the chart, then CI's image bump), committed with the git binary.
#include <filesystem>
#include <string>
#include <vector>

namespace gitmoor::cli {

// Runs git in `dir` with a fixed identity and no user configuration; returns stdout trimmed. Throws
// core::EnvironmentError with git's stderr on failure.
std::string run_git(const std::filesystem::path& dir, const std::vector<std::string>& args);

// Creates `repo` (removed first when it exists) from `example` (examples/tetris) on branch main; returns the head
// commit.
std::string create_demo_repository(const std::filesystem::path& example, const std::filesystem::path& repo);

}  // namespace gitmoor::cli
