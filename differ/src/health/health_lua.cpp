// User health rules in Lua (Debian's liblua5.4). Every call gets a fresh Lua state: nothing leaks between calls or
// objects, and a state that ran out of budget is simply closed.
//
// Lua reports errors with longjmp, which skips C++ destructors: everything that can raise a Lua error runs inside a
// protected call, in functions whose locals are trivially destructible; C++ strings are made only afterwards.
#include "gitmoor/differ/health_lua.hpp"

#include <fnmatch.h>

#include <cstdlib>
#include <memory>
#include <lua.hpp>

namespace gitmoor::differ {

namespace {

constexpr int kHookEvery = 1000;          // instructions between two budget checks
constexpr lua_Integer kMaxRepeat = 1'000'000;  // string.rep loops in C, out of the hook's sight

struct CallBudget {
  std::size_t memory_used = 0;
  std::size_t memory_limit = 0;
  std::uint64_t instructions = 0;
  std::uint64_t instruction_limit = 0;
  bool memory_refused = false;
  bool cpu_exceeded = false;
};

CallBudget& budget_of(lua_State* L) { return **static_cast<CallBudget**>(lua_getextraspace(L)); }

// The memory budget: an allocator that refuses to grow past the limit (Lua turns that into a memory error).
void* budgeted_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* budget = static_cast<CallBudget*>(ud);
  const std::size_t old = ptr != nullptr ? osize : 0;  // for a new block, osize is the kind of object
  if (nsize == 0) {
    std::free(ptr);
    budget->memory_used -= old;
    return nullptr;
  }
  if (nsize > old && budget->memory_used + (nsize - old) > budget->memory_limit) {
    budget->memory_refused = true;
    return nullptr;
  }
  void* grown = std::realloc(ptr, nsize);
  if (grown == nullptr) return nullptr;
  budget->memory_used = budget->memory_used - old + nsize;
  return grown;
}

// The CPU budget. Once spent, the hook fires at every instruction, so a script that catches the error with pcall
// fails again at its next instruction and the error reaches the top.
void count_hook(lua_State* L, lua_Debug*) {
  auto& budget = budget_of(L);
  budget.instructions += budget.cpu_exceeded ? 1 : kHookEvery;
  if (budget.instructions > budget.instruction_limit) {
    if (!budget.cpu_exceeded) {
      budget.cpu_exceeded = true;
      lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    }
    luaL_error(L, "CPU budget of %I instructions exceeded", static_cast<lua_Integer>(budget.instruction_limit));
  }
}

void push_json(lua_State* L, const core::Json& value) {
  luaL_checkstack(L, 3, "object too deep");
  switch (value.type()) {
    case core::Json::value_t::object: {
      lua_createtable(L, 0, static_cast<int>(value.size()));
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (it.value().is_null()) continue;  // as nil: absent
        const std::string& key = it.key();
        lua_pushlstring(L, key.data(), key.size());
        push_json(L, it.value());
        lua_rawset(L, -3);
      }
      return;
    }
    case core::Json::value_t::array: {
      lua_createtable(L, static_cast<int>(value.size()), 0);
      lua_Integer index = 1;
      for (const auto& item : value) {
        push_json(L, item);
        lua_rawseti(L, -2, index++);
      }
      return;
    }
    case core::Json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      lua_pushlstring(L, text.data(), text.size());
      return;
    }
    case core::Json::value_t::boolean: lua_pushboolean(L, value.get<bool>() ? 1 : 0); return;
    case core::Json::value_t::number_integer: lua_pushinteger(L, value.get<std::int64_t>()); return;
    case core::Json::value_t::number_unsigned:
      lua_pushinteger(L, static_cast<lua_Integer>(value.get<std::uint64_t>()));
      return;
    case core::Json::value_t::number_float: lua_pushnumber(L, value.get<double>()); return;
    default: lua_pushnil(L); return;
  }
}

