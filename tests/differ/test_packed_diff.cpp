// diff_packed (the engine's entry point over packed objects) against diff_resource (the reference): the same result
// on every golden pair, and a quick "in sync" only where the full diff agrees — also on thousands of mutations of
// the pairs (a value changed, a field removed or renamed, a list element dropped or doubled, on either side,
// managedFields included), which is where a shortcut would go wrong.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "diff_cases.hpp"
#include "gitmoor/core/packed.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/ignore.hpp"

using namespace gitmoor;
using core::Json;

namespace {

differ::DiffOptions options_of(const test::DiffCase& c) {
  differ::DiffOptions options;
  if (c.expected.contains("ignoreDifferences")) {
    options.ignore_rules = differ::parse_ignore_rules(c.expected["ignoreDifferences"]);
  }
  return options;
}

std::vector<std::string> changes_of(const differ::ResourceDiff& diff) {
  std::vector<std::string> out;
  for (const auto& change : diff.changes) out.push_back(std::string(differ::to_string(change.op)) + " " + change.path);
  return out;
}

struct Pair {
  const core::Object* desired = nullptr;
  const core::Object* live = nullptr;
};

// Desired and live objects matched by key, as diff_app matches them.
std::vector<Pair> pairs_of(const std::vector<core::Object>& desired, const std::vector<core::Object>& live) {
  std::map<core::ResourceKey, Pair> by_key;
  for (const auto& o : desired) by_key[o.key()].desired = &o;
  for (const auto& o : live) by_key[o.key()].live = &o;
  std::vector<Pair> out;
  for (const auto& [key, pair] : by_key) out.push_back(pair);
  return out;
}

differ::ResourceDiff packed_diff(const core::Object* desired, const core::Object* live,
                                 const differ::DiffOptions& options, const std::vector<core::ResourceKey>& targets) {
  std::vector<std::uint8_t> d = desired ? core::pack(desired->json()) : std::vector<std::uint8_t>{};
  std::vector<std::uint8_t> l = live ? core::pack(live->json()) : std::vector<std::uint8_t>{};
  differ::PackedResource pd{desired ? desired->key() : core::ResourceKey{}, d};
  differ::PackedResource pl{live ? live->key() : core::ResourceKey{}, l};
  return differ::diff_packed(desired ? &pd : nullptr, live ? &pl : nullptr, options, targets);
}

bool quick_in_sync(const Json& desired, const Json& live, const core::ResourceKey& key,
                   const differ::DiffOptions& options) {
  const auto d = core::pack(desired);
  const auto l = core::pack(live);
  return differ::packed_in_sync({key, d}, {key, l}, options);
}

// Every single-step mutation of `root`: at each object member, the value changed (scalars), removed, or renamed;
// at each list element, removed or doubled.
std::vector<Json> mutations_of(const Json& root) {
  std::vector<Json> out;
  std::function<void(Json::json_pointer)> visit = [&](const Json::json_pointer& at) {
    const Json& node = root.at(at);
    auto with = [&](const std::function<void(Json&)>& edit) {
      Json copy = root;
      edit(copy);
      out.push_back(std::move(copy));
    };
    if (node.is_object()) {
      for (const auto& [key, value] : node.items()) {
        const auto child = at / key;
        with([&](Json& j) { j.at(at).erase(key); });
        with([&](Json& j) {
          Json moved = j.at(child);
          j.at(at).erase(key);
          j.at(at)[key + "z"] = std::move(moved);
        });
        visit(child);
      }
    } else if (node.is_array()) {
      for (std::size_t i = 0; i < node.size(); ++i) {
        with([&](Json& j) { j.at(at).erase(i); });
        with([&](Json& j) { j.at(at).push_back(j.at(at)[i]); });
        visit(at / i);
      }
    } else {
      with([&](Json& j) {
        Json& v = j.at(at);
        if (v.is_string()) {
          v = v.get<std::string>() + "x";
        } else if (v.is_boolean()) {
          v = !v.get<bool>();
        } else if (v.is_number_integer()) {
          v = v.get<std::int64_t>() + 1;
        } else if (v.is_number_float()) {
          v = v.get<double>() + 0.5;
        } else {
          v = "x";
        }
      });
    }
  };
  visit(Json::json_pointer());
  return out;
}

}  // namespace

