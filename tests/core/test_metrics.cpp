// core::metrics: the registry's families and the Prometheus text format (escaping, histogram series, HELP and
// TYPE), collectors, the process metrics, and promtool's verdict on all of it.
#include <catch2/catch.hpp>

#include <ctime>
#include <limits>
#include <sstream>
#include <thread>
#include <vector>

#include "gitmoor/core/metrics.hpp"
#include "promtool.hpp"

using namespace gitmoor::core::metrics;

namespace {

// The value of the one sample line starting with `series` (name and labels exactly as written), or -1.
double sample_value(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

}  // namespace

TEST_CASE("a counter family is written with HELP, TYPE and one line per label set", "[metrics]") {
  Registry registry;
  auto& requests = registry.counter("demo_requests_total", "Requests served.", {"verb", "code"});
  requests.labels({"get", "200"}).inc();
  requests.labels({"get", "200"}).inc(2);
  requests.labels({"patch", "error"}).inc();
  CHECK(registry.expose() ==
        "# HELP demo_requests_total Requests served.\n"
        "# TYPE demo_requests_total counter\n"
        "demo_requests_total{verb=\"get\",code=\"200\"} 3\n"
        "demo_requests_total{verb=\"patch\",code=\"error\"} 1\n");
}

TEST_CASE("label values escape backslash, double quote and newline, and HELP escapes backslash and newline",
          "[metrics]") {
  Registry registry;
  registry.gauge("demo_info", "Odd \\ help\nsecond line \"quoted\".", {"value"}).labels({"a\\b\"c\nd"}).set(1);
  CHECK(registry.expose() ==
        "# HELP demo_info Odd \\\\ help\\nsecond line \"quoted\".\n"
        "# TYPE demo_info gauge\n"
        "demo_info{value=\"a\\\\b\\\"c\\nd\"} 1\n");
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("\\\"\n") == "\\\\\\\"\\n");
}

TEST_CASE("a histogram writes cumulative buckets up to le=+Inf, then _sum and _count", "[metrics]") {
  Registry registry;
  auto& seconds = registry.histogram("demo_seconds", "Durations.", {"type"}, {0.1, 1, 10});
  auto& helm = seconds.labels({"helm"});
  helm.observe(0.05);
  helm.observe(0.1);  // le is "less than or equal": 0.1 is in the 0.1 bucket
  helm.observe(3);
  helm.observe(100);
  CHECK(registry.expose() ==
        "# HELP demo_seconds Durations.\n"
        "# TYPE demo_seconds histogram\n"
        "demo_seconds_bucket{type=\"helm\",le=\"0.1\"} 2\n"
        "demo_seconds_bucket{type=\"helm\",le=\"1\"} 2\n"
        "demo_seconds_bucket{type=\"helm\",le=\"10\"} 3\n"
        "demo_seconds_bucket{type=\"helm\",le=\"+Inf\"} 4\n"
        "demo_seconds_sum{type=\"helm\"} 103.15\n"
        "demo_seconds_count{type=\"helm\"} 4\n");
  const auto snapshot = helm.snapshot();
  CHECK(snapshot.count() == 4);
  CHECK(snapshot.cumulative == std::vector<std::uint64_t>{2, 2, 3, 4});
}

TEST_CASE("a histogram without labels has only le on its buckets", "[metrics]") {
  Registry registry;
  registry.histogram("demo_latency_seconds", "Latency.", {}, {0.5}).get().observe(0.25);
  const auto text = registry.expose();
  CHECK(sample_value(text, "demo_latency_seconds_bucket{le=\"0.5\"}") == 1);
  CHECK(sample_value(text, "demo_latency_seconds_bucket{le=\"+Inf\"}") == 1);
  CHECK(sample_value(text, "demo_latency_seconds_sum") == 0.25);
  CHECK(sample_value(text, "demo_latency_seconds_count") == 1);
}

TEST_CASE("values are written as the format reads them: integers plainly, +Inf, -Inf and NaN by name", "[metrics]") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(42) == "42");
  CHECK(format_value(0.005) == "0.005");
  constexpr double kInf = std::numeric_limits<double>::infinity();
  CHECK(format_value(kInf) == "+Inf");
  CHECK(format_value(-kInf) == "-Inf");
  CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(std::stod(format_value(1234567.25)) == 1234567.25);
}

