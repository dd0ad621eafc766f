#include "protobuf.hpp"

#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "defaults.hpp"
#include "timestamps.hpp"

namespace gitmoor::sandbox {

namespace {

enum class T { String, Bytes, Int, Bool, Message, MapString, MapBytes, MapQuantity, Time, IntOrString, Quantity };

struct Field {
  int number;
  const char* name;
  T type;
  const char* message = nullptr;  // for Message
  bool repeated = false;
};

using Schema = std::vector<Field>;

const std::map<std::string, Schema>& schemas() {
  static const std::map<std::string, Schema> table = {
      {"ObjectMeta",
       {{1, "name", T::String},
        {2, "generateName", T::String},
        {3, "namespace", T::String},
        {5, "uid", T::String},
        {6, "resourceVersion", T::String},
        {7, "generation", T::Int},
        {8, "creationTimestamp", T::Time},
        {11, "labels", T::MapString},
        {12, "annotations", T::MapString},
        {13, "ownerReferences", T::Message, "OwnerReference", true},
        {14, "finalizers", T::String, nullptr, true}}},
      {"OwnerReference",
       {{5, "apiVersion", T::String},
        {1, "kind", T::String},
        {3, "name", T::String},
        {4, "uid", T::String},
        {6, "controller", T::Bool},
        {7, "blockOwnerDeletion", T::Bool}}},
      {"Namespace", {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "NamespaceSpec"}}},
      {"NamespaceSpec", {{1, "finalizers", T::String, nullptr, true}}},
      {"ConfigMap",
       {{1, "metadata", T::Message, "ObjectMeta"},
        {2, "data", T::MapString},
        {3, "binaryData", T::MapBytes},
        {4, "immutable", T::Bool}}},
      {"Secret",
       {{1, "metadata", T::Message, "ObjectMeta"},
        {2, "data", T::MapBytes},
        {3, "type", T::String},
        {4, "stringData", T::MapString},
        {5, "immutable", T::Bool}}},
      {"ServiceAccount",
       {{1, "metadata", T::Message, "ObjectMeta"},
        {3, "imagePullSecrets", T::Message, "LocalObjectReference", true},
        {4, "automountServiceAccountToken", T::Bool}}},
      {"LocalObjectReference", {{1, "name", T::String}}},
      // `kubectl create token` and `kubectl auth can-i` (authentication.k8s.io/v1, authorization.k8s.io/v1).
      {"TokenRequest", {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "TokenRequestSpec"}}},
      {"TokenRequestSpec",
       {{1, "audiences", T::String, nullptr, true},
        {3, "boundObjectRef", T::Message, "BoundObjectReference"},
        {4, "expirationSeconds", T::Int}}},
      {"BoundObjectReference",
       {{1, "kind", T::String}, {2, "apiVersion", T::String}, {3, "name", T::String}, {4, "uid", T::String}}},
      {"SelfSubjectAccessReview",
       {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "SelfSubjectAccessReviewSpec"}}},
      {"SelfSubjectAccessReviewSpec",
       {{1, "resourceAttributes", T::Message, "ResourceAttributes"},
        {2, "nonResourceAttributes", T::Message, "NonResourceAttributes"}}},
      {"SubjectAccessReview",
       {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "SubjectAccessReviewSpec"}}},
      {"LocalSubjectAccessReview",
       {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "SubjectAccessReviewSpec"}}},
      {"SubjectAccessReviewSpec",
       {{1, "resourceAttributes", T::Message, "ResourceAttributes"},
        {2, "nonResourceAttributes", T::Message, "NonResourceAttributes"},
        {3, "user", T::String},
        {4, "groups", T::String, nullptr, true},
        {6, "uid", T::String}}},
      {"ResourceAttributes",
       {{1, "namespace", T::String},
        {2, "verb", T::String},
        {3, "group", T::String},
        {4, "version", T::String},
        {5, "resource", T::String},
        {6, "subresource", T::String},
        {7, "name", T::String}}},
      {"NonResourceAttributes", {{1, "path", T::String}, {2, "verb", T::String}}},
      {"SelfSubjectRulesReview",
       {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "SelfSubjectRulesReviewSpec"}}},
      {"SelfSubjectRulesReviewSpec", {{1, "namespace", T::String}}},
      {"SelfSubjectReview", {{1, "metadata", T::Message, "ObjectMeta"}}},
      {"Deployment", {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "DeploymentSpec"}}},
      {"DeploymentSpec",
       {{1, "replicas", T::Int},
        {2, "selector", T::Message, "LabelSelector"},
        {3, "template", T::Message, "PodTemplateSpec"},
        {4, "strategy", T::Message, "DeploymentStrategy"},
        {5, "minReadySeconds", T::Int},
        {6, "revisionHistoryLimit", T::Int},
        {7, "paused", T::Bool},
        {9, "progressDeadlineSeconds", T::Int}}},
      {"DeploymentStrategy", {{1, "type", T::String}}},
      {"LabelSelector",
       {{1, "matchLabels", T::MapString}, {2, "matchExpressions", T::Message, "LabelSelectorRequirement", true}}},
      {"LabelSelectorRequirement",
       {{1, "key", T::String}, {2, "operator", T::String}, {3, "values", T::String, nullptr, true}}},
      {"PodTemplateSpec", {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "PodSpec"}}},
      {"PodSpec",
       {{2, "containers", T::Message, "Container", true},
        {20, "initContainers", T::Message, "Container", true},
        {3, "restartPolicy", T::String},
        {4, "terminationGracePeriodSeconds", T::Int},
        {6, "dnsPolicy", T::String},
        {7, "nodeSelector", T::MapString},
        {8, "serviceAccountName", T::String},
        {15, "imagePullSecrets", T::Message, "LocalObjectReference", true},
        {19, "schedulerName", T::String}}},
      {"Container",
       {{1, "name", T::String},
        {2, "image", T::String},
        {3, "command", T::String, nullptr, true},
        {4, "args", T::String, nullptr, true},
        {5, "workingDir", T::String},
        {6, "ports", T::Message, "ContainerPort", true},
        {7, "env", T::Message, "EnvVar", true},
        {8, "resources", T::Message, "ResourceRequirements"},
        {13, "terminationMessagePath", T::String},
        {14, "imagePullPolicy", T::String},
        {20, "terminationMessagePolicy", T::String}}},
      {"ContainerPort",
       {{1, "name", T::String}, {2, "hostPort", T::Int}, {3, "containerPort", T::Int}, {4, "protocol", T::String}}},
      {"EnvVar", {{1, "name", T::String}, {2, "value", T::String}}},
      {"ResourceRequirements", {{1, "limits", T::MapQuantity}, {2, "requests", T::MapQuantity}}},
      {"Service", {{1, "metadata", T::Message, "ObjectMeta"}, {2, "spec", T::Message, "ServiceSpec"}}},
      {"ServiceSpec",
       {{1, "ports", T::Message, "ServicePort", true},
        {2, "selector", T::MapString},
        {3, "clusterIP", T::String},
        {4, "type", T::String},
        {7, "sessionAffinity", T::String},
        {10, "externalName", T::String}}},
      {"ServicePort",
       {{1, "name", T::String},
        {2, "protocol", T::String},
        {3, "port", T::Int},
        {4, "targetPort", T::IntOrString},
        {5, "nodePort", T::Int}}},
  };
  return table;
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }
  bool varint(std::uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      auto b = static_cast<unsigned char>(data_[pos_++]);
      out |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool bytes(std::string_view& out) {
    std::uint64_t n;
    if (!varint(n) || n > data_.size() - pos_) return false;
    out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool skip(int wire) {
    std::uint64_t v;
    std::string_view s;
    switch (wire) {
      case 0: return varint(v);
      case 1: return advance(8);
      case 2: return bytes(s);
      case 5: return advance(4);
      default: return false;
    }
  }

 private:
  bool advance(std::size_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }
  std::string_view data_;
  std::size_t pos_ = 0;
};

bool decode_message(std::string_view data, const std::string& type, Json& out, int depth);

bool decode_map_entry(std::string_view data, std::string& key, std::string_view& value) {
  Reader r(data);
  while (!r.done()) {
    std::uint64_t tag;
    if (!r.varint(tag)) return false;
    int field = static_cast<int>(tag >> 3);
    int wire = static_cast<int>(tag & 7);
    if (wire == 2 && (field == 1 || field == 2)) {
      std::string_view s;
      if (!r.bytes(s)) return false;
      if (field == 1) key = std::string(s);
      else value = s;
    } else if (!r.skip(wire)) {
      return false;
    }
  }
  return true;
}

std::string time_string(std::int64_t seconds) {
  return format_rfc3339(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(seconds)));
}

