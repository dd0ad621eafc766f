// The CLI's config file; see client_config.hpp.
#include "client_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/core/yaml.hpp"

namespace gitmoor::cli {

using core::Json;

namespace {

std::string text_field(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json* named(const Json& list, const char* key, const std::string& value) {
  if (!list.is_array()) return nullptr;
  for (const auto& item : list) {
    if (item.is_object() && text_field(item, key) == value) return &item;
  }
  return nullptr;
}

}  // namespace

const ClientContext* ClientConfig::find(const std::string& name) const {
  for (const auto& c : contexts) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

void ClientConfig::upsert(ClientContext context) {
  for (auto& c : contexts) {
    if (c.name == context.name) {
      c = std::move(context);
      return;
    }
  }
  contexts.push_back(std::move(context));
}

bool ClientConfig::remove(const std::string& name) {
  const auto before = contexts.size();
  std::erase_if(contexts, [&](const ClientContext& c) { return c.name == name; });
  if (current_context == name) current_context.clear();
  return contexts.size() != before;
}

ClientConfig ClientConfig::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  const Json doc = core::parse_yaml(text.str(), {.file = path.string()});
  ClientConfig config;
  if (doc.is_null()) return config;
  if (!doc.is_object()) throw core::InvalidInput("config " + path.string() + ": not a mapping");
  config.current_context = text_field(doc, "current-context");
  const Json servers = doc.value("servers", Json::array());
  const Json users = doc.value("users", Json::array());
  for (const auto& item : doc.value("contexts", Json::array())) {
    if (!item.is_object()) continue;
    ClientContext c;
    c.name = text_field(item, "name");
    c.server = text_field(item, "server");
    c.user = text_field(item, "user");
    if (c.name.empty() || c.server.empty()) {
      throw core::InvalidInput("config " + path.string() + ": a context needs a name and a server");
    }
    if (const Json* s = named(servers, "server", c.server)) {
      c.insecure = s->value("insecure", false);
      c.ca_file = text_field(*s, "ca-file");
    }
    if (const Json* u = named(users, "name", c.user.empty() ? c.name : c.user)) {
      c.auth_token = text_field(*u, "auth-token");
    }
    config.contexts.push_back(std::move(c));
  }
  return config;
}

void ClientConfig::save(const std::filesystem::path& path) const {
  Json contexts_json = Json::array();
  Json servers = Json::array();
  Json users = Json::array();
  for (const auto& c : contexts) {
    // argocd keys users by name; a context's user entry is its own (the account name may repeat across servers).
    contexts_json.push_back({{"name", c.name}, {"server", c.server}, {"user", c.name}});
    Json server = {{"server", c.server}};
    if (c.insecure) server["insecure"] = true;
    if (!c.ca_file.empty()) server["ca-file"] = c.ca_file;
    if (named(servers, "server", c.server) == nullptr) servers.push_back(std::move(server));
    Json user = {{"name", c.name}, {"auth-token", c.auth_token}};
    if (!c.user.empty()) user["username"] = c.user;
    users.push_back(std::move(user));
  }
  const Json doc = {{"contexts", contexts_json},
                    {"current-context", current_context},
                    {"servers", servers},
                    {"users", users}};
  const std::string text = core::to_yaml(doc);

  const auto dir = path.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    const bool existed = std::filesystem::exists(dir, ec);
    std::filesystem::create_directories(dir, ec);
    if (ec) throw core::EnvironmentError("config " + path.string() + ": cannot create " + dir.string() + ": " + ec.message());
    if (!existed) ::chmod(dir.c_str(), 0700);
  }
  // Written 0600 from the first byte: the tokens are never readable by others, not even briefly.
  const auto temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw core::EnvironmentError("config " + path.string() + ": cannot write: " + std::strerror(errno));
  ::fchmod(fd, 0600);
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      throw core::EnvironmentError("config " + path.string() + ": cannot write: " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw core::EnvironmentError("config " + path.string() + ": cannot replace: " + reason);
  }
}

std::filesystem::path default_config_path(
    const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  if (auto xdg = getenv("XDG_CONFIG_HOME")) return std::filesystem::path(*xdg) / "gitmoor" / "config";
  if (auto home = getenv("HOME")) return std::filesystem::path(*home) / ".config" / "gitmoor" / "config";
  throw core::InvalidInput("config: neither XDG_CONFIG_HOME nor HOME is set (use --config)");
}

std::string context_name_for(const std::string& server) {
  std::string name = server;
  if (const auto sep = name.find("://"); sep != std::string::npos) name = name.substr(sep + 3);
  while (!name.empty() && name.back() == '/') name.pop_back();
  return name;
}

Connection resolve_connection(const ClientFlags& flags, const ClientConfig& config,
                              const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  const ClientContext* context = nullptr;
  if (!flags.context.empty()) {
    context = config.find(flags.context);
    if (context == nullptr) throw core::InvalidInput("context " + flags.context + ": not in the config (gitmoor login)");
  } else {
    context = config.current();
  }
  Connection out;
  if (!flags.server.empty()) {
    out.server = flags.server;
  } else if (auto env = getenv("GITMOOR_SERVER")) {
    out.server = *env;
  } else if (context != nullptr) {
    out.server = context->server;
  } else {
    throw core::InvalidInput("server: none given (gitmoor login SERVER, --server, or GITMOOR_SERVER)");
  }
  // A context's token and TLS options belong to its server only: another server never sees that token.
  const auto same_server = [&](const ClientContext& c) {
    return context_name_for(c.server) == context_name_for(out.server);
  };
  const ClientContext* matching = context != nullptr && same_server(*context) ? context : nullptr;
  if (matching == nullptr && (!flags.server.empty() || getenv("GITMOOR_SERVER"))) {
    for (const auto& c : config.contexts) {
      if (same_server(c)) {
        matching = &c;
        break;
      }
    }
  }
  if (matching != nullptr && context_name_for(matching->server) == context_name_for(out.server) &&
      out.server.find("://") == std::string::npos) {
    out.server = matching->server;  // keeps the scheme the login used
  }
  if (!flags.auth_token.empty()) {
    out.auth_token = flags.auth_token;
  } else if (auto env = getenv("GITMOOR_AUTH_TOKEN")) {
    out.auth_token = *env;
  } else if (matching != nullptr) {
    out.auth_token = matching->auth_token;
  }
  out.insecure = flags.insecure || (matching != nullptr && matching->insecure);
  out.ca_file = !flags.ca_file.empty() ? flags.ca_file : matching != nullptr ? matching->ca_file : std::string();
  return out;
}

std::optional<std::string> environment_variable(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace gitmoor::cli
