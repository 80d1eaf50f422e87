#include "ossvp/controller/ossvp_status.h"

#include <algorithm>
#include <charconv>

#include "ossvp_json_read.h"

namespace ossvp::controller {

using detail::readInt64;
using detail::readString;
using detail::requireObject;

namespace {

void putString(nlohmann::json* j, const char* key, const std::string& v) {
  if (!v.empty()) (*j)[key] = v;
}

void putInt(nlohmann::json* j, const char* key, const std::optional<int64_t>& v) {
  if (v) (*j)[key] = *v;
}

Status readOptionalInt(const nlohmann::json& j, const char* key, const std::string& base, std::optional<int64_t>* out) {
  int64_t v = 0;
  bool present = false;
  OSSVP_RETURN_IF_ERROR(readInt64(j, key, base, &v, &present));
  if (present) *out = v;
  return Status::ok();
}

// Reads a map of objects keyed by PVC uid into `out` with `parse`.
template <typename Entry>
Status readEntryMap(const nlohmann::json& status, const char* key, std::map<std::string, Entry>* out) {
  const nlohmann::json* m = detail::field(status, key);
  if (!m) return Status::ok();
  std::string base = std::string("status.") + key;
  OSSVP_RETURN_IF_ERROR(requireObject(*m, base));
  for (const auto& [uid, v] : m->items()) {
    if (v.is_null()) continue;
    auto entry = Entry::fromJson(v);
    if (!entry) return entry.status().withContext(base + "." + uid);
    (*out)[uid] = std::move(entry).value();
  }
  return Status::ok();
}

}  // namespace

nlohmann::json Condition::toJson() const {
  nlohmann::json j = {{"type", type}, {"status", status}};
  putString(&j, "reason", reason);
  putString(&j, "message", message);
  putString(&j, "lastTransitionTime", lastTransitionTime);
  if (observedGeneration != 0) j["observedGeneration"] = observedGeneration;
  return j;
}

Result<Condition> Condition::fromJson(const nlohmann::json& j) {
  OSSVP_RETURN_IF_ERROR(requireObject(j, "condition"));
  Condition c;
  OSSVP_RETURN_IF_ERROR(readString(j, "type", "condition", &c.type));
  OSSVP_RETURN_IF_ERROR(readString(j, "status", "condition", &c.status));
  OSSVP_RETURN_IF_ERROR(readString(j, "reason", "condition", &c.reason));
  OSSVP_RETURN_IF_ERROR(readString(j, "message", "condition", &c.message));
  OSSVP_RETURN_IF_ERROR(readString(j, "lastTransitionTime", "condition", &c.lastTransitionTime));
  OSSVP_RETURN_IF_ERROR(readInt64(j, "observedGeneration", "condition", &c.observedGeneration));
  if (c.type.empty()) return invalidArgument("condition.type: Required value");
  return c;
}

bool setCondition(std::vector<Condition>* conditions, const Condition& c) {
  for (Condition& old : *conditions) {
    if (old.type != c.type) continue;
    Condition next = c;
    if (old.status == c.status && !old.lastTransitionTime.empty()) next.lastTransitionTime = old.lastTransitionTime;
    bool changed = old.status != next.status || old.reason != next.reason || old.message != next.message ||
                   old.lastTransitionTime != next.lastTransitionTime ||
                   old.observedGeneration != next.observedGeneration;
    old = std::move(next);
    return changed;
  }
  conditions->push_back(c);
  return true;
}

const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type) {
  auto it = std::find_if(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

nlohmann::json BmcpfsDataflowEntry::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  putString(&j, "dataFlowId", dataFlowId);
  putString(&j, "dataFlowTaskId", dataFlowTaskId);
  putString(&j, "fileSetId", fileSetId);
  putString(&j, "fileSystemId", fileSystemId);
  putString(&j, "progress", progress);
  return j;
}

Result<BmcpfsDataflowEntry> BmcpfsDataflowEntry::fromJson(const nlohmann::json& j) {
  const std::string base = "bmcpfsDataflow";
  OSSVP_RETURN_IF_ERROR(requireObject(j, base));
  BmcpfsDataflowEntry e;
  OSSVP_RETURN_IF_ERROR(readString(j, "dataFlowId", base, &e.dataFlowId));
  OSSVP_RETURN_IF_ERROR(readString(j, "dataFlowTaskId", base, &e.dataFlowTaskId));
  OSSVP_RETURN_IF_ERROR(readString(j, "fileSetId", base, &e.fileSetId));
  OSSVP_RETURN_IF_ERROR(readString(j, "fileSystemId", base, &e.fileSystemId));
  OSSVP_RETURN_IF_ERROR(readString(j, "progress", base, &e.progress));
  return e;
}

nlohmann::json GenericPvcEntry::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  putString(&j, "namespace", ns);
  putString(&j, "name", name);
  putString(&j, "podName", podName);
  putString(&j, "phase", phase);
  putString(&j, "progress", progress);
  putInt(&j, "bytesDone", bytesDone);
  putInt(&j, "bytesTotal", bytesTotal);
  putInt(&j, "objectsDone", objectsDone);
  putInt(&j, "objectsTotal", objectsTotal);
  if (attempts != 0) j["attempts"] = attempts;
  putString(&j, "startTime", startTime);
  putString(&j, "completionTime", completionTime);
  putString(&j, "lastError", lastError);
  return j;
}

