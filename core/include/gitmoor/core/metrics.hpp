#pragma once
// Prometheus metrics: counters, gauges and histograms in labelled families, kept in a Registry and written out in
// the text exposition format 0.0.4 (what GET /metrics serves). Thread-safe. The hot path is cheap: a child metric
// is found once (labels()) and then updated with atomics; callers that update one child often keep the reference.
//
// Modules register their families in the process-wide registry() on first use (a function-local static), so the
// engine, renderer and applier need no wiring; values computed at scrape time (each Application's info, process
// metrics) come from collectors.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace gitmoor::core::metrics {

// A family's label values, in the order of its label names.
using LabelValues = std::vector<std::string>;
// name="value" pairs of one sample, in order.
using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class Counter {
 public:
  void inc(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending; +Inf is implied.
  explicit Histogram(const std::vector<double>& bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (= count)
    double sum = 0;
    [[nodiscard]] std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  // _count is the +Inf bucket by construction, so a scrape never shows them apart.
  [[nodiscard]] Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative; the last is +Inf
  std::atomic<double> sum_{0};
};

// Bucket sets (seconds), documented in README.md's Metrics section.
// Quick in-process work (a compare, a render, an API request): 5 ms .. 60 s.
const std::vector<double>& fast_buckets();
// Work bounded by the network or a sync (Git, a reconcile that syncs, self-heal): 10 ms .. 10 min.
const std::vector<double>& slow_buckets();

// Writes the text format. Metric names and label names are the caller's constants; label values and help are
// escaped here.
class TextWriter {
 public:
  // "# HELP" and "# TYPE" lines; `type` is counter | gauge | histogram.
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, const Labels& labels, double value);
  [[nodiscard]] const std::string& text() const { return out_; }
  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// `value` as a label value in the text format: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);
// A sample value: shortest round-trip decimal, +Inf, -Inf or NaN.
std::string format_value(double value);

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string type, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)), label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string& type() const { return type_; }
  [[nodiscard]] const std::vector<std::string>& label_names() const { return label_names_; }
  void write(TextWriter& out) const;

 protected:
  virtual void write_samples(TextWriter& out) const = 0;
  [[nodiscard]] Labels labels_of(const LabelValues& values) const;
  void check_arity(const LabelValues& values) const;

 private:
  std::string name_, help_, type_;
  std::vector<std::string> label_names_;
};

// One metric name with its children, one per set of label values. Children are never removed (label sets are
// bounded by design: no per-object labels), so references stay valid for the process's life.
template <class Metric>
class Family : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::string type, std::vector<std::string> label_names,
         std::vector<double> bounds = {})
      : FamilyBase(std::move(name), std::move(help), std::move(type), std::move(label_names)),
        bounds_(std::move(bounds)) {}

  // The child for these label values (created at its first use). Throws std::invalid_argument on a wrong count.
  Metric& labels(const LabelValues& values);
  // The family's only child (a family without labels).
  Metric& get() { return labels({}); }

 protected:
  void write_samples(TextWriter& out) const override;

 private:
  std::vector<double> bounds_;  // histograms
  mutable std::shared_mutex mutex_;
  std::map<LabelValues, std::unique_ptr<Metric>> children_;
};

class Registry;

// Keeps a collector registered; unregisters it when destroyed (after any scrape that is using it).
class CollectorRegistration {
 public:
  CollectorRegistration() = default;
  CollectorRegistration(Registry* registry, std::uint64_t id) : registry_(registry), id_(id) {}
  ~CollectorRegistration();
  CollectorRegistration(CollectorRegistration&& other) noexcept;
  CollectorRegistration& operator=(CollectorRegistration&& other) noexcept;
  CollectorRegistration(const CollectorRegistration&) = delete;
  CollectorRegistration& operator=(const CollectorRegistration&) = delete;

 private:
  Registry* registry_ = nullptr;
  std::uint64_t id_ = 0;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The family of that name, created on the first call; later calls with the same name get the same family.
  // Throws std::logic_error when the name is already a family of another type or other label names.
  Family<Counter>& counter(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help, std::vector<std::string> label_names,
                               std::vector<double> bounds);

  // Called at every scrape to write whole families of its own (HELP, TYPE, samples). Must not call back into the
  // registry, and must write names no other family or collector uses.
  using Collector = std::function<void(TextWriter&)>;
  [[nodiscard]] CollectorRegistration add_collector(Collector collector);

  // Every family, sorted by name, then each collector's output.
  [[nodiscard]] std::string expose() const;

 private:
  friend class CollectorRegistration;
  void remove_collector(std::uint64_t id);
  template <class Metric>
  Family<Metric>& family(const std::string& name, const std::string& help, const std::string& type,
                         std::vector<std::string> label_names, std::vector<double> bounds);

  mutable std::mutex families_mutex_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;
  mutable std::mutex collectors_mutex_;
  std::uint64_t next_collector_ = 1;
  std::map<std::uint64_t, Collector> collectors_;
};

// The process-wide registry: what `gitmoor serve` exposes. Holds the standard process metrics from the start.
Registry& registry();

// process_resident_memory_bytes, process_cpu_seconds_total, process_open_fds, process_max_fds and
// process_start_time_seconds, read from /proc (Prometheus' standard process collector; nothing written off Linux).
void write_process_metrics(TextWriter& out);

// ---- Family<Metric> templates.

template <class Metric>
Metric& Family<Metric>::labels(const LabelValues& values) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = children_.find(values); it != children_.end()) return *it->second;
  }
  check_arity(values);
  std::unique_lock lock(mutex_);
  auto& child = children_[values];
  if (!child) {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      child = std::make_unique<Histogram>(bounds_);
    } else {
      child = std::make_unique<Metric>();
    }
  }
  return *child;
}

template <class Metric>
void Family<Metric>::write_samples(TextWriter& out) const {
  std::shared_lock lock(mutex_);
  for (const auto& [values, child] : children_) {
    auto labels = labels_of(values);
    if constexpr (std::is_same_v<Metric, Histogram>) {
      const auto snap = child->snapshot();
      const std::string bucket = name() + "_bucket";
      for (std::size_t i = 0; i <= snap.bounds.size(); ++i) {
        const std::string le = i < snap.bounds.size() ? format_value(snap.bounds[i]) : std::string("+Inf");
        auto with_le = labels;
        with_le.emplace_back("le", le);
        out.sample(bucket, with_le, static_cast<double>(snap.cumulative[i]));
      }
      out.sample(name() + "_sum", labels, snap.sum);
      out.sample(name() + "_count", labels, static_cast<double>(snap.count()));
    } else {
      out.sample(name(), labels, child->value());
    }
  }
}

}  // namespace gitmoor::core::metrics
