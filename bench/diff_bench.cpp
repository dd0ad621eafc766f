// Diff throughput: 10,000 realistic Deployments (the reference user's backend as the sandbox returns it after a
// server-side apply: defaults and managedFields), all in sync and then with 1% drifted; single thread. Prints
// objects/s and the ratio of diff time to the JSON parse time of the same live objects (what the engine pays anyway
// to read a watch event). Target: at least 100,000 objects/s.
//
// Two entry points are measured: diff_resource over decoded objects (nlohmann trees: what `gitmoor diff` uses), and
// diff_packed over packed objects (core/packed.hpp: the form the engine's LiveCache keeps live objects in and its
// compare packs desired objects into once per render), which decides "in sync" in place and decodes only what
// differs.
#include <ctime>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gitmoor/core/packed.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/differ/diff.hpp"

using namespace gitmoor;
// This thread's CPU time, not wall time: the figures are single-thread throughput, and on a shared machine wall time
// also counts the time another process held the core.
struct Clock {
  using time_point = double;
  static double now() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
};

namespace {

constexpr std::size_t kObjects = 10000;
constexpr int kRounds = 5;  // the best of several rounds, so a noisy neighbour on the shared cores counts less
constexpr int kDiffRounds = 15;  // a diff round is short (< 0.2 s): more of them, for the same reason

core::Object read_one(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return core::parse_manifests(text.str(), {.file = path}).at(0);
}

double seconds_since(Clock::time_point start) {
  return Clock::now() - start;
}

struct Figures {
  double diff_seconds = 1e9;
  std::size_t out_of_sync = 0;
};

// Each object in its own buffer, as the LiveCache stores them.
std::vector<differ::PackedResource> pack(const std::vector<core::Object>& objects,
                                         std::vector<std::vector<std::uint8_t>>& buffers) {
  std::vector<differ::PackedResource> packed;
  buffers.clear();
  buffers.reserve(objects.size());
  for (const auto& object : objects) buffers.push_back(core::pack(object.json()));
  for (std::size_t i = 0; i < objects.size(); ++i) packed.push_back({objects[i].key(), buffers[i]});
  return packed;
}

// The best of the rounds of diffing every desired[i] with live[i] through `diff` (diff_resource or diff_packed).
template <class Resource, class Diff>
Figures run(const std::vector<Resource>& desired, const std::vector<Resource>& live, Diff diff) {
  Figures best;
  for (int round = 0; round < kDiffRounds; ++round) {
    std::size_t out_of_sync = 0;
    auto start = Clock::now();
    for (std::size_t i = 0; i < desired.size(); ++i) {
      auto result = diff(&desired[i], &live[i]);
      out_of_sync += result.status != differ::SyncStatus::Synced;
    }
    double took = seconds_since(start);
    if (took < best.diff_seconds) best = {took, out_of_sync};
  }
  return best;
}

Figures run(const std::vector<core::Object>& desired, const std::vector<core::Object>& live) {
  return run(desired, live, [](const core::Object* d, const core::Object* l) { return differ::diff_resource(d, l); });
}

Figures run_packed(const std::vector<differ::PackedResource>& desired, const std::vector<differ::PackedResource>& live) {
  return run(desired, live, [](const differ::PackedResource* d, const differ::PackedResource* l) {
    return differ::diff_packed(d, l);
  });
}

}  // namespace

int main() {
  const std::string dir = std::string(GITMOOR_TESTDATA_DIR) + "/diff/deployment-realistic/";
  const auto desired_template = read_one(dir + "desired.yaml");
  const auto live_template = read_one(dir + "live.yaml");

  std::vector<core::Object> desired, live;
  std::vector<std::string> live_text;
  desired.reserve(kObjects);
  live.reserve(kObjects);
  for (std::size_t i = 0; i < kObjects; ++i) {
    const std::string name = "backend-" + std::to_string(i);
    auto d = desired_template;
    d.set_name(name);
    auto l = live_template;
    l.set_name(name);
    l.json()["metadata"]["uid"] = "6f1c0c1e-0000-4000-8000-" + std::to_string(100000000000 + i);
    desired.push_back(std::move(d));
    live_text.push_back(l.json().dump());
    live.push_back(std::move(l));
  }

  // JSON parse of the same live objects, best of the rounds.
  double parse_seconds = 1e9;
  for (int round = 0; round < kRounds; ++round) {
    auto start = Clock::now();
    std::size_t bytes = 0;
    for (const auto& text : live_text) bytes += core::Json::parse(text).size();
    parse_seconds = std::min(parse_seconds, seconds_since(start));
    if (bytes == 0) return 1;
  }

  std::vector<std::vector<std::uint8_t>> desired_buffers, live_buffers;
  const auto packed_live = pack(live, live_buffers);
  auto packed_desired = pack(desired, desired_buffers);

  const auto in_sync = run(desired, live);
  const auto packed_in_sync = run_packed(packed_desired, packed_live);
  for (std::size_t i = 0; i < kObjects; i += 100) {
    desired[i].json()["spec"]["template"]["spec"]["containers"][0]["image"] = "tetris/backend:drifted";
  }
  const auto drifted = run(desired, live);
  packed_desired = pack(desired, desired_buffers);
  const auto packed_drifted = run_packed(packed_desired, packed_live);

  const double bytes_per_object = static_cast<double>(live_text[0].size());
  std::printf("diff benchmark: %zu Deployments of %.0f bytes (JSON) each, single thread (CPU time), best of %d rounds"
              " (parse: %d)\n", kObjects, bytes_per_object, kDiffRounds, kRounds);
  std::printf("  JSON parse of the live objects: %9.0f objects/s\n", kObjects / parse_seconds);
  auto row = [&](const char* name, const Figures& f) {
    std::printf("  %-34s %9.0f objects/s  (%zu out of sync)  diff/parse time = %.2f\n", name,
                kObjects / f.diff_seconds, f.out_of_sync, f.diff_seconds / parse_seconds);
  };
  row("diff_resource (decoded), in sync:", in_sync);
  row("diff_resource (decoded), 1% drift:", drifted);
  row("diff_packed (engine), in sync:", packed_in_sync);
  row("diff_packed (engine), 1% drift:", packed_drifted);
  auto met = [](const Figures& a, const Figures& b) {
    return kObjects / a.diff_seconds >= 100000 && kObjects / b.diff_seconds >= 100000 ? "met" : "NOT met";
  };
  std::printf("  target >= 100000 objects/s: decoded %s, packed (engine) %s\n", met(in_sync, drifted),
              met(packed_in_sync, packed_drifted));
  return 0;
}
