#include "server/protobuf_decoder.h"

#include <cstdint>
#include <map>

#include "ossvp/common/base64.h"
#include "ossvp/common/rfc3339.h"

namespace ossvp::kubesim {
namespace {

using json = nlohmann::json;

enum class T { Str, Bytes, Int, Bool, Msg, MapStr, MapBytes, Time };

struct Field {
  const char* name;
  T type;
  bool repeated = false;
  const char* msg = nullptr;
};

using Message = std::map<int, Field>;

const std::map<std::string, Message>& schemas() {
  static const std::map<std::string, Message> m = {
      {"ObjectMeta",
       {{1, {"name", T::Str}},
        {2, {"generateName", T::Str}},
        {3, {"namespace", T::Str}},
        {5, {"uid", T::Str}},
        {6, {"resourceVersion", T::Str}},
        {7, {"generation", T::Int}},
        {8, {"creationTimestamp", T::Time}},
        {9, {"deletionTimestamp", T::Time}},
        {10, {"deletionGracePeriodSeconds", T::Int}},
        {11, {"labels", T::MapStr}},
        {12, {"annotations", T::MapStr}},
        {13, {"ownerReferences", T::Msg, true, "OwnerReference"}},
        {14, {"finalizers", T::Str, true}}}},
      {"OwnerReference",
       {{1, {"kind", T::Str}},
        {3, {"name", T::Str}},
        {4, {"uid", T::Str}},
        {5, {"apiVersion", T::Str}},
        {6, {"controller", T::Bool}},
        {7, {"blockOwnerDeletion", T::Bool}}}},
      {"Namespace", {{1, {"metadata", T::Msg, false, "ObjectMeta"}}, {2, {"spec", T::Msg, false, "NamespaceSpec"}}}},
      {"NamespaceSpec", {{1, {"finalizers", T::Str, true}}}},
      {"ConfigMap",
       {{1, {"metadata", T::Msg, false, "ObjectMeta"}},
        {2, {"data", T::MapStr}},
        {3, {"binaryData", T::MapBytes}},
        {4, {"immutable", T::Bool}}}},
      {"Secret",
       {{1, {"metadata", T::Msg, false, "ObjectMeta"}},
        {2, {"data", T::MapBytes}},
        {3, {"type", T::Str}},
        {4, {"stringData", T::MapStr}},
        {5, {"immutable", T::Bool}}}},
      {"ServiceAccount",
       {{1, {"metadata", T::Msg, false, "ObjectMeta"}},
        {2, {"secrets", T::Msg, true, "ObjectReference"}},
        {3, {"imagePullSecrets", T::Msg, true, "LocalObjectReference"}},
        {4, {"automountServiceAccountToken", T::Bool}}}},
      {"ObjectReference",
       {{1, {"kind", T::Str}},
        {2, {"namespace", T::Str}},
        {3, {"name", T::Str}},
        {4, {"uid", T::Str}},
        {5, {"apiVersion", T::Str}},
        {6, {"resourceVersion", T::Str}},
        {7, {"fieldPath", T::Str}}}},
      {"LocalObjectReference", {{1, {"name", T::Str}}}},
      {"TokenRequest",
       {{1, {"metadata", T::Msg, false, "ObjectMeta"}}, {2, {"spec", T::Msg, false, "TokenRequestSpec"}}}},
      {"TokenRequestSpec",
       {{1, {"audiences", T::Str, true}},
        {3, {"boundObjectRef", T::Msg, false, "BoundObjectReference"}},
        {4, {"expirationSeconds", T::Int}}}},
      {"BoundObjectReference",
       {{1, {"kind", T::Str}}, {2, {"apiVersion", T::Str}}, {3, {"name", T::Str}}, {4, {"uid", T::Str}}}},
      {"Role", {{1, {"metadata", T::Msg, false, "ObjectMeta"}}, {2, {"rules", T::Msg, true, "PolicyRule"}}}},
      {"ClusterRole", {{1, {"metadata", T::Msg, false, "ObjectMeta"}}, {2, {"rules", T::Msg, true, "PolicyRule"}}}},
      {"PolicyRule",
       {{1, {"verbs", T::Str, true}},
        {2, {"apiGroups", T::Str, true}},
        {3, {"resources", T::Str, true}},
        {4, {"resourceNames", T::Str, true}},
        {5, {"nonResourceURLs", T::Str, true}}}},
      {"RoleBinding",
       {{1, {"metadata", T::Msg, false, "ObjectMeta"}},
        {2, {"subjects", T::Msg, true, "Subject"}},
        {3, {"roleRef", T::Msg, false, "RoleRef"}}}},
      {"ClusterRoleBinding",
       {{1, {"metadata", T::Msg, false, "ObjectMeta"}},
        {2, {"subjects", T::Msg, true, "Subject"}},
        {3, {"roleRef", T::Msg, false, "RoleRef"}}}},
      {"Subject",
       {{1, {"kind", T::Str}}, {2, {"apiGroup", T::Str}}, {3, {"name", T::Str}}, {4, {"namespace", T::Str}}}},
      {"RoleRef", {{1, {"apiGroup", T::Str}}, {2, {"kind", T::Str}}, {3, {"name", T::Str}}}},
      {"Time", {{1, {"seconds", T::Int}}, {2, {"nanos", T::Int}}}},
      {"Unknown", {{1, {"typeMeta", T::Msg, false, "TypeMeta"}}, {2, {"raw", T::Bytes}}}},
      {"TypeMeta", {{1, {"apiVersion", T::Str}}, {2, {"kind", T::Str}}}},
  };
  return m;
}

struct Reader {
  const std::string& s;
  size_t pos;
  size_t end;
  bool ok = true;