TEST_CASE("families are written sorted by name, and asking for a name again returns the same family", "[metrics]") {
  Registry registry;
  registry.counter("demo_b_total", "B.").get().inc();
  registry.gauge("demo_a", "A.").get().set(7);
  auto& again = registry.counter("demo_b_total", "B.");
  again.get().inc();
  const auto text = registry.expose();
  CHECK(text.find("demo_a ") < text.find("demo_b_total "));
  CHECK(sample_value(text, "demo_b_total") == 2);
  CHECK_THROWS_AS(registry.gauge("demo_b_total", "B as a gauge."), std::logic_error);
  CHECK_THROWS_AS(registry.counter("demo_b_total", "B.", {"extra"}), std::logic_error);
  CHECK_THROWS_AS(registry.counter("demo_c_total", "C.", {"one"}).labels({"a", "b"}), std::invalid_argument);
}

TEST_CASE("a collector writes at each scrape until its registration is gone", "[metrics]") {
  Registry registry;
  int scrapes = 0;
  {
    auto registration = registry.add_collector([&](TextWriter& out) {
      ++scrapes;
      out.family("demo_leader", "Leader.", "gauge");
      out.sample("demo_leader", {}, 1);
    });
    CHECK(sample_value(registry.expose(), "demo_leader") == 1);
    auto moved = std::move(registration);  // moving keeps it registered
    CHECK(sample_value(registry.expose(), "demo_leader") == 1);
  }
  CHECK(registry.expose().find("demo_leader") == std::string::npos);
  CHECK(scrapes == 2);
}

TEST_CASE("counters and histograms updated from many threads lose nothing", "[metrics]") {
  Registry registry;
  auto& counter = registry.counter("demo_total", "Concurrent.", {"thread"});
  auto& histogram = registry.histogram("demo_seconds", "Concurrent.", {}, {1}).get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        counter.labels({std::to_string(t % 2)}).inc();
        histogram.observe(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto text = registry.expose();
  CHECK(sample_value(text, "demo_total{thread=\"0\"}") == 20000);
  CHECK(sample_value(text, "demo_total{thread=\"1\"}") == 20000);
  CHECK(sample_value(text, "demo_seconds_count") == 40000);
  CHECK(sample_value(text, "demo_seconds_sum") == 20000);
}

TEST_CASE("the process metrics come from /proc with Prometheus' standard names", "[metrics]") {
  TextWriter out;
  write_process_metrics(out);
  const auto& text = out.text();
  INFO(text);
  CHECK(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
  CHECK(sample_value(text, "process_cpu_seconds_total") >= 0);
  CHECK(sample_value(text, "process_resident_memory_bytes") > 1024 * 1024);  // this test binary is bigger than 1 MiB
  CHECK(sample_value(text, "process_open_fds") >= 3);                        // stdin, stdout, stderr at least
  CHECK(sample_value(text, "process_max_fds") >= sample_value(text, "process_open_fds"));
  const double started = sample_value(text, "process_start_time_seconds");
  CHECK(started > 1.5e9);                                     // after 2017: a time since the epoch, not since boot
  CHECK(started <= static_cast<double>(std::time(nullptr)) + 1);
}

TEST_CASE("promtool check metrics accepts every kind of family the registry writes", "[metrics]") {
  Registry registry;
  registry.counter("demo_requests_total", "Requests \\ with \"odd\" help\nover two lines.", {"verb", "code"})
      .labels({"get", "200"})
      .inc();
  registry.gauge("demo_info", "Info.", {"repo"}).labels({"https://host/a\\b \"q\"\nnext"}).set(1);
  auto& seconds = registry.histogram("demo_request_duration_seconds", "Durations.", {"verb"}, fast_buckets());
  seconds.labels({"get"}).observe(0.2);
  seconds.labels({"list"}).observe(70);
  registry.histogram("demo_reconcile_seconds", "Reconciles.", {}, slow_buckets()).get().observe(1);
  registry.gauge("demo_empty", "A family with no samples yet.", {"x"});
  auto process = registry.add_collector(write_process_metrics);
  const auto text = registry.expose();
  const auto verdict = gitmoor::test::promtool_check_metrics(text);
  INFO(text << "\npromtool: " << verdict.output);
  CHECK(verdict.exit_code == 0);
  CHECK(verdict.output.empty());
}
