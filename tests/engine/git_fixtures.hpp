#pragma once
// Real Git for the engine tests: repositories built with the git CLI, served by `git daemon` (git://) and by
// `git http-backend` behind a small HTTP server with basic auth (http://), both on 127.0.0.1, port 0.
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../renderer/render_fixtures.hpp"

namespace gitmoor::test {

// Runs git with argv in `dir`, isolated from the user's and system's configuration; returns trimmed stdout and
// throws with git's stderr on failure.
std::string git(const std::filesystem::path& dir, const std::vector<std::string>& args);

// A socket listening on 127.0.0.1 with a kernel-chosen port (written to `port`); the test servers' listener.
int listen_on_loopback(int& port, int backlog = 64);
// Standard base64 (a Basic authorization header's credentials).
std::string base64_encode(const std::string& in);

// A working repository whose commits are pushed to a bare repository that the servers export.
class GitRemote {
 public:
  // Creates <served_root>/<name> (bare) and a work tree next to it, with branch `main` checked out.
  GitRemote(const std::filesystem::path& served_root, const std::string& name);

  void write(const std::string& path, const std::string& content);
  void remove(const std::string& path);
  // Commits everything and pushes `main` (force, so rewritten history goes out too); returns the new commit.
  std::string commit(const std::string& message);
  // `git reset --hard HEAD~1` then a new commit: history rewritten, as a force-push does.
  std::string rewrite_last_commit(const std::string& message);
  void tag(const std::string& name, bool annotated);
  void branch(const std::string& name);  // at HEAD, pushed

  [[nodiscard]] std::string file_url() const { return "file://" + bare_.string(); }
  [[nodiscard]] const std::filesystem::path& bare() const { return bare_; }
  [[nodiscard]] const std::filesystem::path& work() const { return work_; }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::filesystem::path bare_;
  std::filesystem::path work_;
};

// Accepts connections on 127.0.0.1:0 and hands each to `git daemon --inetd`.
class GitDaemon {
 public:
  explicit GitDaemon(std::filesystem::path base_path);
  ~GitDaemon();
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;

  [[nodiscard]] std::string url(const std::string& repository) const;
  [[nodiscard]] std::size_t connections() const { return connections_.load(); }

 private:
  void serve();

  std::filesystem::path base_path_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> connections_{0};
  std::vector<int> children_;
  std::thread thread_;
};

// `git http-backend` as CGI behind HTTP/1.1 with basic auth on 127.0.0.1:0.
class GitHttpServer {
 public:
  GitHttpServer(std::filesystem::path project_root, std::string username, std::string password);
  ~GitHttpServer();
  GitHttpServer(const GitHttpServer&) = delete;
  GitHttpServer& operator=(const GitHttpServer&) = delete;

  [[nodiscard]] std::string url(const std::string& repository) const;
  [[nodiscard]] std::size_t ref_advertisements() const { return ref_advertisements_.load(); }  // GET info/refs
  [[nodiscard]] std::size_t upload_packs() const { return upload_packs_.load(); }              // POST upload-pack
  [[nodiscard]] std::size_t rejected() const { return rejected_.load(); }                      // 401 answers
  [[nodiscard]] int port() const { return port_; }

 private:
  void serve();

  std::filesystem::path project_root_;
  std::string expected_authorization_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> ref_advertisements_{0}, upload_packs_{0}, rejected_{0};
  std::thread thread_;
};

// A private certificate authority made with the openssl CLI: its certificate (what a client is told to trust)
// and server certificates it signs.
class TestCertificateAuthority {
 public:
  struct Identity {
    std::filesystem::path certificate;  // PEM
    std::filesystem::path private_key;  // PEM
  };

  TestCertificateAuthority(std::filesystem::path dir, const std::string& name);
  [[nodiscard]] const std::filesystem::path& certificate() const { return certificate_; }
  // A server certificate for `subject_alt_names` (`IP:127.0.0.1`, `DNS:git.example`), signed by this CA.
  [[nodiscard]] Identity issue(const std::string& name, const std::string& subject_alt_names) const;