Result<GenericPvcEntry> GenericPvcEntry::fromJson(const nlohmann::json& j) {
  const std::string base = "generic";
  OSSVP_RETURN_IF_ERROR(requireObject(j, base));
  GenericPvcEntry e;
  OSSVP_RETURN_IF_ERROR(readString(j, "namespace", base, &e.ns));
  OSSVP_RETURN_IF_ERROR(readString(j, "name", base, &e.name));
  OSSVP_RETURN_IF_ERROR(readString(j, "podName", base, &e.podName));
  OSSVP_RETURN_IF_ERROR(readString(j, "phase", base, &e.phase));
  OSSVP_RETURN_IF_ERROR(readString(j, "progress", base, &e.progress));
  OSSVP_RETURN_IF_ERROR(readOptionalInt(j, "bytesDone", base, &e.bytesDone));
  OSSVP_RETURN_IF_ERROR(readOptionalInt(j, "bytesTotal", base, &e.bytesTotal));
  OSSVP_RETURN_IF_ERROR(readOptionalInt(j, "objectsDone", base, &e.objectsDone));
  OSSVP_RETURN_IF_ERROR(readOptionalInt(j, "objectsTotal", base, &e.objectsTotal));
  int64_t attempts = 0;
  OSSVP_RETURN_IF_ERROR(readInt64(j, "attempts", base, &attempts));
  if (attempts < 0 || attempts > 1000000) return invalidArgument(base + ".attempts: out of range");
  e.attempts = static_cast<int>(attempts);
  OSSVP_RETURN_IF_ERROR(readString(j, "startTime", base, &e.startTime));
  OSSVP_RETURN_IF_ERROR(readString(j, "completionTime", base, &e.completionTime));
  OSSVP_RETURN_IF_ERROR(readString(j, "lastError", base, &e.lastError));
  return e;
}

nlohmann::json OssvpStatus::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  if (observedGeneration != 0) j["observedGeneration"] = observedGeneration;
  putString(&j, "phase", phase);
  putString(&j, "progress", progress);
  putString(&j, "message", message);
  if (!conditions.empty()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const Condition& c : conditions) arr.push_back(c.toJson());
    j["conditions"] = std::move(arr);
  }
  if (!bmcpfsDataflow.empty()) {
    for (const auto& [uid, e] : bmcpfsDataflow) j["bmcpfsDataflow"][uid] = e.toJson();
  }
  if (!generic.empty()) {
    for (const auto& [uid, e] : generic) j["generic"][uid] = e.toJson();
  }
  return j;
}

