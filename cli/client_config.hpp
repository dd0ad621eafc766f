#pragma once
// Where `gitmoor login` keeps its servers and tokens, in the layout of argocd's ~/.config/argocd/config: contexts
// naming a server and a user, the servers (URL, TLS options), the users (auth tokens) and the current context.
// The file holds tokens, so it is written 0600 in a 0700 directory, and replaced atomically.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace gitmoor::cli {

// One login: a server and the token it gave.
struct ClientContext {
  std::string name;    // defaults to the server's host:port
  std::string server;  // base URL, e.g. https://gitmoor.example.com or http://127.0.0.1:8080
  std::string user;    // who logged in (informational)
  std::string auth_token;
  bool insecure = false;  // skip TLS verification
  std::string ca_file;
};

struct ClientConfig {
  std::string current_context;
  std::vector<ClientContext> contexts;

  [[nodiscard]] const ClientContext* find(const std::string& name) const;
  [[nodiscard]] const ClientContext* current() const { return find(current_context); }
  // Adds or replaces the context of that name.
  void upsert(ClientContext context);
  // Removes a context; the current context is cleared when it was that one. False when there was none.
  bool remove(const std::string& name);

  // A missing file is an empty config; a malformed one throws core::InvalidInput naming the file.
  static ClientConfig load(const std::filesystem::path& path);
  // Creates the directory (0700) and writes the file (0600) through a temporary file and a rename.
  void save(const std::filesystem::path& path) const;
};

// $XDG_CONFIG_HOME/gitmoor/config, else $HOME/.config/gitmoor/config.
std::filesystem::path default_config_path(const std::function<std::optional<std::string>(const std::string&)>& getenv);

// A context's default name: the server URL without its scheme and trailing slash ("127.0.0.1:8080").
std::string context_name_for(const std::string& server);

// The connection flags every client command accepts.
struct ClientFlags {
  std::string server;      // --server
  std::string auth_token;  // --auth-token
  bool insecure = false;   // --insecure
  std::string ca_file;     // --ca-file
  std::string context;     // --context
  std::string config;      // --config (default: default_config_path)
};

struct Connection {
  std::string server;
  std::string auth_token;
  bool insecure = false;
  std::string ca_file;
};

// Which server and token to use: a flag beats the environment (GITMOOR_SERVER, GITMOOR_AUTH_TOKEN, for CI), which
// beats the config's context (--context, else current-context). The token of the config is only used with its own
// server. Throws core::InvalidInput when no server is known.
Connection resolve_connection(const ClientFlags& flags, const ClientConfig& config,
                              const std::function<std::optional<std::string>(const std::string&)>& getenv);

// getenv as a function object (empty values count as unset).
std::optional<std::string> environment_variable(const std::string& name);

}  // namespace gitmoor::cli
