#include "git_fixtures.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "gitmoor/core/subprocess.hpp"

namespace gitmoor::test {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}


// Waits up to 100 ms for a connection; -1 when none came.
int accept_for_a_while(int listen_fd) {
  pollfd p{listen_fd, POLLIN, 0};
  if (poll(&p, 1, 100) <= 0) return -1;
  return accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
}


}  // namespace

int listen_on_loopback(int& port, int backlog) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, backlog) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

std::string base64_encode(const std::string& in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

std::string git(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  core::SubprocessOptions options;
  options.working_dir = dir;
  options.environment = {{"GIT_CONFIG_NOSYSTEM", "1"},       {"GIT_CONFIG_GLOBAL", "/dev/null"},
                         {"GIT_AUTHOR_NAME", "gitmoor test"}, {"GIT_AUTHOR_EMAIL", "test@gitmoor.dev"},
                         {"GIT_COMMITTER_NAME", "gitmoor test"}, {"GIT_COMMITTER_EMAIL", "test@gitmoor.dev"},
                         {"GIT_TERMINAL_PROMPT", "0"}};
  options.timeout = std::chrono::seconds(60);
  const auto result = core::run_subprocess(argv, options);
  if (!result.ok()) {
    std::string command;
    for (const auto& a : argv) command += a + " ";
    throw std::runtime_error(command + "in " + dir.string() + ": " + result.describe_outcome() + ": " +
                             result.stderr_data);
  }
  return trim(result.stdout_data);
}

GitRemote::GitRemote(const fs::path& served_root, const std::string& name)
    : name_(name), bare_(served_root / name), work_(served_root / ".work" / name) {
  fs::create_directories(bare_);
  fs::create_directories(work_);
  git(bare_, {"init", "--quiet", "--bare", "--initial-branch=main"});
  git(work_, {"init", "--quiet", "--initial-branch=main"});
  git(work_, {"remote", "add", "origin", bare_.string()});
}

void GitRemote::write(const std::string& path, const std::string& content) {
  fs::create_directories((work_ / path).parent_path());
  std::ofstream(work_ / path, std::ios::binary) << content;
}

void GitRemote::remove(const std::string& path) { fs::remove_all(work_ / path); }

std::string GitRemote::commit(const std::string& message) {
  git(work_, {"add", "--all"});
  git(work_, {"commit", "--quiet", "--allow-empty", "-m", message});
  git(work_, {"push", "--quiet", "--force", "origin", "main"});
  return git(work_, {"rev-parse", "HEAD"});
}

std::string GitRemote::rewrite_last_commit(const std::string& message) {
  git(work_, {"reset", "--quiet", "--hard", "HEAD~1"});
  write("rewritten.txt", message);
  return commit(message);
}

void GitRemote::tag(const std::string& name, bool annotated) {
  if (annotated) {
    git(work_, {"tag", "-a", name, "-m", "release " + name});
  } else {
    git(work_, {"tag", name});
  }
  git(work_, {"push", "--quiet", "origin", "refs/tags/" + name});
}

void GitRemote::branch(const std::string& name) {
  git(work_, {"branch", "--force", name});
  git(work_, {"push", "--quiet", "--force", "origin", name});
}

GitDaemon::GitDaemon(fs::path base_path) : base_path_(std::move(base_path)) {
  listen_fd_ = listen_on_loopback(port_);
  thread_ = std::thread([this] { serve(); });
}

GitDaemon::~GitDaemon() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
  for (int pid : children_) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

std::string GitDaemon::url(const std::string& repository) const {
  return "git://127.0.0.1:" + std::to_string(port_) + "/" + repository;
}

void GitDaemon::serve() {
  const std::string base = "--base-path=" + base_path_.string();
  const char* argv[] = {"git", "daemon", "--inetd", "--export-all", "--informative-errors", base.c_str(), nullptr};
  while (!stop_) {
    const int connection = accept_for_a_while(listen_fd_);
    // Reap finished children as we go, so a long test leaves no zombies.
    std::erase_if(children_, [](int pid) { return waitpid(pid, nullptr, WNOHANG) == pid; });
    if (connection < 0) continue;
    ++connections_;
    const pid_t pid = fork();
    if (pid == 0) {
      dup2(connection, 0);
      dup2(connection, 1);
      execvp("git", const_cast<char* const*>(argv));
      _exit(127);
    }
    close(connection);
    if (pid > 0) children_.push_back(pid);
  }
}

void generate_ssh_key(const fs::path& path, const std::string& passphrase) {
  core::SubprocessOptions options;
  options.timeout = std::chrono::seconds(60);
  const auto result = core::run_subprocess(
      {"ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "gitmoor-test", "-f", path.string()}, options);
  if (!result.ok()) throw std::runtime_error("ssh-keygen " + path.string() + ": " + result.stderr_data);
}

void write_known_hosts(const fs::path& known_hosts, int port, const fs::path& public_key_file) {
  std::ifstream public_key(public_key_file);
  std::string type, key;
  public_key >> type >> key;
  std::ofstream(known_hosts) << "[127.0.0.1]:" << port << " " << type << " " << key << "\n";
}

GitSshServer::GitSshServer(fs::path served_root, const fs::path& state_dir, Options options)
    : served_root_(std::move(served_root)),
      config_(state_dir / "sshd_config"),
      log_(state_dir / "sshd.log"),
      client_key_(state_dir / "client_key"),
      known_hosts_(state_dir / "known_hosts"),
      authorized_keys_(state_dir / "authorized_keys") {
  fs::create_directories(state_dir);
  const passwd* account = getpwuid(getuid());
  if (account == nullptr) throw std::runtime_error("the current user has no passwd entry: sshd cannot log it in");
  user_ = account->pw_name;
  if (getuid() == 0 && !fs::exists("/run/sshd")) {
    fs::create_directories("/run/sshd");
    fs::permissions("/run/sshd", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                     fs::perms::others_read | fs::perms::others_exec);
  }
  const fs::path host_key = state_dir / "host_key";
  generate_ssh_key(host_key);
  generate_ssh_key(client_key_);
  authorize(client_key_.string() + ".pub");

  std::ofstream config(config_);
  config << "HostKey " << host_key.string() << "\n"
         << "AuthorizedKeysFile " << authorized_keys_.string() << "\n"
         << "PidFile " << (state_dir / "sshd.pid").string() << "\n"
         << "StrictModes no\n"  // the scratch folder's modes are not the home folder's
         << "PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
         << "PermitRootLogin prohibit-password\nLogLevel VERBOSE\n";
  if (options.stall_after_login) config << "ForceCommand cat >/dev/null\n";
  config.close();

  listen_fd_ = listen_on_loopback(port_);
  write_known_hosts(known_hosts_, port_, host_key.string() + ".pub");
  thread_ = std::thread([this] { serve(); });
}

GitSshServer::~GitSshServer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
  for (int pid : children_) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

void GitSshServer::authorize(const fs::path& public_key) {
  std::ifstream in(public_key);
  std::string line;
  std::getline(in, line);
  std::ofstream(authorized_keys_, std::ios::app) << line << "\n";
}

std::string GitSshServer::url(const std::string& repository) const {
  return "ssh://" + user_ + "@127.0.0.1:" + std::to_string(port_) + (served_root_ / repository).string();
}

std::string GitSshServer::log() const {
  std::ifstream in(log_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void GitSshServer::serve() {
  const std::string config = config_.string();
  const char* argv[] = {"/usr/sbin/sshd", "-i", "-e", "-f", config.c_str(), nullptr};
  while (!stop_) {
    const int connection = accept_for_a_while(listen_fd_);
    std::erase_if(children_, [](int pid) { return waitpid(pid, nullptr, WNOHANG) == pid; });
    if (connection < 0) continue;
    ++connections_;
    const int log = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const pid_t pid = fork();
    if (pid == 0) {
      dup2(connection, 0);
      dup2(connection, 1);
      if (log >= 0) dup2(log, 2);
      execv(argv[0], const_cast<char* const*>(argv));
      _exit(127);
    }
    close(connection);
    if (log >= 0) close(log);
    if (pid > 0) children_.push_back(pid);
  }
}

GitHttpServer::GitHttpServer(fs::path project_root, std::string username, std::string password)
    : project_root_(std::move(project_root)),
      expected_authorization_("Basic " + base64_encode(username + ":" + password)) {
  listen_fd_ = listen_on_loopback(port_);
  thread_ = std::thread([this] { serve(); });
}

GitHttpServer::~GitHttpServer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string GitHttpServer::url(const std::string& repository) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + repository;
}

}  // namespace gitmoor::test