  uint64_t varint() {
    uint64_t v = 0;
    int shift = 0;
    while (pos < end && shift < 64) {
      uint8_t b = static_cast<uint8_t>(s[pos++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7;
    }
    ok = false;
    return 0;
  }
  std::string bytes() {
    uint64_t n = varint();
    if (!ok || pos > end || n > end - pos) {  // not pos + n > end: a huge n wraps around
      ok = false;
      return "";
    }
    std::string out = s.substr(pos, n);
    pos += n;
    return out;
  }
  void skip(int wire) {
    if (wire == 0)
      varint();
    else if (wire == 1)
      pos += 8;
    else if (wire == 2)
      bytes();
    else if (wire == 5)
      pos += 4;
    else
      ok = false;
  }
};

json decodeMessage(const std::string& data, const std::string& type, bool* ok);

std::string timeString(const std::string& data, bool* ok) {
  json t = decodeMessage(data, "Time", ok);
  return formatRfc3339(t.value("seconds", int64_t{0}));
}

std::pair<std::string, std::string> mapEntry(const std::string& data, bool* ok) {
  Reader r{data, 0, data.size()};
  std::string k, v;
  while (r.ok && r.pos < r.end) {
    uint64_t tag = r.varint();
    int field = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    if (wire == 2 && field == 1)
      k = r.bytes();
    else if (wire == 2 && field == 2)
      v = r.bytes();
    else
      r.skip(wire);
  }
  if (!r.ok) *ok = false;
  return {k, v};
}

json decodeMessage(const std::string& data, const std::string& type, bool* ok) {
  auto sit = schemas().find(type);
  if (sit == schemas().end()) {
    *ok = false;
    return json();
  }
  const Message& msg = sit->second;
  json out = json::object();
  Reader r{data, 0, data.size()};
  while (r.ok && r.pos < r.end) {
    uint64_t tag = r.varint();
    int num = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
    auto fit = msg.find(num);
    if (fit == msg.end()) {
      r.skip(wire);
      continue;
    }
    const Field& f = fit->second;
    json value;
    switch (f.type) {
      case T::Int: value = static_cast<int64_t>(r.varint()); break;
      case T::Bool: value = r.varint() != 0; break;
      case T::Str: value = r.bytes(); break;
      case T::Bytes: value = base64Encode(r.bytes()); break;
      case T::Time: value = timeString(r.bytes(), ok); break;
      case T::Msg: value = decodeMessage(r.bytes(), f.msg, ok); break;
      case T::MapStr:
      case T::MapBytes: {
        auto [k, v] = mapEntry(r.bytes(), ok);
        if (!out.contains(f.name)) out[f.name] = json::object();
        out[f.name][k] = f.type == T::MapBytes ? base64Encode(v) : v;
        continue;
      }
    }
    bool zero = (f.type == T::Str && value.get<std::string>().empty()) || (f.type == T::Int && value == 0) ||
                (f.type == T::Time && value == "1970-01-01T00:00:00Z");
    if (zero && !f.repeated) continue;
    if (f.repeated) {
      if (!out.contains(f.name)) out[f.name] = json::array();
      out[f.name].push_back(value);
    } else {
      out[f.name] = value;
    }
  }
  if (!r.ok) *ok = false;
  return out;
}

}  // namespace

ApiResult<json> decodeKubernetesProtobuf(const std::string& body) {
  static const std::string magic("k8s\0", 4);
  if (body.compare(0, 4, magic) != 0) return errBadRequest("protobuf body without the k8s magic prefix");
  bool ok = true;
  json unknown = decodeMessage(body.substr(4), "Unknown", &ok);
  std::string kind = unknown.contains("typeMeta") ? unknown["typeMeta"].value("kind", "") : "";
  std::string apiVersion = unknown.contains("typeMeta") ? unknown["typeMeta"].value("apiVersion", "") : "";
  if (!ok || !unknown.contains("raw")) return errBadRequest("malformed protobuf request body");
  // raw was base64-encoded by the Bytes decoder; decode it back.
  std::string raw = base64Decode(unknown["raw"].get<std::string>()).value_or(std::string());
  if (!schemas().count(kind) || kind == "Unknown" || kind == "TypeMeta" || kind == "Time") {
    return errUnsupportedMediaType(
        "the body of the request was in an unknown format - accepted media types include: application/json, "
        "application/yaml (kube-sim decodes protobuf only for "
        "Namespace, ConfigMap, Secret, ServiceAccount, TokenRequest and RBAC kinds)");
  }
  json obj = decodeMessage(raw, kind, &ok);
  if (!ok) return errBadRequest("malformed protobuf " + kind);
  obj["apiVersion"] = apiVersion;
  obj["kind"] = kind;
  return obj;
}

}  // namespace ossvp::kubesim
