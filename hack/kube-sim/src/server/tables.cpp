#include "server/tables.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <map>

#include "ossvp/common/rfc3339.h"

namespace ossvp::kubesim {
namespace {

using json = nlohmann::json;

struct Column {
  std::string name;
  std::string type;  // string | integer | number | boolean | date
  int priority;
  std::string format;
};

using RowFn = std::function<std::vector<json>(const json&)>;

std::string str(const json& obj, const std::string& path) {
  json v = evalJsonPath(obj, path);
  if (v.is_null()) return "";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string orNone(const std::string& s) { return s.empty() ? "<none>" : s; }

std::string joinModes(const json& modes) {
  static const std::map<std::string, std::string> abbrev = {
      {"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"}, {"ReadWriteOncePod", "RWOP"}};
  std::string out;
  if (!modes.is_array()) return out;
  for (const auto& m : modes) {
    if (!out.empty()) out += ",";
    auto it = abbrev.find(m.get<std::string>());
    out += it == abbrev.end() ? m.get<std::string>() : it->second;
  }
  return out;
}

std::string age(const json& obj) { return humanAge(str(obj, ".metadata.creationTimestamp")); }

std::vector<json> podCells(const json& p) {
  int total =
      p.contains("spec") && p["spec"].contains("containers") ? static_cast<int>(p["spec"]["containers"].size()) : 0;
  int ready = 0;
  int64_t restarts = 0;
  std::string reason = str(p, ".status.phase");
  if (!str(p, ".status.reason").empty()) reason = str(p, ".status.reason");
  const json statuses = evalJsonPath(p, ".status.containerStatuses");
  if (statuses.is_array()) {
    for (const auto& cs : statuses) {
      if (cs.value("ready", false)) ready++;
      restarts += cs.value("restartCount", int64_t{0});
      if (cs.contains("state")) {
        const json& st = cs["state"];
        if (st.contains("waiting") && !st["waiting"].value("reason", "").empty()) {
          reason = st["waiting"]["reason"];
        } else if (st.contains("terminated")) {
          std::string r = st["terminated"].value("reason", "");
          if (!r.empty()) reason = r;
        }
      }
    }
  }
  if (!str(p, ".metadata.deletionTimestamp").empty()) reason = "Terminating";
  if (reason.empty()) reason = "Pending";
  return {str(p, ".metadata.name"),
          std::to_string(ready) + "/" + std::to_string(total),
          reason,
          restarts,
          age(p),
          orNone(str(p, ".status.podIP")),
          orNone(str(p, ".spec.nodeName")),
          orNone(str(p, ".status.nominatedNodeName")),
          "<none>"};
}

struct Printer {
  std::vector<Column> columns;
  RowFn row;
};

const Printer* builtinPrinter(const ResourceInfo& info) {
  static const std::map<std::string, Printer> printers = {
      {"/namespaces",
       {{{"Name", "string", 0, "name"}, {"Status", "string", 0, ""}, {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          return {str(o, ".metadata.name"), str(o, ".status.phase"), age(o)};
        }}},
      {"/pods",
       {{{"Name", "string", 0, "name"},
         {"Ready", "string", 0, ""},
         {"Status", "string", 0, ""},
         {"Restarts", "string", 0, ""},
         {"Age", "string", 0, ""},
         {"IP", "string", 1, ""},
         {"Node", "string", 1, ""},
         {"Nominated Node", "string", 1, ""},
         {"Readiness Gates", "string", 1, ""}},
        podCells}},
      {"/persistentvolumeclaims",
       {{{"Name", "string", 0, "name"},
         {"Status", "string", 0, ""},
         {"Volume", "string", 0, ""},
         {"Capacity", "string", 0, ""},
         {"Access Modes", "string", 0, ""},
         {"StorageClass", "string", 0, ""},
         {"VolumeAttributesClass", "string", 0, ""},
         {"Age", "string", 0, ""},
         {"VolumeMode", "string", 1, ""}},
        [](const json& o) -> std::vector<json> {
          std::string phase = str(o, ".status.phase");
          if (!str(o, ".metadata.deletionTimestamp").empty()) phase = "Terminating";
          return {str(o, ".metadata.name"),
                  phase,
                  str(o, ".spec.volumeName"),
                  str(o, ".status.capacity.storage"),
                  joinModes(evalJsonPath(o, ".status.accessModes")),
                  orNone(str(o, ".spec.storageClassName")),
                  orNone(str(o, ".spec.volumeAttributesClassName")),
                  age(o),
                  str(o, ".spec.volumeMode").empty() ? "Filesystem" : str(o, ".spec.volumeMode")};
        }}},
      {"/persistentvolumes",
       {{{"Name", "string", 0, "name"},
         {"Capacity", "string", 0, ""},
         {"Access Modes", "string", 0, ""},
         {"Reclaim Policy", "string", 0, ""},
         {"Status", "string", 0, ""},
         {"Claim", "string", 0, ""},
         {"StorageClass", "string", 0, ""},
         {"VolumeAttributesClass", "string", 0, ""},
         {"Reason", "string", 0, ""},
         {"Age", "string", 0, ""},
         {"VolumeMode", "string", 1, ""}},
        [](const json& o) -> std::vector<json> {
          std::string claim;
          if (!str(o, ".spec.claimRef.name").empty())
            claim = str(o, ".spec.claimRef.namespace") + "/" + str(o, ".spec.claimRef.name");
          std::string phase = str(o, ".status.phase");
          if (!str(o, ".metadata.deletionTimestamp").empty()) phase = "Terminating";
          return {str(o, ".metadata.name"),
                  str(o, ".spec.capacity.storage"),
                  joinModes(evalJsonPath(o, ".spec.accessModes")),
                  str(o, ".spec.persistentVolumeReclaimPolicy"),
                  phase,
                  claim,
                  str(o, ".spec.storageClassName"),
                  orNone(str(o, ".spec.volumeAttributesClassName")),
                  str(o, ".status.reason"),
                  age(o),
                  str(o, ".spec.volumeMode").empty() ? "Filesystem" : str(o, ".spec.volumeMode")};
        }}},
      {"storage.k8s.io/storageclasses",
       {{{"Name", "string", 0, "name"},
         {"Provisioner", "string", 0, ""},
         {"ReclaimPolicy", "string", 0, ""},
         {"VolumeBindingMode", "string", 0, ""},
         {"AllowVolumeExpansion", "string", 0, ""},
         {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          std::string name = str(o, ".metadata.name");
          if (str(o, ".metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class") == "true")
            name += " (default)";
          std::string rp = str(o, ".reclaimPolicy");
          std::string bm = str(o, ".volumeBindingMode");
          std::string ave = str(o, ".allowVolumeExpansion");
          return {name,
                  str(o, ".provisioner"),
                  rp.empty() ? "Delete" : rp,
                  bm.empty() ? "Immediate" : bm,
                  ave.empty() ? "false" : ave,
                  age(o)};
        }}},
      {"/configmaps",
       {{{"Name", "string", 0, "name"}, {"Data", "integer", 0, ""}, {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          size_t n =
              (o.contains("data") ? o["data"].size() : 0) + (o.contains("binaryData") ? o["binaryData"].size() : 0);
          return {str(o, ".metadata.name"), n, age(o)};
        }}},
      {"/secrets",
       {{{"Name", "string", 0, "name"},
         {"Type", "string", 0, ""},
         {"Data", "integer", 0, ""},
         {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          size_t n =
              (o.contains("data") ? o["data"].size() : 0) + (o.contains("stringData") ? o["stringData"].size() : 0);
          return {str(o, ".metadata.name"), str(o, ".type"), n, age(o)};
        }}},
      {"/serviceaccounts",
       {{{"Name", "string", 0, "name"}, {"Secrets", "integer", 0, ""}, {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          return {str(o, ".metadata.name"), o.contains("secrets") ? o["secrets"].size() : 0, age(o)};
        }}},
      {"/events",
       {{{"Last Seen", "string", 0, ""},
         {"Type", "string", 0, ""},
         {"Reason", "string", 0, ""},
         {"Object", "string", 0, ""},
         {"Message", "string", 0, ""},
         {"Name", "string", 1, "name"}},
        [](const json& o) -> std::vector<json> {
          std::string last = str(o, ".lastTimestamp");
          if (last.empty()) last = str(o, ".series.lastObservedTime");
          if (last.empty()) last = str(o, ".eventTime");
          std::string kind = str(o, ".involvedObject.kind");
          for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          return {humanAge(last),     str(o, ".type"),
                  str(o, ".reason"),  kind + "/" + str(o, ".involvedObject.name"),
                  str(o, ".message"), str(o, ".metadata.name")};
        }}},
      {"/nodes",
       {{{"Name", "string", 0, "name"},
         {"Status", "string", 0, ""},
         {"Roles", "string", 0, ""},
         {"Age", "string", 0, ""},
         {"Version", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          std::string status = "Unknown";
          json conds = evalJsonPath(o, ".status.conditions");
          if (conds.is_array()) {
            for (const auto& c : conds) {
              if (c.value("type", "") == "Ready") status = c.value("status", "") == "True" ? "Ready" : "NotReady";
            }
          }
          if (str(o, ".spec.unschedulable") == "true") status += ",SchedulingDisabled";
          return {str(o, ".metadata.name"), status, "<none>", age(o), str(o, ".status.nodeInfo.kubeletVersion")};
        }}},
      {"apps/deployments",
       {{{"Name", "string", 0, "name"},
         {"Ready", "string", 0, ""},
         {"Up-to-date", "integer", 0, ""},
         {"Available", "integer", 0, ""},
         {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          json spec = evalJsonPath(o, ".spec.replicas");
          int64_t want = spec.is_number() ? spec.get<int64_t>() : 1;
          json ready = evalJsonPath(o, ".status.readyReplicas");
          json upd = evalJsonPath(o, ".status.updatedReplicas");
          json av = evalJsonPath(o, ".status.availableReplicas");
          return {str(o, ".metadata.name"),
                  std::to_string(ready.is_number() ? ready.get<int64_t>() : 0) + "/" + std::to_string(want),
                  upd.is_number() ? upd.get<int64_t>() : 0, av.is_number() ? av.get<int64_t>() : 0, age(o)};
        }}},
      {"apps/statefulsets",
       {{{"Name", "string", 0, "name"}, {"Ready", "string", 0, ""}, {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          json spec = evalJsonPath(o, ".spec.replicas");
          int64_t want = spec.is_number() ? spec.get<int64_t>() : 1;
          json ready = evalJsonPath(o, ".status.readyReplicas");
          return {str(o, ".metadata.name"),
                  std::to_string(ready.is_number() ? ready.get<int64_t>() : 0) + "/" + std::to_string(want), age(o)};
        }}},
      {"apps/replicasets",
       {{{"Name", "string", 0, "name"},
         {"Desired", "integer", 0, ""},
         {"Current", "integer", 0, ""},
         {"Ready", "integer", 0, ""},
         {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          auto count = [&o](const char* path, int64_t dflt) {
            json v = evalJsonPath(o, path);
            return v.is_number() ? v.get<int64_t>() : dflt;
          };
          return {str(o, ".metadata.name"), count(".spec.replicas", 1), count(".status.replicas", 0),
                  count(".status.readyReplicas", 0), age(o)};
        }}},
      {"coordination.k8s.io/leases",
       {{{"Name", "string", 0, "name"}, {"Holder", "string", 0, ""}, {"Age", "string", 0, ""}},
        [](const json& o) -> std::vector<json> {
          return {str(o, ".metadata.name"), str(o, ".spec.holderIdentity"), age(o)};
        }}},
  };
  auto it = printers.find(info.storageGroup + "/" + info.storageResource);
  if (info.gvr.group == "events.k8s.io") return nullptr;  // events.k8s.io objects differ in shape
  return it == printers.end() ? nullptr : &it->second;
}

json columnDefs(const std::vector<Column>& cols) {
  json defs = json::array();
  for (const auto& c : cols) {
    defs.push_back(
        {{"name", c.name}, {"type", c.type}, {"format", c.format}, {"description", c.name}, {"priority", c.priority}});
  }
  return defs;
}

json partialMetadata(const json& obj) {
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", obj.contains("metadata") ? obj["metadata"] : json::object()}};
}

}  // namespace

std::string humanAge(const std::string& ts) {
  std::optional<int64_t> t = parseRfc3339Seconds(ts);
  if (!t) return "<unknown>";
  int64_t s = static_cast<int64_t>(std::time(nullptr)) - *t;
  if (s < -1) return "<invalid>";
  if (s < 0) s = 0;
  auto f = [](int64_t a, const char* u1, int64_t b = -1, const char* u2 = "") {
    std::string r = std::to_string(a) + u1;
    if (b > 0) r += std::to_string(b) + u2;
    return r;
  };
  int64_t m = s / 60, h = s / 3600, d = s / 86400;
  if (s < 120) return f(s, "s");
  if (m < 10) return f(m, "m", s % 60, "s");
  if (m < 180) return f(m, "m");
  if (h < 8) return f(h, "h", m % 60, "m");
  if (h < 48) return f(h, "h");
  if (h < 24 * 8) return f(d, "d", h % 24, "h");
  if (h < 24 * 365 * 2) return f(d, "d");
  if (h < 24 * 365 * 8) return f(d / 365, "y", d % 365, "d");
  return f(d / 365, "y");
}

json evalJsonPath(const json& obj, const std::string& pathIn) {
  std::string path = pathIn;
  if (path.size() >= 2 && path.front() == '{' && path.back() == '}') path = path.substr(1, path.size() - 2);
  const json* cur = &obj;
  size_t i = 0;
  if (!path.empty() && path[0] == '.') i = 1;
  while (i < path.size()) {
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos) return json();
      std::string inner = path.substr(i + 1, close - i - 1);
      if (!cur->is_array()) return json();
      if (inner.rfind("?(@.", 0) == 0) {
        // [?(@.key=="value")]
        size_t eq = inner.find("==");
        if (eq == std::string::npos) return json();
        std::string key = inner.substr(4, eq - 4);
        std::string val = inner.substr(eq + 2);
        while (!val.empty() && (val.back() == ')' || val.back() == ' ')) val.pop_back();
        if (val.size() >= 2 && (val.front() == '"' || val.front() == '\'')) val = val.substr(1, val.size() - 2);
        const json* found = nullptr;
        for (const auto& e : *cur) {
          if (e.is_object() && e.contains(key) && e[key].is_string() && e[key] == val) {
            found = &e;
            break;
          }
        }
        if (!found) return json();
        cur = found;
      } else {
        size_t idx = std::stoul(inner);
        if (idx >= cur->size()) return json();
        cur = &(*cur)[idx];
      }
      i = close + 1;
      if (i < path.size() && path[i] == '.') i++;
      continue;
    }
    // Key up to the next unescaped '.' or '['.
    std::string key;
    while (i < path.size() && path[i] != '.' && path[i] != '[') {
      if (path[i] == '\\' && i + 1 < path.size()) i++;
      key += path[i++];
    }
    if (i < path.size() && path[i] == '.') i++;
    if (!cur->is_object() || !cur->contains(key)) return json();
    cur = &(*cur)[key];
  }
  return *cur;
}

json toTable(const ResourceInfo& info, const std::vector<json>& objects, const std::string& resourceVersion,
             const std::string& continueToken) {
  json table = {
      {"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", {{"resourceVersion", resourceVersion}}}};
  if (!continueToken.empty()) table["metadata"]["continue"] = continueToken;
  json rows = json::array();
  if (info.isCustom) {
    std::vector<Column> cols = {{"Name", "string", 0, "name"}};
    std::vector<std::pair<std::string, std::string>> paths;  // jsonPath, type
    json pcs = info.crdVersion.value("additionalPrinterColumns", json::array());
    for (const auto& c : pcs) {
      cols.push_back({c.value("name", ""), c.value("type", "string"), c.value("priority", 0), c.value("format", "")});
      paths.push_back({c.value("jsonPath", ""), c.value("type", "string")});
    }
    if (pcs.empty()) {
      cols.push_back({"Age", "date", 0, ""});
      paths.push_back({".metadata.creationTimestamp", "date"});
    }
    table["columnDefinitions"] = columnDefs(cols);
    for (const auto& o : objects) {
      json cells = json::array({str(o, ".metadata.name")});
      for (const auto& [p, type] : paths) {
        json v = evalJsonPath(o, p);
        if (type == "date" && v.is_string()) v = humanAge(v.get<std::string>());
        if (v.is_object() || v.is_array()) v = v.dump();
        cells.push_back(v);
      }
      rows.push_back({{"cells", cells}, {"object", partialMetadata(o)}});
    }
  } else if (const Printer* p = builtinPrinter(info)) {
    table["columnDefinitions"] = columnDefs(p->columns);
    for (const auto& o : objects) rows.push_back({{"cells", p->row(o)}, {"object", partialMetadata(o)}});
  } else {
    bool createdAt = info.gvr.group == "apiextensions.k8s.io" || info.gvr.group == "rbac.authorization.k8s.io";
    table["columnDefinitions"] = columnDefs(
        {{"Name", "string", 0, "name"}, {createdAt ? "Created At" : "Age", createdAt ? "date" : "string", 0, ""}});
    for (const auto& o : objects) {
      json second = createdAt ? json(str(o, ".metadata.creationTimestamp")) : json(age(o));
      rows.push_back({{"cells", {str(o, ".metadata.name"), second}}, {"object", partialMetadata(o)}});
    }
  }
  table["rows"] = rows;
  return table;
}

}  // namespace ossvp::kubesim
