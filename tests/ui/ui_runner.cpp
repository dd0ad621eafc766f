// See ui_runner.hpp.
#include "ui_runner.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "gitmoor/core/subprocess.hpp"
#include "test_paths.hpp"

namespace gitmoor::test {

namespace fs = std::filesystem;

namespace {

// http://127.0.0.1:1234 → {"127.0.0.1", 1234}
std::pair<std::string, int> host_port(const std::string& url) {
  const auto start = url.find("://") == std::string::npos ? 0 : url.find("://") + 3;
  auto rest = url.substr(start);
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("no port in " + url);
  return {rest.substr(0, colon), std::stoi(rest.substr(colon + 1))};
}

}  // namespace

std::pair<int, std::string> http_get(const std::string& url, const std::string& target) {
  const auto [host, port] = host_port(url);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {0, {}};
  }
  const std::string request = "GET " + target + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return {0, {}};
  }
  std::string response;
  char buffer[8192];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  const auto space = response.find(' ');
  const auto body = response.find("\r\n\r\n");
  if (space == std::string::npos || body == std::string::npos) return {0, {}};
  return {std::atoi(response.c_str() + space + 1), response.substr(body + 4)};
}

fs::path screenshot_dir() { return fs::path(GITMOOR_BUILD_DIR) / "ui-screenshots"; }

ScenarioRun run_scenarios(const std::vector<std::string>& names, std::map<std::string, std::string> environment,
                          std::chrono::seconds timeout) {
  std::vector<std::string> argv{"node", (source_dir() / "tests/ui/scenarios/run.mjs").string()};
  for (const auto& name : names) {
    if (!fs::exists(source_dir() / "tests/ui/scenarios" / (name + ".mjs"))) throw std::runtime_error("no scenario " + name);
    argv.push_back(name);
  }
  environment.try_emplace("GITMOOR_UI_SCREENSHOTS", screenshot_dir().string());
  core::SubprocessOptions options;
  options.environment = std::move(environment);
  options.timeout = timeout;
  options.working_dir = source_dir();
  const auto result = core::run_subprocess(argv, options);
  ScenarioRun run;
  run.exit_code = result.exit_code;
  run.outcome = result.describe_outcome();
  run.output = result.stdout_data + result.stderr_data;
  std::istringstream lines(result.stdout_data);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("timing ", 0) != 0) continue;
    std::istringstream fields(line.substr(7));
    std::string what;
    double ms = 0;
    if (fields >> what >> ms) run.timings[what] = ms;
  }
  return run;
}

UiFrontend::UiFrontend(const std::string& api_url) : url_(api_url) {
  const auto [status, body] = http_get(api_url, "/");
  if (status != 200 || body.find("/assets/") == std::string::npos) {
    throw std::runtime_error("GET " + api_url + "/ does not answer the web UI (status " + std::to_string(status) + ")");
  }
}

}  // namespace gitmoor::test
