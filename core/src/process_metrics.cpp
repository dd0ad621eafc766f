// Prometheus' standard process metrics, read from /proc at each scrape (the names client_golang's process collector
// uses, so existing dashboards and alerts work unchanged).
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gitmoor/core/metrics.hpp"

namespace gitmoor::core::metrics {

namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// /proc/self/stat's fields after the command (which is in parentheses and may hold spaces): field 3 (state) first.
std::vector<std::string> stat_fields() {
  const std::string stat = read_text("/proc/self/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// The boot time (seconds since the epoch), from /proc/stat's btime line.
double boot_time() {
  std::istringstream in(read_text("/proc/stat"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

double open_fds() {
  std::error_code error;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++count;
  }
  return count;
}

}  // namespace

void write_process_metrics(TextWriter& out) {
  const auto fields = stat_fields();
  // Fields counted from 3 (state): utime is field 14, stime 15, starttime 22, rss 24 (proc(5)).
  const auto field = [&](std::size_t number) -> double {
    const std::size_t index = number - 3;
    if (index >= fields.size()) return 0;
    try {
      return std::stod(fields[index]);
    } catch (const std::exception&) {
      return 0;
    }
  };
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (fields.empty() || ticks <= 0) return;

  out.family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter");
  out.sample("process_cpu_seconds_total", {}, (field(14) + field(15)) / ticks);
  out.family("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
  out.sample("process_resident_memory_bytes", {}, field(24) * page);
  out.family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge");
  out.sample("process_start_time_seconds", {}, boot_time() + field(22) / ticks);
  out.family("process_open_fds", "Number of open file descriptors.", "gauge");
  out.sample("process_open_fds", {}, open_fds());
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.family("process_max_fds", "Maximum number of open file descriptors.", "gauge");
    out.sample("process_max_fds", {},
               limit.rlim_cur == RLIM_INFINITY ? static_cast<double>(1ULL << 62) : static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace gitmoor::core::metrics