Result<OssvpStatus> OssvpStatus::fromJson(const nlohmann::json& j) {
  OssvpStatus s;
  if (j.is_null()) return s;
  OSSVP_RETURN_IF_ERROR(requireObject(j, "status"));
  OSSVP_RETURN_IF_ERROR(readInt64(j, "observedGeneration", "status", &s.observedGeneration));
  OSSVP_RETURN_IF_ERROR(readString(j, "phase", "status", &s.phase));
  OSSVP_RETURN_IF_ERROR(readString(j, "progress", "status", &s.progress));
  OSSVP_RETURN_IF_ERROR(readString(j, "message", "status", &s.message));
  if (const nlohmann::json* conds = detail::field(j, "conditions")) {
    if (!conds->is_array()) return detail::typeError("status.conditions", *conds, "a list");
    for (const nlohmann::json& c : *conds) {
      auto cond = Condition::fromJson(c);
      if (!cond) return cond.status().withContext("status.conditions");
      s.conditions.push_back(std::move(cond).value());
    }
  }
  OSSVP_RETURN_IF_ERROR(readEntryMap(j, "bmcpfsDataflow", &s.bmcpfsDataflow));
  OSSVP_RETURN_IF_ERROR(readEntryMap(j, "generic", &s.generic));
  return s;
}

void OssvpStatus::summarizeInFlight() {
  int lowest = 101;
  auto consider = [&](const std::string& progress) { lowest = std::min(lowest, std::max(0, parsePercent(progress))); };
  for (const auto& [uid, e] : bmcpfsDataflow) consider(e.progress);
  for (const auto& [uid, e] : generic) {
    if (!e.finished()) consider(e.progress);
  }
  if (lowest > 100) return;
  phase = std::string(kPhasePopulating);
  progress = formatPercent(lowest);
}

std::string formatPercent(int percent) { return std::to_string(std::clamp(percent, 0, 100)) + "%"; }

int parsePercent(std::string_view text) {
  if (!text.empty() && text.back() == '%') text.remove_suffix(1);
  int v = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < 0 || v > 100) return -1;
  return v;
}

int progressPercent(int64_t done, int64_t total, bool finished) {
  if (finished) return 100;
  if (total <= 0 || done <= 0) return 0;
  if (done >= total) return 99;
  // done < total, so done*100/total < 100; compute without overflowing int64.
  __int128 pct = static_cast<__int128>(done) * 100 / total;
  return static_cast<int>(std::min<__int128>(pct, 99));
}

std::string monotonicProgress(std::string_view previous, int next) {
  return formatPercent(std::max(parsePercent(previous), next));
}

namespace {
// A merge patch merges objects key by key, so a field that became empty must
// be sent as null to be cleared: the entry is then replaced as a whole.
nlohmann::json withNulls(nlohmann::json j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (!j.contains(k)) j[k] = nullptr;
  }
  return j;
}
}  // namespace

nlohmann::json genericEntryPatch(const std::string& pvcUid, const GenericPvcEntry& entry) {
  nlohmann::json e = withNulls(entry.toJson(), {"namespace", "name", "podName", "phase", "progress", "bytesDone",
                                                "bytesTotal", "objectsDone", "objectsTotal", "attempts",
                                                "startTime", "completionTime", "lastError"});
  return {{"status", {{"generic", {{pvcUid, e}}}}}};
}

nlohmann::json bmcpfsEntryPatch(const std::string& pvcUid, const BmcpfsDataflowEntry& entry) {
  nlohmann::json e = withNulls(entry.toJson(), {"dataFlowId", "dataFlowTaskId", "fileSetId", "fileSystemId", "progress"});
  return {{"status", {{"bmcpfsDataflow", {{pvcUid, e}}}}}};
}

nlohmann::json removePvcEntriesPatch(const std::string& pvcUid) {
  return {{"status", {{"generic", {{pvcUid, nullptr}}}, {"bmcpfsDataflow", {{pvcUid, nullptr}}}}}};
}

}  // namespace ossvp::controller
