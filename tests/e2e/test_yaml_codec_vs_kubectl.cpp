// The foundation's YAML codec checked against the real client: each fixture goes through kubectl (apply
// --server-side, then get -o json) and through core::parse_manifests, and every field the codec produced must
// come back from the server with the same JSON value and type (the server only adds defaults and metadata).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "gitmoor/core/yaml.hpp"
#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Paths where `expected` (the codec) and `actual` (the server) disagree; the server may hold more.
void compare(const Json& expected, const Json& actual, const std::string& path, std::vector<std::string>& out) {
  if (expected.is_object()) {
    if (!actual.is_object()) {
      out.push_back(path + ": codec object, server " + actual.dump());
      return;
    }
    for (const auto& [k, v] : expected.items()) {
      if (!actual.contains(k)) {
        out.push_back(path + "." + k + ": missing on the server");
        continue;
      }
      compare(v, actual[k], path + "." + k, out);
    }
  } else if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      out.push_back(path + ": codec " + expected.dump() + ", server " + actual.dump());
      return;
    }
    for (std::size_t i = 0; i < expected.size(); ++i) compare(expected[i], actual[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    bool same_kind = (expected.is_number() && actual.is_number()) || expected.type() == actual.type();
    if (!same_kind || expected != actual) out.push_back(path + ": codec " + expected.dump() + ", server " + actual.dump());
  }
}

std::string resource_of(const gitmoor::core::Object& object) {
  auto gvk = object.gvk();
  return gvk.group.empty() ? gvk.kind : gvk.kind + "." + gvk.version + "." + gvk.group;
}

void check_fixture(KubectlEnv& env, const std::string& name) {
  auto path = gitmoor::test::source_dir() / "tests" / "e2e" / "codec" / name;
  auto applied = env.kubectl({"apply", "--server-side", "-f", path.string()});
  INFO(name << ": " << applied.stderr_data);
  REQUIRE(applied.exit_code == 0);
  auto objects = gitmoor::core::parse_manifests(read(path), {.file = name});
  REQUIRE_FALSE(objects.empty());
  for (const auto& object : objects) {
    Json server = env.json({"get", resource_of(object), object.name()});
    std::vector<std::string> differences;
    compare(object.json(), server, "", differences);
    INFO(name << " " << object.kind() << "/" << object.name());
    for (const auto& d : differences) INFO(d);
    CHECK(differences.empty());
  }
}

}  // namespace

TEST_CASE("YAML fixtures decode to the same JSON through kubectl and the gitmoor codec", "[e2e][codec]") {
  KubectlEnv env;
  check_fixture(env, "workloads.yaml");
  check_fixture(env, "scalars.yaml");
  REQUIRE(env.kubectl({"wait", "--for=condition=Established", "crd/probes.codec.gitmoor.dev", "--timeout=30s"})
              .exit_code == 0);
  check_fixture(env, "scalars-cr.yaml");
}