bool decode_message(std::string_view data, const std::string& type, Json& out, int depth) {
  if (depth > 32) return false;
  auto schema = schemas().find(type);
  if (schema == schemas().end()) return false;
  out = Json::object();
  Reader r(data);
  while (!r.done()) {
    std::uint64_t tag;
    if (!r.varint(tag)) return false;
    int number = static_cast<int>(tag >> 3);
    int wire = static_cast<int>(tag & 7);
    const Field* field = nullptr;
    for (const auto& f : schema->second) {
      if (f.number == number) field = &f;
    }
    if (!field) {
      if (!r.skip(wire)) return false;
      continue;
    }
    Json value;
    if (wire == 0) {
      std::uint64_t v;
      if (!r.varint(v)) return false;
      if (field->type == T::Bool) {
        if (v == 0) continue;  // false is omitted, like omitempty
        value = true;
      } else {
        value = static_cast<std::int64_t>(v);
        if (field->type == T::Int && v == 0 && !field->repeated) {
          // Zero of a non-pointer int is indistinguishable from unset; pointers (replicas) are kept.
          std::string name = field->name;
          if (name != "replicas" && name != "terminationGracePeriodSeconds") continue;
        }
      }
    } else if (wire == 2) {
      std::string_view s;
      if (!r.bytes(s)) return false;
      switch (field->type) {
        case T::String:
          if (s.empty() && !field->repeated) continue;
          value = std::string(s);
          break;
        case T::Bytes:
          value = base64_encode(std::string(s));
          break;
        case T::Message:
          if (!decode_message(s, field->message, value, depth + 1)) return false;
          break;
        case T::Time: {
          Reader tr(s);
          std::int64_t seconds = 0;
          while (!tr.done()) {
            std::uint64_t ttag, v;
            if (!tr.varint(ttag)) return false;
            if ((ttag & 7) == 0) {
              if (!tr.varint(v)) return false;
              if ((ttag >> 3) == 1) seconds = static_cast<std::int64_t>(v);
            } else if (!tr.skip(static_cast<int>(ttag & 7))) {
              return false;
            }
          }
          if (seconds == 0) continue;
          value = time_string(seconds);
          break;
        }
        case T::MapString:
        case T::MapBytes:
        case T::MapQuantity: {
          std::string key;
          std::string_view v;
          if (!decode_map_entry(s, key, v)) return false;
          Json& map = out[field->name];
          if (!map.is_object()) map = Json::object();
          if (field->type == T::MapString) {
            map[key] = std::string(v);
          } else if (field->type == T::MapBytes) {
            map[key] = base64_encode(std::string(v));
          } else {
            std::string key2;
            std::string_view q;
            if (!decode_map_entry(v, key2, q)) return false;  // Quantity{string = 1}
            map[key] = std::string(key2);
          }
          continue;
        }
        case T::IntOrString: {
          Reader ir(s);
          std::int64_t kind = 0;
          std::int64_t int_val = 0;
          std::string str_val;
          while (!ir.done()) {
            std::uint64_t itag;
            if (!ir.varint(itag)) return false;
            if ((itag & 7) == 0) {
              std::uint64_t v;
              if (!ir.varint(v)) return false;
              if ((itag >> 3) == 1) kind = static_cast<std::int64_t>(v);
              if ((itag >> 3) == 2) int_val = static_cast<std::int64_t>(v);
            } else if ((itag & 7) == 2) {
              std::string_view sv;
              if (!ir.bytes(sv)) return false;
              if ((itag >> 3) == 3) str_val = std::string(sv);
            } else if (!ir.skip(static_cast<int>(itag & 7))) {
              return false;
            }
          }
          if (kind == 0 && int_val == 0) continue;
          value = kind == 1 ? Json(str_val) : Json(int_val);
          break;
        }
        default:
          continue;
      }
    } else {
      if (!r.skip(wire)) return false;
      continue;
    }
    if (field->repeated) {
      Json& list = out[field->name];
      if (!list.is_array()) list = Json::array();
      list.push_back(std::move(value));
    } else {
      out[field->name] = std::move(value);
    }
  }
  return true;
}

}  // namespace

std::optional<Json> decode_protobuf_object(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) return std::nullopt;
  Reader r(body.substr(4));
  std::string api_version, kind;
  std::string_view raw;
  while (!r.done()) {
    std::uint64_t tag;
    if (!r.varint(tag)) return std::nullopt;
    int field = static_cast<int>(tag >> 3);
    int wire = static_cast<int>(tag & 7);
    if (wire != 2) {
      if (!r.skip(wire)) return std::nullopt;
      continue;
    }
    std::string_view s;
    if (!r.bytes(s)) return std::nullopt;
    if (field == 1) {
      Reader tm(s);
      while (!tm.done()) {
        std::uint64_t t;
        std::string_view v;
        if (!tm.varint(t) || (t & 7) != 2 || !tm.bytes(v)) return std::nullopt;
        if ((t >> 3) == 1) api_version = std::string(v);
        if ((t >> 3) == 2) kind = std::string(v);
      }
    } else if (field == 2) {
      raw = s;
    }
  }
  Json object;
  if (kind.empty() || !decode_message(raw, kind, object, 0)) return std::nullopt;
  object["apiVersion"] = api_version;
  object["kind"] = kind;
  return object;
}

}  // namespace gitmoor::sandbox