TEST_CASE("diff_packed gives diff_resource's result on every golden pair", "[differ][packed]") {
  const auto cases = test::diff_cases();
  REQUIRE(cases.size() >= 40);
  std::size_t quick = 0;
  std::vector<std::string> quick_cases;
  for (const auto& c : cases) {
    INFO("case " << c.name);
    const auto desired = test::objects_in(c.dir / "desired.yaml");
    const auto live = test::objects_in(c.dir / "live.yaml");
    const auto options = options_of(c);
    std::vector<const core::Object*> all;
    for (const auto& o : desired) all.push_back(&o);
    for (const auto& o : live) all.push_back(&o);
    const auto targets = differ::hpa_targets(all);
    for (const auto& pair : pairs_of(desired, live)) {
      const auto reference = differ::diff_resource(pair.desired, pair.live, options, targets);
      const auto packed = packed_diff(pair.desired, pair.live, options, targets);
      INFO("resource " << reference.key.to_string());
      // With the decoded objects given (as the engine gives its desired ones), the same result without decoding.
      {
        const auto d = pair.desired ? core::pack(pair.desired->json()) : std::vector<std::uint8_t>{};
        const auto l = pair.live ? core::pack(pair.live->json()) : std::vector<std::uint8_t>{};
        const differ::PackedResource pd{reference.key, d, pair.desired}, pl{reference.key, l, pair.live};
        const auto given = differ::diff_packed(pair.desired ? &pd : nullptr, pair.live ? &pl : nullptr, options, targets);
        CHECK(given.status == reference.status);
        CHECK(changes_of(given) == changes_of(reference));
      }
      CHECK(packed.key == reference.key);
      CHECK(packed.status == reference.status);
      CHECK(changes_of(packed) == changes_of(reference));
      CHECK(packed.predicted == reference.predicted);
      if (pair.desired && pair.live &&
          quick_in_sync(pair.desired->json(), pair.live->json(), pair.desired->key(), options)) {
        CHECK(reference.status == differ::SyncStatus::Synced);
        ++quick;
        quick_cases.push_back(c.name);
      }
    }
  }
  // The quick check is what makes the engine fast: it must decide the ordinary in-sync objects itself, defaults
  // and managedFields included, not fall back to the full diff for them.
  INFO("decided by the quick check: " << Catch::Detail::stringify(quick_cases));
  for (const char* name : {"deployment-realistic", "deployment-defaults", "statefulset-defaults", "daemonset-defaults",
                           "service-defaults", "job-defaults", "cronjob-defaults", "ingress-defaults",
                           "configmap-unchanged", "container-port-protocol-default",
                           "label-added-by-other", "env-added-by-other"}) {
    INFO("expected the quick check to decide " << name);
    CHECK(std::find(quick_cases.begin(), quick_cases.end(), name) != quick_cases.end());
  }
  CHECK(quick >= 12);
}

