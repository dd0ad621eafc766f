// See helm_repository.hpp.
#include "gitmoor/engine/helm_repository.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "chart_version.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/engine/git_error.hpp"
#include "http_fetch.hpp"

namespace gitmoor::engine {

namespace fs = std::filesystem;
using core::Json;

namespace {

constexpr std::size_t kMaxIndexBytes = 128u << 20;  // prometheus-community's index is about 20 MiB
constexpr std::size_t kMaxChartBytes = 32u << 20;

std::string hex(const unsigned char* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw core::EnvironmentError("sha256 failed");
  }
  return hex(digest, length);
}

// The lines of `chart`'s entries in an index as helm writes it ("entries:" at the top, each chart a key indented by
// two spaces, its versions below), so a large index is not parsed whole; empty when not found that way.
std::string entries_block(std::string_view index, const std::string& chart) {
  const auto entries = index.find("\nentries:\n");
  if (entries == std::string_view::npos) return {};
  const std::string key = "\n  " + chart + ":\n";
  auto start = index.find(key, entries);
  if (start == std::string_view::npos) return {};
  ++start;  // at the key's line
  std::size_t end = index.find('\n', start) + 1;
  while (end < index.size()) {
    const auto next = index.find('\n', end);
    const auto line = index.substr(end, next == std::string_view::npos ? std::string_view::npos : next - end);
    // The next chart ("  other:") or the next top-level key ("generated:") ends the block.
    const bool next_key = !line.empty() && line.front() != ' ' && line.front() != '#';
    const bool next_chart = line.size() > 2 && line.substr(0, 2) == "  " && line[2] != ' ' && line[2] != '-';
    if (next_key || next_chart) break;
    if (next == std::string_view::npos) {
      end = index.size();
      break;
    }
    end = next + 1;
  }
  return std::string(index.substr(start, end - start));
}

std::vector<ChartEntry> entries_from(const Json& list, const std::string& chart, const std::string& subject) {
  std::vector<ChartEntry> out;
  if (!list.is_array()) throw HelmRepositoryError(subject + ": index.yaml: entries." + chart + " is not a list");
  for (const auto& item : list) {
    if (!item.is_object()) continue;
    ChartEntry entry;
    const auto version = item.find("version");
    if (version == item.end()) continue;
    entry.version = version->is_string() ? version->get<std::string>() : version->dump();
    for (const auto& url : item.value("urls", Json::array())) {
      if (url.is_string()) entry.urls.push_back(url.get<std::string>());
    }
    entry.digest = item.value("digest", "");
    out.push_back(std::move(entry));
  }
  return out;
}

// `reference` (an archive URL from the index) against the repository URL, as helm resolves it.
std::string resolve_url(const std::string& repository, const std::string& reference) {
  if (reference.find("://") != std::string::npos) return reference;
  std::string base = repository;
  if (base.empty() || base.back() != '/') base += '/';
  if (!reference.empty() && reference.front() == '/') {
    const auto scheme = base.find("://");
    const auto host_end = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return base.substr(0, host_end) + reference;
  }
  return base + reference;
}

std::string host_of(const std::string& url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string::npos ? 0 : scheme + 3;
  auto end = url.find_first_of("/?#", start);
  auto authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  return authority;
}

// Why a 401 or 403 happened, as the Git errors say it: no credentials, or which Secret's were refused.
std::string credentials_hint(const Repository& repository) {
  const auto& credentials = repository.credentials;
  if (credentials.username.empty() && credentials.password.empty()) {
    return ": the server requires credentials and none are configured for this repository";
  }
  return ": the server rejected the configured credentials" +
         (credentials.source.empty() ? std::string() : " from " + credentials.source);
}

std::string status_reason(long status) {
  if (status == 401 || status == 403) return "authentication failed (HTTP " + std::to_string(status) + ")";
  if (status == 404) return "not found (HTTP 404)";
  return "HTTP " + std::to_string(status);
}

}  // namespace

