// The metrics registry and the Prometheus text format; see metrics.hpp.
#include "gitmoor/core/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace gitmoor::core::metrics {

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) throw std::invalid_argument("histogram bounds must ascend");
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
  // The first bound >= value: Prometheus' buckets are `le` (less than or equal).
  const auto index = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot out;
  out.bounds = bounds_;
  out.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out.cumulative.push_back(total);
  }
  out.sum = sum_.load(std::memory_order_relaxed);
  return out;
}

const std::vector<double>& fast_buckets() {
  static const std::vector<double> bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return bounds;
}

const std::vector<double>& slow_buckets() {
  static const std::vector<double> bounds{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
  return bounds;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// HELP text escapes backslash and newline only (the format's rule; a quote stays as it is).
std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

void TextWriter::family(std::string_view name, std::string_view help, std::string_view type) {
  out_.append("# HELP ").append(name).append(" ").append(escape_help(help)).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void TextWriter::sample(std::string_view name, const Labels& labels, double value) {
  out_.append(name);
  if (!labels.empty()) {
    out_.push_back('{');
    bool first = true;
    for (const auto& [label, label_value] : labels) {
      if (!first) out_.push_back(',');
      first = false;
      out_.append(label).append("=\"").append(escape_label_value(label_value)).append("\"");
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
  out_.append(format_value(value)).push_back('\n');
}

void FamilyBase::write(TextWriter& out) const {
  out.family(name_, help_, type_);
  write_samples(out);
}

Labels FamilyBase::labels_of(const LabelValues& values) const {
  Labels out;
  out.reserve(values.size() + 1);
  for (std::size_t i = 0; i < values.size() && i < label_names_.size(); ++i) out.emplace_back(label_names_[i], values[i]);
  return out;
}

void FamilyBase::check_arity(const LabelValues& values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + ": " + std::to_string(values.size()) + " label value(s) for " +
                                std::to_string(label_names_.size()) + " label name(s)");
  }
}

template <class Metric>
Family<Metric>& Registry::family(const std::string& name, const std::string& help, const std::string& type,
                                 std::vector<std::string> label_names, std::vector<double> bounds) {
  std::lock_guard lock(families_mutex_);
  auto& slot = families_[name];
  if (!slot) {
    slot = std::make_unique<Family<Metric>>(name, help, type, std::move(label_names), std::move(bounds));
  } else if (slot->type() != type || slot->label_names() != label_names) {
    throw std::logic_error("metric " + name + " is registered twice, as different families");
  }
  return static_cast<Family<Metric>&>(*slot);
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> label_names) {
  return family<Counter>(name, help, "counter", std::move(label_names), {});
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names) {
  return family<Gauge>(name, help, "gauge", std::move(label_names), {});
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> label_names, std::vector<double> bounds) {
  return family<Histogram>(name, help, "histogram", std::move(label_names), std::move(bounds));
}

CollectorRegistration Registry::add_collector(Collector collector) {
  std::lock_guard lock(collectors_mutex_);
  const auto id = next_collector_++;
  collectors_.emplace(id, std::move(collector));
  return CollectorRegistration(this, id);
}

void Registry::remove_collector(std::uint64_t id) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.erase(id);
}

std::string Registry::expose() const {
  TextWriter out;
  {
    std::lock_guard lock(families_mutex_);
    for (const auto& [name, family] : families_) family->write(out);
  }
  // Collectors run under their mutex: one being unregistered waits until this scrape is done with it.
  std::lock_guard lock(collectors_mutex_);
  for (const auto& [id, collector] : collectors_) collector(out);
  return out.take();
}

CollectorRegistration::~CollectorRegistration() {
  if (registry_ != nullptr) registry_->remove_collector(id_);
}

CollectorRegistration::CollectorRegistration(CollectorRegistration&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

CollectorRegistration& CollectorRegistration::operator=(CollectorRegistration&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->remove_collector(id_);
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

Registry& registry() {
  static Registry* const instance = [] {
    // Never destroyed: modules update their families from threads that may outlive static destruction order.
    auto* r = new Registry();
    static auto process = r->add_collector(write_process_metrics);
    return r;
  }();
  return *instance;
}

}  // namespace gitmoor::core::metrics
