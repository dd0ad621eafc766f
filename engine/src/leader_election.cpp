// Leader election on a coordination.k8s.io/v1 Lease, following client-go's tools/leaderelection: GET the Lease,
// create it when absent, take it over when expired or ours, always writing with the resourceVersion read so that
// of two racing replicas exactly one wins (the other gets 409 Conflict).
#include "gitmoor/engine/leader_election.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>

#include "gitmoor/core/logging.hpp"

namespace gitmoor::engine {

namespace {

using SystemTime = std::chrono::system_clock::time_point;

std::string default_identity() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "gitmoor") + "_" + std::to_string(getpid());
}

int parse_digits(const std::string& text, std::size_t pos, std::size_t count, bool& ok) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') {
      ok = false;
      return 0;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Spreads replicas' acquire attempts so they do not hit the Lease in lockstep (client-go jitters too, by up to
// 1.2 × the period; up to +20% keeps a standby's takeover close to the lease duration).
std::chrono::milliseconds jittered(std::chrono::milliseconds period) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> spread(0.0, 0.2);
  return period + std::chrono::milliseconds(static_cast<long long>(static_cast<double>(period.count()) * spread(rng)));
}

}  // namespace

std::string format_micro_time(SystemTime time) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  long long fraction = micros % 1000000;
  if (fraction < 0) {
    fraction += 1000000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
  return buffer;
}

std::optional<SystemTime> parse_micro_time(const std::string& text) {
  // 2006-01-02T15:04:05[.fraction](Z|±hh:mm)
  bool ok = text.size() >= 20 && text[4] == '-' && text[7] == '-' && (text[10] == 'T' || text[10] == 't') &&
            text[13] == ':' && text[16] == ':';
  if (!ok) return std::nullopt;
  std::tm tm{};
  tm.tm_year = parse_digits(text, 0, 4, ok) - 1900;
  tm.tm_mon = parse_digits(text, 5, 2, ok) - 1;
  tm.tm_mday = parse_digits(text, 8, 2, ok);
  tm.tm_hour = parse_digits(text, 11, 2, ok);
  tm.tm_min = parse_digits(text, 14, 2, ok);
  tm.tm_sec = parse_digits(text, 17, 2, ok);
  if (!ok || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  long long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 6; ++d) micros *= 10;
  }
  long long offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    const int hours = parse_digits(text, pos + 1, 2, ok);
    const int minutes = parse_digits(text, pos + 4, 2, ok);
    if (!ok) return std::nullopt;
    offset_seconds = (hours * 3600LL + minutes * 60LL) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::time_t seconds = timegm(&tm) - offset_seconds;
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::seconds(seconds) +
                                                                     std::chrono::microseconds(micros)));
}

bool LeaseRecord::held_at(SystemTime now) const {
  if (holder_identity.empty() || !renew_time) return false;
  return *renew_time + std::chrono::seconds(lease_duration_seconds) >= now;
}

core::Json LeaseRecord::to_spec() const {
  core::Json spec = {{"holderIdentity", holder_identity},
                     {"leaseDurationSeconds", lease_duration_seconds},
                     {"leaseTransitions", lease_transitions}};
  if (acquire_time) spec["acquireTime"] = format_micro_time(*acquire_time);
  if (renew_time) spec["renewTime"] = format_micro_time(*renew_time);
  return spec;
}

LeaseRecord LeaseRecord::from_spec(const core::Json& spec) {
  LeaseRecord record;
  if (!spec.is_object()) return record;
  if (auto it = spec.find("holderIdentity"); it != spec.end() && it->is_string()) record.holder_identity = *it;
  if (auto it = spec.find("leaseDurationSeconds"); it != spec.end() && it->is_number_integer()) {
    record.lease_duration_seconds = it->get<int>();
  }
  if (auto it = spec.find("leaseTransitions"); it != spec.end() && it->is_number_integer()) {
    record.lease_transitions = it->get<int>();
  }
  if (auto it = spec.find("acquireTime"); it != spec.end() && it->is_string()) {
    record.acquire_time = parse_micro_time(*it);
  }
  if (auto it = spec.find("renewTime"); it != spec.end() && it->is_string()) record.renew_time = parse_micro_time(*it);
  return record;
}