TEST_CASE("the quick check says in sync only where the full diff does, on mutations of every golden pair",
          "[differ][packed]") {
  std::size_t mutations = 0, quick = 0;
  for (const auto& c : test::diff_cases()) {
    const auto desired = test::objects_in(c.dir / "desired.yaml");
    const auto live = test::objects_in(c.dir / "live.yaml");
    const auto options = options_of(c);
    for (const auto& pair : pairs_of(desired, live)) {
      if (pair.desired == nullptr || pair.live == nullptr) continue;
      const auto key = pair.desired->key();
      auto check = [&](const Json& d, const Json& l) {
        ++mutations;
        if (!quick_in_sync(d, l, key, options)) return;
        ++quick;
        const core::Object desired_object(d), live_object(l);
        const auto reference = differ::diff_resource(&desired_object, &live_object, options);
        if (reference.status != differ::SyncStatus::Synced) {
          FAIL_CHECK("case " << c.name << ": quick check said in sync, the full diff says "
                             << differ::to_string(reference.status) << " " << Catch::Detail::stringify(changes_of(reference))
                             << "\ndesired: " << d.dump() << "\nlive: " << l.dump());
        }
      };
      for (const auto& mutated : mutations_of(pair.desired->json())) check(mutated, pair.live->json());
      for (const auto& mutated : mutations_of(pair.live->json())) check(pair.desired->json(), mutated);
    }
  }
  INFO(mutations << " mutations, " << quick << " decided in sync by the quick check");
  CHECK(mutations > 10000);
  CHECK(quick > 1000);  // harmless mutations (another manager's field changed) are decided quickly too
}

TEST_CASE("the quick check is not sure about equal values spelt differently, and the full diff decides",
          "[differ][packed]") {
  const auto desired = test::object_of(R"(
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: game}
spec:
  containers:
  - name: app
    image: app:1
    resources: {limits: {cpu: "0.5"}}
)");
  auto live = desired;
  live.json()["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "500m";
  CHECK_FALSE(quick_in_sync(desired.json(), live.json(), desired.key(), {}));
  CHECK(packed_diff(&desired, &live, {}, {}).status == differ::SyncStatus::Synced);

  live = desired;
  live.json()["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "600m";
  CHECK(packed_diff(&desired, &live, {}, {}).status == differ::SyncStatus::OutOfSync);

}

TEST_CASE("the quick check does not trust keys out of order", "[differ][packed]") {
  // pack() writes keys sorted; a buffer that is not (corrupted, or written by something else) must not make the
  // merge of desired and live skip a field.
  const auto desired = test::object_of(R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: game}
data: {a: "1", b: "2"}
)");
  const auto d = core::pack(desired.json());
  auto l = core::pack(desired.json());
  CHECK(differ::packed_in_sync({desired.key(), d}, {desired.key(), l}, {}));
  // Swap the entries a: "1" and b: "2" (6 bytes each: string8 key, string8 value) in the live buffer.
  const std::vector<std::uint8_t> entries{core::packed_tag::kString8, 1, 'a', core::packed_tag::kString8, 1, '1',
                                          core::packed_tag::kString8, 1, 'b', core::packed_tag::kString8, 1, '2'};
  auto at = std::search(l.begin(), l.end(), entries.begin(), entries.end());
  REQUIRE(at != l.end());
  std::rotate(at, at + 6, at + 12);
  CHECK(core::unpack(l)["data"] == desired.json()["data"]);  // the same object, keys out of order
  CHECK_FALSE(differ::packed_in_sync({desired.key(), d}, {desired.key(), l}, {}));
  const differ::PackedResource pd{desired.key(), d}, pl{desired.key(), l};
  CHECK(differ::diff_packed(&pd, &pl).status == differ::SyncStatus::Synced);  // the full diff decides
  // The case a one-pass merge could get wrong: an empty desired value whose live field the merge skipped. Desired
  // a: "" against live a: "x" is drift, whatever the order.
  auto empty_a = desired;
  empty_a.json()["data"]["a"] = "";
  const auto e = core::pack(empty_a.json());
  auto drifted = core::pack(desired.json());  // live a: "1", b: "2"
  at = std::search(drifted.begin(), drifted.end(), entries.begin(), entries.end());
  REQUIRE(at != drifted.end());
  std::rotate(at, at + 6, at + 12);  // b: "2" before a: "1"
  CHECK_FALSE(differ::packed_in_sync({desired.key(), e}, {desired.key(), drifted}, {}));
  const differ::PackedResource pe{desired.key(), e}, pdrift{desired.key(), drifted};
  CHECK(differ::diff_packed(&pe, &pdrift).status == differ::SyncStatus::OutOfSync);
}