int checked_rep(lua_State* L) {
  if (luaL_checkinteger(L, 2) > kMaxRepeat) return luaL_error(L, "string.rep count above %I", kMaxRepeat);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

int table_length(lua_State* L) {  // Lua 5.1's table.getn, which Argo CD's scripts (gopher-lua) still use
  lua_pushinteger(L, luaL_len(L, 1));
  return 1;
}

void drop_field(lua_State* L, const char* table, const char* field) {
  if (lua_getglobal(L, table) == LUA_TTABLE) {
    lua_pushnil(L);
    lua_setfield(L, -2, field);
  }
  lua_pop(L, 1);
}

// Protected: opens the libraries a rule may use and sets `obj`. No io, no package/require, no loading of code,
// no debug; os keeps only its clocks (as Argo CD's "safe os").
int prepare(lua_State* L) {
  const auto* object = static_cast<const core::Json*>(lua_touserdata(L, 1));
  const std::pair<const char*, lua_CFunction> libraries[] = {
      {LUA_GNAME, luaopen_base},     {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
      {LUA_MATHLIBNAME, luaopen_math}, {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_OSLIBNAME, luaopen_os},
  };
  for (const auto& [name, open] : libraries) {
    luaL_requiref(L, name, open, 1);
    lua_pop(L, 1);
  }
  for (const char* name : {"dofile", "loadfile", "load", "require", "collectgarbage", "print"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  for (const char* name : {"execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale"}) {
    drop_field(L, LUA_OSLIBNAME, name);
  }
  drop_field(L, LUA_STRLIBNAME, "dump");
  drop_field(L, LUA_TABLIBNAME, "move");  // loops in C over any index range, out of the hook's sight
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_getfield(L, -1, "rep");
  lua_pushcclosure(L, checked_rep, 1);
  lua_setfield(L, -2, "rep");
  lua_pop(L, 1);
  lua_getglobal(L, LUA_TABLIBNAME);
  lua_pushcfunction(L, table_length);
  lua_setfield(L, -2, "getn");
  lua_getfield(L, -1, "unpack");
  lua_setglobal(L, "unpack");
  lua_pop(L, 1);
  push_json(L, *object);
  lua_setglobal(L, "obj");
  return 0;
}

// The text of the error on top of the stack, without raising another error.
std::string error_text(lua_State* L) {
  if (lua_type(L, -1) == LUA_TSTRING) {
    std::size_t length = 0;
    const char* text = lua_tolstring(L, -1, &length);
    return std::string(text, length);
  }
  return "the script raised a " + std::string(lua_typename(L, lua_type(L, -1))) + " value";
}

// A string field of the table on top, read raw (no metamethod can run), or nullopt.
std::optional<std::string> raw_string(lua_State* L, const char* field) {
  lua_pushstring(L, field);
  lua_rawget(L, -2);
  std::optional<std::string> out;
  if (lua_type(L, -1) == LUA_TSTRING) {
    std::size_t length = 0;
    const char* text = lua_tolstring(L, -1, &length);
    out = std::string(text, length);
  }
  lua_pop(L, 1);
  return out;
}

// "cert-manager.io/Certificate": what an error message names.
std::string subject_of(const core::Json& object) {
  const auto api_version = object.value("apiVersion", std::string());
  const auto slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? std::string() : api_version.substr(0, slash);
  return (group.empty() ? "" : group + "/") + object.value("kind", std::string());
}

struct StateCloser {
  void operator()(lua_State* L) const { lua_close(L); }
};

}  // namespace

Health run_lua_health(std::string_view script, const core::Json& object, const LuaBudget& limits) {
  const auto unknown = [&object](const std::string& why) {
    return Health{HealthStatus::Unknown, "health rule for " + subject_of(object) + ": " + why};
  };
  CallBudget budget;
  budget.memory_limit = limits.memory_bytes;
  budget.instruction_limit = limits.instructions;
  std::unique_ptr<lua_State, StateCloser> state(lua_newstate(budgeted_alloc, &budget));
  if (!state) return unknown("could not start Lua within the memory budget");
  lua_State* L = state.get();
  *static_cast<CallBudget**>(lua_getextraspace(L)) = &budget;

  lua_pushcfunction(L, prepare);
  lua_pushlightuserdata(L, const_cast<core::Json*>(&object));
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    budget.memory_limit = static_cast<std::size_t>(-1);
    if (budget.memory_refused) return unknown("the object does not fit the memory budget of " + std::to_string(limits.memory_bytes) + " bytes");
    return unknown(error_text(L));
  }
  // Text only: precompiled bytecode can crash the VM.
  if (luaL_loadbufferx(L, script.data(), script.size(), "=health", "t") != LUA_OK) {
    budget.memory_limit = static_cast<std::size_t>(-1);
    return unknown("syntax: " + error_text(L));
  }
  lua_sethook(L, count_hook, LUA_MASKCOUNT, kHookEvery);
  const int status = lua_pcall(L, 0, 1, 0);
  lua_sethook(L, nullptr, 0, 0);
  // The script is done: reading its result must not hit the memory budget (an error there would abort).
  budget.memory_limit = static_cast<std::size_t>(-1);
  if (status != LUA_OK) {
    if (budget.cpu_exceeded) {
      return unknown("CPU budget of " + std::to_string(limits.instructions) + " instructions exceeded");
    }
    if (status == LUA_ERRMEM || budget.memory_refused) {
      return unknown("memory budget of " + std::to_string(limits.memory_bytes) + " bytes exceeded");
    }
    return unknown(error_text(L));
  }
  if (lua_type(L, -1) != LUA_TTABLE) return unknown("the script returned no table (it must return hs)");
  const auto status_text = raw_string(L, "status");
  if (!status_text) return unknown("hs.status is not set");
  const auto health_status = parse_health_status(*status_text);
  if (!health_status) return unknown("'" + *status_text + "' is not a health status");
  return {*health_status, raw_string(L, "message").value_or("")};
}

const LuaHealthRules& no_lua_health_rules() {
  static const LuaHealthRules none;
  return none;
}

LuaHealthRules LuaHealthRules::from_config_map(const std::map<std::string, std::string>& data, LuaBudget budget) {
  LuaHealthRules rules(budget);
  for (const auto& [key, script] : data) {
    if (key.size() > kLuaHealthKeyPrefix.size() && key.compare(0, kLuaHealthKeyPrefix.size(), kLuaHealthKeyPrefix) == 0) {
      rules.set(std::string_view(key).substr(kLuaHealthKeyPrefix.size()), script);
    }
  }
  return rules;
}

void LuaHealthRules::set(std::string_view group_kind, std::string script) {
  // Kinds have no underscore and groups are DNS names, so the last underscore separates them.
  const auto split = group_kind.rfind('_');
  std::string group = split == std::string_view::npos ? std::string() : std::string(group_kind.substr(0, split));
  std::string kind(split == std::string_view::npos ? group_kind : group_kind.substr(split + 1));
  scripts_[{std::move(group), std::move(kind)}] = std::move(script);
}

const std::string* LuaHealthRules::script_for(const std::string& group, const std::string& kind) const {
  if (auto exact = scripts_.find({group, kind}); exact != scripts_.end()) return &exact->second;
  for (const auto& [key, script] : scripts_) {
    if (fnmatch(key.first.c_str(), group.c_str(), 0) == 0 && fnmatch(key.second.c_str(), kind.c_str(), 0) == 0) {
      return &script;
    }
  }
  return nullptr;
}

std::optional<Health> LuaHealthRules::assess(const core::Object& live) const {
  const auto gvk = live.gvk();
  const std::string* script = script_for(gvk.group, gvk.kind);
  if (script == nullptr) return std::nullopt;
  return run_lua_health(*script, live.json(), budget_);
}

}  // namespace gitmoor::differ
