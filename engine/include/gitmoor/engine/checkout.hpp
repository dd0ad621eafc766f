#pragma once
// The files of one commit, written once into a read-only folder that every Application at that commit shares.
// The folder is removed when the last user lets go of it.
#include <filesystem>
#include <string>

namespace gitmoor::engine {

class Checkout {
 public:
  Checkout(std::filesystem::path root, std::string commit) : root_(std::move(root)), commit_(std::move(commit)) {}
  ~Checkout();
  Checkout(const Checkout&) = delete;
  Checkout& operator=(const Checkout&) = delete;

  [[nodiscard]] const std::filesystem::path& root() const { return root_; }
  [[nodiscard]] const std::string& commit() const { return commit_; }

 private:
  std::filesystem::path root_;
  std::string commit_;
};

}  // namespace gitmoor::engine