LeaderElector::LeaderElector(applier::Client& client, LeaderElectionOptions options, LeaderCallbacks callbacks)
    : client_(client), options_(std::move(options)), callbacks_(std::move(callbacks)) {
  if (options_.identity.empty()) options_.identity = default_identity();
  if (!options_.now) options_.now = [] { return std::chrono::system_clock::now(); };
  if (options_.renew_deadline >= options_.lease_duration) {
    throw core::InvalidInput("leader election: renew deadline (" + std::to_string(options_.renew_deadline.count()) +
                             " ms) must be shorter than the lease duration (" +
                             std::to_string(options_.lease_duration.count()) + " ms)");
  }
  if (options_.lease_duration < std::chrono::seconds(1)) {
    throw core::InvalidInput("leader election: the lease duration must be at least 1 s (leaseDurationSeconds)");
  }
}

LeaderElector::~LeaderElector() { stop(); }

std::string LeaderElector::lease_path() const {
  return "/apis/coordination.k8s.io/v1/namespaces/" + options_.lease_namespace + "/leases/" + options_.lease_name;
}

void LeaderElector::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LeaderElector::wait_for(std::chrono::milliseconds period) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, period, [this] { return stopping_; });
  return !stopping_;
}

void LeaderElector::observe(const LeaseRecord& record) {
  if (record.holder_identity == observed_holder_) return;
  observed_holder_ = record.holder_identity;
  core::logger("leader-election")
      ->info("lease {}/{}: holder is now {}", options_.lease_namespace, options_.lease_name,
             observed_holder_.empty() ? "<none>" : observed_holder_);
  if (callbacks_.on_new_leader) callbacks_.on_new_leader(observed_holder_);
}

bool LeaderElector::try_acquire_or_renew() {
  const auto subject = "lease " + options_.lease_namespace + "/" + options_.lease_name;
  const auto now = options_.now();
  // Whole seconds, at least 1: leaseDurationSeconds is an integer field.
  const int duration_seconds = static_cast<int>(
      std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(options_.lease_duration).count()));
  LeaseRecord desired{.holder_identity = options_.identity,
                      .lease_duration_seconds = duration_seconds,
                      .acquire_time = now,
                      .renew_time = now,
                      .lease_transitions = 0};
  // A request may take no longer than the renew deadline, or a hung call would outlive our leadership.
  const auto timeout = options_.renew_deadline;
  auto log = core::logger("leader-election");
  try {
    const auto got = client_.send({.method = "GET", .path = lease_path(), .timeout = timeout});
    if (got.status == 404) {
      core::Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                          {"kind", "Lease"},
                          {"metadata", {{"name", options_.lease_name}, {"namespace", options_.lease_namespace}}},
                          {"spec", desired.to_spec()}};
      const auto created = client_.send({.method = "POST",
                                         .path = "/apis/coordination.k8s.io/v1/namespaces/" +
                                                 options_.lease_namespace + "/leases",
                                         .body = lease.dump(),
                                         .idempotent = false,
                                         .timeout = timeout});
      if (created.status == 409) return false;  // another replica created it first
      if (created.status >= 300) {
        log->warn("{}", applier::api_error(created, "create " + subject).what());
        return false;
      }
      held_resource_version_ = created.json()["metadata"].value("resourceVersion", "");
      held_record_ = desired;
      observe(desired);
      return true;
    }
    if (got.status >= 300) {
      log->warn("{}", applier::api_error(got, "get " + subject).what());
      return false;
    }
    core::Json lease = got.json();
    const auto current = LeaseRecord::from_spec(lease.value("spec", core::Json::object()));
    observe(current);
    const bool ours = current.holder_identity == options_.identity;
    if (!ours && current.held_at(now)) return false;  // held by another replica and not expired
    if (ours) {
      desired.acquire_time = current.acquire_time ? current.acquire_time : std::optional<SystemTime>(now);
      desired.lease_transitions = current.lease_transitions;
    } else {
      desired.lease_transitions = current.lease_transitions + 1;
    }
    lease["spec"] = desired.to_spec();  // metadata keeps the resourceVersion read: a stale write gets 409
    const auto updated = client_.send({.method = "PUT", .path = lease_path(), .body = lease.dump(), .timeout = timeout});
    if (updated.status == 409) return false;  // another replica wrote in between
    if (updated.status >= 300) {
      log->warn("{}", applier::api_error(updated, "update " + subject).what());
      return false;
    }
    held_resource_version_ = updated.json()["metadata"].value("resourceVersion", "");
    held_record_ = desired;
    observe(desired);
    return true;
  } catch (const std::exception& e) {  // unreachable server, a malformed answer: try again next period
    log->warn("{}: {}", subject, e.what());
    return false;
  }
}

