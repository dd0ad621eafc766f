#pragma once
// API errors as the real server words them, and the Status objects they become.
#include <string>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

// Thrown inside the sandbox for any request that fails; handle() turns it into a Status response.
class ApiError : public std::exception {
 public:
  ApiError(int code, std::string reason, std::string message, Json details = nullptr)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)), details_(std::move(details)) {}
  [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }
  [[nodiscard]] int code() const { return code_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }
  [[nodiscard]] Json status() const;
  std::string retry_after;  // for 429

 private:
  int code_;
  std::string reason_;
  std::string message_;
  Json details_;
};

// `deployments.apps` / `configmaps`: how messages name a resource.
std::string qualified_resource(const std::string& group, const std::string& resource);

ApiError not_found(const std::string& group, const std::string& resource, const std::string& name);
ApiError already_exists(const std::string& group, const std::string& resource, const std::string& name);
ApiError conflict(const std::string& group, const std::string& resource, const std::string& name,
                  const std::string& why);
ApiError bad_request(const std::string& message);
// One field error: {"type":"FieldValueInvalid","message":...,"field":"metadata.name"}.
struct FieldError {
  std::string type;  // FieldValueInvalid, FieldValueRequired, FieldValueTooLong, ...
  std::string field;
  std::string message;  // full text: `metadata.name: Invalid value: "X": a lowercase RFC 1123 ...`
  std::string detail;
};
ApiError invalid(const std::string& group, const std::string& kind, const std::string& name,
                 const std::vector<FieldError>& errors);

Json success_status(const Json& details = nullptr);

}  // namespace gitmoor::sandbox
