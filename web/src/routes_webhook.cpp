// POST /api/webhook: GitHub's push and ping events (Argo CD's path). Public: the HMAC signature over the body,
// keyed by the secret in gitmoor-secret, is the authentication. A push refreshes the apps it reaches (the engine
// polls their repository once, off this thread) and the answer names them: {"refreshed": ["app-a"]}.
// Each delivery counts in gitmoor_webhook_requests_total{event,result}: event is push, ping or other (any other or no
// X-GitHub-Event); result is accepted (a push that refreshed at least one app), ignored (signed, but nothing to do:
// a ping, a push reaching no app, an event other than push and ping), rejected (refused before it was trusted: no
// secret configured, a missing or wrong signature, a body over the limit) or error (signed, but not a push payload
// gitmoor can read).
#include <atomic>
#include <chrono>

#include "api_routes.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/core/metrics.hpp"
#include "responses.hpp"
#include "webhook_payload.hpp"
#include "webhook_signature.hpp"

namespace gitmoor::web {

namespace {

std::string header(const Request& request, std::string_view name) {
  const auto value = request[beast_view(name)];
  return std::string(value.data(), value.size());
}

// "no secret configured" is logged at most once a minute: a misconfigured hook retrying must not flood the log.
void warn_no_secret() {
  static std::atomic<std::int64_t> last{0};
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now().time_since_epoch()).count();
  auto previous = last.load();
  if (previous != 0 && now - previous < 60) return;
  if (!last.compare_exchange_strong(previous, now)) return;
  core::logger("web")->warn("webhook refused: no GitHub webhook secret is configured (Secret gitmoor-secret, key "
                            "webhook.github.secret); every webhook is refused until one is set");
}

enum class WebhookResult { Accepted, Ignored, Rejected, Error };

void count_webhook(const std::string& event, WebhookResult result) {
  static auto& requests = core::metrics::registry().counter(
      "gitmoor_webhook_requests_total",
      "Webhook deliveries, by event (push, ping, other) and result (accepted, ignored, rejected, error).",
      {"event", "result"});
  static constexpr const char* kResults[] = {"accepted", "ignored", "rejected", "error"};
  const std::string kind = event == "push" || event == "ping" ? event : std::string("other");
  requests.labels({kind, kResults[static_cast<int>(result)]}).inc();
}

Reply handle_webhook(RequestContext& context, engine::Operations& operations, const WebhookOptions& options,
                     WebhookResult& result) {
  const auto& request = context.request;
  result = WebhookResult::Rejected;
  const auto& body = request.body();
  if (body.size() > options.max_body_bytes) {
    return error_response(request, http::status::payload_too_large,
                          "webhook processing failed: the payload is " + std::to_string(body.size()) +
                              " bytes, more than the limit of " + std::to_string(options.max_body_bytes) +
                              " bytes (--webhook-max-payload-size)");
  }
  const std::string secret = options.github_secret ? options.github_secret() : std::string();
  if (secret.empty()) {
    warn_no_secret();
    return error_response(request, http::status::forbidden,
                          "webhook refused: no webhook secret is configured (Secret gitmoor-secret, key "
                          "webhook.github.secret)");
  }
  const std::string signature = header(request, "X-Hub-Signature-256");
  if (signature.empty()) {
    return error_response(request, http::status::bad_request,
                          "webhook refused: the X-Hub-Signature-256 header is missing (GitHub sends it when the "
                          "hook has a secret)");
  }
  if (!github_signature_valid(secret, body, signature)) {
    core::logger("web")->warn("webhook refused from {}: X-Hub-Signature-256 does not match the body",
                              context.connection.peer_address.empty() ? "?" : context.connection.peer_address);
    return error_response(request, http::status::bad_request,
                          "webhook refused: X-Hub-Signature-256 does not match the body and the configured secret");
  }

  const std::string event = header(request, "X-GitHub-Event");
  result = WebhookResult::Ignored;
  if (event == "ping") return json_response(request, http::status::ok, {{"msg", "pong"}});
  if (event != "push") {
    return error_response(request, http::status::bad_request,
                          event.empty() ? std::string("webhook refused: the X-GitHub-Event header is missing")
                                        : "webhook refused: unsupported X-GitHub-Event \"" + event +
                                              "\" (push and ping are)");
  }
  engine::GitPush push;
  try {
    push = parse_github_push(webhook_json(body, header(request, "Content-Type")));
  } catch (const core::InvalidInput& e) {
    result = WebhookResult::Error;
    return error_response(request, http::status::bad_request, std::string("webhook: ") + e.what());
  }
  const auto refreshed = operations.refresh_for_push(push);
  result = refreshed.empty() ? WebhookResult::Ignored : WebhookResult::Accepted;
  return json_response(request, http::status::ok, {{"refreshed", refreshed}});
}

}  // namespace

void add_webhook_routes(Router& router, ApiServices& services) {
  auto& operations = services.operations;
  // A copy: the route must not point into `services`, which may move with the Api that holds it.
  router.add(http::verb::post, "/api/webhook", Access::Public,
             [&operations, options = services.webhook](RequestContext& context) {
    auto result = WebhookResult::Error;  // an exception escaping the handler: the router answers 500
    try {
      auto reply = handle_webhook(context, operations, options, result);
      count_webhook(header(context.request, "X-GitHub-Event"), result);
      return reply;
    } catch (...) {
      count_webhook(header(context.request, "X-GitHub-Event"), WebhookResult::Error);
      throw;
    }
  });
}

}  // namespace gitmoor::web