bool LeaderElector::acquire_loop() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return false;
    }
    if (try_acquire_or_renew()) return true;
    if (!wait_for(jittered(options_.retry_period))) return false;
  }
}

void LeaderElector::renew_loop() {
  auto last_renew = std::chrono::steady_clock::now();
  while (wait_for(options_.retry_period)) {
    if (try_acquire_or_renew()) {
      last_renew = std::chrono::steady_clock::now();
      continue;
    }
    // Someone else holds it now (we were too slow): stop at once rather than wait out the deadline.
    if (observed_holder_ != options_.identity) {
      core::logger("leader-election")
          ->warn("lease {}/{}: taken over by {}", options_.lease_namespace, options_.lease_name, observed_holder_);
      return;
    }
    if (std::chrono::steady_clock::now() - last_renew >= options_.renew_deadline) {
      core::logger("leader-election")
          ->warn("lease {}/{}: not renewed within the renew deadline ({} ms); leadership lost",
                 options_.lease_namespace, options_.lease_name, options_.renew_deadline.count());
      return;
    }
  }
}

void LeaderElector::become_follower() {
  if (!leader_.exchange(false)) return;
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
}

void LeaderElector::release() {
  // client-go's release: an empty holder and a 1 s duration, written with the resourceVersion of our last write,
  // so a Lease someone else has taken since is left alone (409).
  const auto now = options_.now();
  LeaseRecord released{.holder_identity = "",
                       .lease_duration_seconds = 1,
                       .acquire_time = now,
                       .renew_time = now,
                       .lease_transitions = held_record_.lease_transitions};
  core::Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata",
                       {{"name", options_.lease_name},
                        {"namespace", options_.lease_namespace},
                        {"resourceVersion", held_resource_version_}}},
                      {"spec", released.to_spec()}};
  auto log = core::logger("leader-election");
  try {
    const auto response =
        client_.send({.method = "PUT", .path = lease_path(), .body = lease.dump(), .timeout = options_.renew_deadline});
    if (response.status >= 300) {
      log->warn("{}", applier::api_error(response, "release lease " + options_.lease_namespace + "/" +
                                                       options_.lease_name).what());
    } else {
      log->info("lease {}/{}: released", options_.lease_namespace, options_.lease_name);
    }
  } catch (const std::exception& e) {
    log->warn("release lease {}/{}: {}", options_.lease_namespace, options_.lease_name, e.what());
  }
}

void LeaderElector::run() {
  while (acquire_loop()) {
    core::logger("leader-election")
        ->info("lease {}/{}: {} is the leader", options_.lease_namespace, options_.lease_name, options_.identity);
    leader_ = true;
    if (callbacks_.on_started_leading) callbacks_.on_started_leading();
    renew_loop();
    bool stopping;
    {
      std::lock_guard lock(mutex_);
      stopping = stopping_;
    }
    // Stop the work first, then hand the Lease over: the next leader must not overlap with our last writes.
    become_follower();
    if (stopping && options_.release_on_stop) release();
    if (stopping) return;
  }
}

}  // namespace gitmoor::engine