 private:
  std::filesystem::path dir_, certificate_, key_;
};

// https:// for a GitHttpServer: a TLS terminator on 127.0.0.1:0 presenting `identity`, forwarding each request to
// the plain server and its answer back (one request per connection, as the plain server does).
class GitHttpsServer {
 public:
  GitHttpsServer(const GitHttpServer& backend, TestCertificateAuthority::Identity identity);
  ~GitHttpsServer();
  GitHttpsServer(const GitHttpsServer&) = delete;
  GitHttpsServer& operator=(const GitHttpsServer&) = delete;

  [[nodiscard]] std::string url(const std::string& repository) const;
  [[nodiscard]] std::size_t handshakes() const { return handshakes_.load(); }  // completed TLS handshakes
  [[nodiscard]] std::size_t forwarded() const { return forwarded_.load(); }    // requests that reached git

 private:
  void serve();

  int backend_port_;
  TestCertificateAuthority::Identity identity_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> handshakes_{0}, forwarded_{0};
  std::thread thread_;
};

// Generates an ed25519 key pair (OpenSSH format): `path` (private, encrypted when `passphrase` is set) and
// `path`.pub.
void generate_ssh_key(const std::filesystem::path& path, const std::string& passphrase = "");
// Writes a known_hosts file naming [127.0.0.1]:<port> with the public key in `public_key_file` (`<type> <key> ...`).
void write_known_hosts(const std::filesystem::path& known_hosts, int port, const std::filesystem::path& public_key_file);

// A real OpenSSH server for ssh:// on 127.0.0.1:0: each connection is handed to `sshd -i` running as the current
// user, with its own host key and one authorized client key generated in `state_dir`, so repositories below
// `served_root` are fetched with `git-upload-pack` as on any Git host. As root, sshd needs /run/sshd (its
// privilege separation folder, normally made by the service unit); the fixture creates it when missing.
class GitSshServer {
 public:
  struct Options {
    // Log in, then run a command that reads and never answers instead of git-upload-pack: a server stalling
    // after the SSH handshake.
    bool stall_after_login = false;
  };

  GitSshServer(std::filesystem::path served_root, const std::filesystem::path& state_dir, Options options);
  GitSshServer(std::filesystem::path served_root, const std::filesystem::path& state_dir)
      : GitSshServer(std::move(served_root), state_dir, Options{}) {}
  ~GitSshServer();
  GitSshServer(const GitSshServer&) = delete;
  GitSshServer& operator=(const GitSshServer&) = delete;

  // ssh://<user>@127.0.0.1:<port>/<served_root>/<repository>
  [[nodiscard]] std::string url(const std::string& repository) const;
  [[nodiscard]] const std::filesystem::path& client_key() const { return client_key_; }  // authorized
  void authorize(const std::filesystem::path& public_key);  // one more client key the server accepts
  // A known_hosts file naming this server ([127.0.0.1]:<port>) with its host key.
  [[nodiscard]] const std::filesystem::path& known_hosts() const { return known_hosts_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::size_t connections() const { return connections_.load(); }
  [[nodiscard]] std::string log() const;  // sshd's messages (accepted/failed keys, errors)

 private:
  void serve();

  std::filesystem::path served_root_;
  std::filesystem::path config_, log_, client_key_, known_hosts_, authorized_keys_;
  std::string user_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> connections_{0};
  std::vector<int> children_;
  std::thread thread_;
};

// A listening socket that never accepts: connections complete in the kernel and then hear nothing.
class SilentServer {
 public:
  SilentServer();
  ~SilentServer();
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] int fd() const { return fd_; }  // the listening socket

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A port on 127.0.0.1 where nothing listens (connection refused).
int closed_port();

}  // namespace gitmoor::test
