// SSH host key checking against known_hosts files written by OpenSSH's own tools.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "git_fixtures.hpp"
#include "known_hosts.hpp"

using namespace gitmoor;
using engine::HostKeyMatch;
namespace fs = std::filesystem;

namespace {

std::string base64_decode(const std::string& in) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const auto pos = kAlphabet.find(c);
    if (pos == std::string::npos) break;  // '=' padding
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

struct HostKey {
  std::string type;
  std::string base64;
  std::string blob;
};

HostKey make_key(const fs::path& dir, const std::string& name) {
  const auto result = core::run_subprocess(
      {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", (dir / name).string()});
  REQUIRE(result.ok());
  std::ifstream in(dir / (name + ".pub"));
  HostKey key;
  in >> key.type >> key.base64;
  key.blob = base64_decode(key.base64);
  return key;
}

}  // namespace

TEST_CASE("known_hosts: plain, [host]:port and hashed entries, a changed key is a mismatch", "[engine][ssh]") {
  test::ScratchDir dir;
  const HostKey server = make_key(dir.path(), "server");
  const HostKey impostor = make_key(dir.path(), "impostor");
  const fs::path known_hosts = dir.path() / "known_hosts";
  std::ofstream(known_hosts) << "# comment\n"
                             << "git.example.com,10.0.0.5 " << server.type << " " << server.base64 << "\n"
                             << "[127.0.0.1]:2222 " << server.type << " " << server.base64 << "\n";

  CHECK(engine::check_known_host(known_hosts, "git.example.com", 22, server.type, server.blob) == HostKeyMatch::Match);
  CHECK(engine::check_known_host(known_hosts, "10.0.0.5", 22, server.type, server.blob) == HostKeyMatch::Match);
  CHECK(engine::check_known_host(known_hosts, "127.0.0.1", 2222, server.type, server.blob) == HostKeyMatch::Match);
  CHECK(engine::check_known_host(known_hosts, "127.0.0.1", 22, server.type, server.blob) == HostKeyMatch::Unknown);
  CHECK(engine::check_known_host(known_hosts, "other.example.com", 22, server.type, server.blob) ==
        HostKeyMatch::Unknown);
  CHECK(engine::check_known_host(known_hosts, "git.example.com", 22, impostor.type, impostor.blob) ==
        HostKeyMatch::Mismatch);
  CHECK(engine::check_known_host(dir.path() / "missing", "git.example.com", 22, server.type, server.blob) ==
        HostKeyMatch::Unknown);

  // `ssh-keygen -H` hashes the host names (HashKnownHosts): still found, still checked.
  REQUIRE(core::run_subprocess({"ssh-keygen", "-q", "-H", "-f", known_hosts.string()}).ok());
  std::ifstream hashed(known_hosts);
  const std::string text{std::istreambuf_iterator<char>(hashed), {}};
  REQUIRE(text.find("|1|") != std::string::npos);
  REQUIRE(text.find("git.example.com") == std::string::npos);
  CHECK(engine::check_known_host(known_hosts, "git.example.com", 22, server.type, server.blob) == HostKeyMatch::Match);
  CHECK(engine::check_known_host(known_hosts, "127.0.0.1", 2222, server.type, server.blob) == HostKeyMatch::Match);
  CHECK(engine::check_known_host(known_hosts, "git.example.com", 22, impostor.type, impostor.blob) ==
        HostKeyMatch::Mismatch);
}