void check_chart_name(const std::string& chart, const std::string& subject) {
  if (chart.empty() || chart == "." || chart == ".." || chart.find_first_of("/\\") != std::string::npos ||
      chart.find('\0') != std::string::npos) {
    throw HelmRepositoryError(subject + ": \"" + chart + "\" is not a chart name");
  }
}

std::vector<ChartEntry> chart_entries(std::string_view index_yaml, const std::string& chart, const std::string& subject) {
  const auto block = entries_block(index_yaml, chart);
  try {
    if (!block.empty()) {
      const Json parsed = core::parse_yaml(block);
      return entries_from(parsed.value(chart, Json()), chart, subject);
    }
    // Not laid out as helm writes it (or the chart is not there): read the whole index.
    const Json index = core::parse_yaml(index_yaml);
    if (!index.is_object() || !index.contains("entries")) {
      throw HelmRepositoryError(subject + ": index.yaml has no entries: not a Helm chart repository");
    }
    const auto& entries = index["entries"];
    if (!entries.is_object() || !entries.contains(chart)) return {};
    return entries_from(entries[chart], chart, subject);
  } catch (const core::YamlError& e) {
    throw HelmRepositoryError(subject + ": index.yaml: " + e.what());
  }
}

ChartEntry pick_chart_version(const std::vector<ChartEntry>& entries, const std::string& chart,
                              const std::string& constraint_text, const std::string& subject) {
  if (entries.empty()) throw HelmRepositoryError(subject + ": the repository has no chart \"" + chart + "\"");
  VersionConstraint constraint;
  try {
    constraint = VersionConstraint::parse(constraint_text);
  } catch (const core::Error& e) {
    throw HelmRepositoryError(subject + ": targetRevision: " + e.what());
  }
  std::vector<std::string> versions;
  for (const auto& entry : entries) versions.push_back(entry.version);
  const auto best = highest_match(constraint, versions);
  if (!best) {
    std::vector<ChartVersion> known;
    for (const auto& v : versions) {
      if (auto parsed = ChartVersion::parse(v)) known.push_back(*parsed);
    }
    std::sort(known.begin(), known.end(), [](const auto& a, const auto& b) { return compare(a, b) > 0; });
    std::string newest;
    for (std::size_t i = 0; i < std::min<std::size_t>(known.size(), 3); ++i) {
      newest += (i == 0 ? "" : ", ") + known[i].text;
    }
    throw HelmRepositoryError(subject + ": no version of chart \"" + chart + "\" matches \"" + constraint_text +
                              "\" (newest: " + newest + ")");
  }
  for (const auto& entry : entries) {
    if (entry.version == *best) return entry;
  }
  return entries.front();  // not reached: best is one of them
}

std::map<std::string, std::vector<ChartEntry>> HelmRepositories::index(const Repository& repository,
                                                                       const std::set<std::string>& charts) {
  const std::string subject = "Helm repository " + redact_url(repository.url);
  for (const auto& chart : charts) check_chart_name(chart, subject);  // the caller leaves bad names out
  HttpFetchOptions options{.max_bytes = kMaxIndexBytes};
  {
    std::lock_guard lock(mutex_);
    const auto cached = indexes_.find(repository.url);
    if (cached != indexes_.end() && cached->second.charts == charts) options.if_none_match = cached->second.etag;
  }
  std::string url = repository.url;
  if (url.empty() || url.back() != '/') url += '/';
  HttpFetchResult fetched;
  try {
    fetched = http_fetch(url + "index.yaml", repository.credentials, options);
  } catch (const core::EnvironmentError& e) {
    throw HelmRepositoryError(subject + ": " + e.what());
  }
  std::lock_guard lock(mutex_);
  ++downloads_;
  if (fetched.status == 304 && !options.if_none_match.empty()) return indexes_[repository.url].entries;
  if (fetched.status != 200) {
    throw HelmRepositoryError(subject + ": index.yaml: " + status_reason(fetched.status) +
                              ((fetched.status == 401 || fetched.status == 403) ? credentials_hint(repository) : ""));
  }
  std::map<std::string, std::vector<ChartEntry>> entries;
  for (const auto& chart : charts) entries[chart] = chart_entries(fetched.body, chart, subject);
  indexes_[repository.url] = CachedIndex{.etag = fetched.etag, .charts = charts, .entries = entries};
  return entries;
}

