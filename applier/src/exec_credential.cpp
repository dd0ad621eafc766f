// Exec credential plugins; see exec_credential.hpp.
#include "gitmoor/applier/exec_credential.hpp"

#include <ctime>
#include <iomanip>
#include <sstream>

#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/yaml.hpp"

namespace gitmoor::applier {

namespace {

// RFC 3339 `2026-01-02T03:04:05Z` (fractions and offsets other than Z are rare in plugins and treated as Z).
std::optional<std::chrono::system_clock::time_point> parse_time(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits (until 2262): a later expiry means "does not expire".
  if (tm.tm_year + 1900 >= 2262) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

ExecCredential parse_exec_credential(const std::string& text, const std::string& command) {
  core::Json doc;
  try {
    doc = core::Json::parse(text);
  } catch (const std::exception&) {
    throw KubeconfigError("exec plugin " + command + ": output is not JSON");
  }
  if (!doc.is_object() || doc.value("kind", "") != "ExecCredential" || !doc.contains("status") ||
      !doc["status"].is_object()) {
    throw KubeconfigError("exec plugin " + command + ": output is not an ExecCredential with a status");
  }
  const auto& status = doc["status"];
  ExecCredential out;
  out.token = status.value("token", "");
  out.client_cert_pem = status.value("clientCertificateData", "");
  out.client_key_pem = status.value("clientKeyData", "");
  if (status.contains("expirationTimestamp") && status["expirationTimestamp"].is_string()) {
    out.expires = parse_time(status["expirationTimestamp"].get<std::string>());
  }
  if (out.token.empty() && out.client_cert_pem.empty()) {
    throw KubeconfigError("exec plugin " + command + ": ExecCredential has neither token nor client certificate");
  }
  return out;
}

ExecCredential ExecCredentialCache::get(bool refresh) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::system_clock::now();
  // Renew a little early so a request in flight does not carry a credential that expires on the way.
  if (!refresh && cached_ && (!cached_->expires || *cached_->expires - std::chrono::seconds(10) > now)) {
    return *cached_;
  }
  cached_ = run();
  return *cached_;
}

int ExecCredentialCache::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

ExecCredential ExecCredentialCache::run() {
  ++runs_;
  std::vector<std::string> argv{config_.command};
  argv.insert(argv.end(), config_.args.begin(), config_.args.end());
  core::SubprocessOptions options;
  options.environment = config_.env;
  const std::string api_version = config_.api_version.empty() ? "client.authentication.k8s.io/v1" : config_.api_version;
  options.environment["KUBERNETES_EXEC_INFO"] =
      core::Json{{"apiVersion", api_version}, {"kind", "ExecCredential"}, {"spec", {{"interactive", false}}}}.dump();
  options.timeout = std::chrono::seconds(60);
  options.max_stdout = 1u << 20;
  const auto result = core::run_subprocess(argv, options);
  if (!result.ok()) {
    throw KubeconfigError("exec plugin " + config_.command + ": " + result.describe_outcome() +
                          (result.stderr_data.empty() ? "" : ": " + result.stderr_data.substr(0, 500)));
  }
  return parse_exec_credential(result.stdout_data, config_.command);
}

}  // namespace gitmoor::applier