fs::path HelmRepositories::chart(const Repository& repository, const std::string& chart, const ChartEntry& entry) {
  const std::string subject = "Helm repository " + redact_url(repository.url) + ", chart " + chart + " " + entry.version;
  check_chart_name(chart, subject);
  if (!ChartVersion::parse(entry.version)) throw HelmRepositoryError(subject + ": not a chart version");
  const fs::path repo_dir = cache_dir_ / sha256_hex(repository.url).substr(0, 16);
  const fs::path unpacked = repo_dir / (chart + "-" + entry.version);
  const fs::path chart_dir = unpacked / chart;
  const fs::path stamp = unpacked / ".digest";
  // A finished unpack has its stamp (written last); one for another digest (the archive was replaced) is redone.
  {
    std::ifstream in(stamp);
    std::string digest;
    if (in && std::getline(in, digest) && digest == entry.digest && fs::is_directory(chart_dir)) return chart_dir;
  }
  if (entry.urls.empty()) throw HelmRepositoryError(subject + ": the index gives no URL for it");
  const std::string url = resolve_url(repository.url, entry.urls.front());
  HttpFetchResult fetched;
  try {
    fetched = http_fetch(url, repository.credentials,
                         {.max_bytes = kMaxChartBytes, .send_credentials = host_of(url) == host_of(repository.url)});
  } catch (const core::EnvironmentError& e) {
    throw HelmRepositoryError(subject + ": " + e.what());
  }
  {
    std::lock_guard lock(mutex_);
    ++downloads_;
  }
  if (fetched.status != 200) {
    throw HelmRepositoryError(subject + ": GET " + redact_url(url) + ": " + status_reason(fetched.status) +
                              ((fetched.status == 401 || fetched.status == 403) ? credentials_hint(repository) : ""));
  }
  if (!entry.digest.empty() && sha256_hex(fetched.body) != entry.digest) {
    throw HelmRepositoryError(subject + ": the archive's sha256 is not the index's digest " + entry.digest);
  }
  // Unpacked into a fresh folder, then renamed into place: a half-written chart is never rendered.
  std::error_code ec;
  fs::create_directories(repo_dir, ec);
  const fs::path staging = repo_dir / (".unpack-" + std::to_string(::getpid()) + "-" + chart + "-" + entry.version);
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) throw HelmRepositoryError(subject + ": cannot write the cache " + repo_dir.string() + ": " + ec.message());
  const fs::path archive = staging / "chart.tgz";
  {
    std::ofstream out(archive, std::ios::binary);
    out.write(fetched.body.data(), static_cast<std::streamsize>(fetched.body.size()));
    if (!out) throw HelmRepositoryError(subject + ": cannot write " + archive.string());
  }
  // GNU tar refuses members with ".." and strips leading "/", so nothing lands outside the staging folder.
  const auto result = core::run_subprocess(
      {"tar", "-xzf", archive.string(), "-C", staging.string(), "--no-same-owner", "--no-same-permissions"},
      {.timeout = std::chrono::seconds(60)});
  fs::remove(archive, ec);
  if (!result.ok()) {
    fs::remove_all(staging, ec);
    throw HelmRepositoryError(subject + ": the archive could not be unpacked: " + result.describe_outcome() + ": " +
                              result.stderr_data.substr(0, 300));
  }
  if (!fs::is_regular_file(staging / chart / "Chart.yaml")) {
    fs::remove_all(staging, ec);
    throw HelmRepositoryError(subject + ": the archive holds no " + chart + "/Chart.yaml");
  }
  std::ofstream(staging / ".digest") << entry.digest << "\n";
  fs::remove_all(unpacked, ec);
  fs::rename(staging, unpacked, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    throw HelmRepositoryError(subject + ": cannot write the cache " + unpacked.string());
  }
  return chart_dir;
}

std::size_t HelmRepositories::downloads() const {
  std::lock_guard lock(mutex_);
  return downloads_;
}

}  // namespace gitmoor::engine
