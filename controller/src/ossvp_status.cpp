#include "ossvp/controller/ossvp_status.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <span>

#include "ossvp/common/size_parse.h"
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

namespace {

// The entries' fields as tables, so that toJson, fromJson and the patches
// (which must name every field) cannot drift apart.
template <typename T>
struct StringField {
  const char* key;
  std::string T::*member;
};
template <typename T>
struct IntField {
  const char* key;
  std::optional<int64_t> T::*member;
};

const StringField<BmcpfsDataflowEntry> kBmcpfsStrings[] = {{"dataFlowId", &BmcpfsDataflowEntry::dataFlowId},
                                                           {"dataFlowTaskId", &BmcpfsDataflowEntry::dataFlowTaskId},
                                                           {"fileSetId", &BmcpfsDataflowEntry::fileSetId},
                                                           {"fileSystemId", &BmcpfsDataflowEntry::fileSystemId},
                                                           {"progress", &BmcpfsDataflowEntry::progress}};
const StringField<GenericPvcEntry> kGenericStrings[] = {{"namespace", &GenericPvcEntry::ns},
                                                        {"name", &GenericPvcEntry::name},
                                                        {"podName", &GenericPvcEntry::podName},
                                                        {"phase", &GenericPvcEntry::phase},
                                                        {"progress", &GenericPvcEntry::progress},
                                                        {"startTime", &GenericPvcEntry::startTime},
                                                        {"completionTime", &GenericPvcEntry::completionTime},
                                                        {"lastError", &GenericPvcEntry::lastError}};
const IntField<GenericPvcEntry> kGenericInts[] = {
    {"bytesDone", &GenericPvcEntry::bytesDone},           {"bytesTotal", &GenericPvcEntry::bytesTotal},
    {"objectsDone", &GenericPvcEntry::objectsDone},       {"objectsTotal", &GenericPvcEntry::objectsTotal},
    {"bytesPerSecond", &GenericPvcEntry::bytesPerSecond}, {"etaSeconds", &GenericPvcEntry::etaSeconds}};
const StringField<Condition> kConditionStrings[] = {{"type", &Condition::type},
                                                    {"status", &Condition::status},
                                                    {"reason", &Condition::reason},
                                                    {"message", &Condition::message},
                                                    {"lastTransitionTime", &Condition::lastTransitionTime}};
constexpr const char* kAttemptsKey = "attempts";

template <typename T>
void putFields(nlohmann::json* j, const T& e, std::span<const StringField<T>> strings,
               std::span<const IntField<T>> ints = {}) {
  for (const auto& f : strings) putString(j, f.key, e.*f.member);
  for (const auto& f : ints) putInt(j, f.key, e.*f.member);
}

template <typename T>
Status readFields(const nlohmann::json& j, const std::string& base, T* e, std::span<const StringField<T>> strings,
                  std::span<const IntField<T>> ints = {}) {
  OSSVP_RETURN_IF_ERROR(requireObject(j, base));
  for (const auto& f : strings) OSSVP_RETURN_IF_ERROR(readString(j, f.key, base, &(e->*f.member)));
  for (const auto& f : ints) OSSVP_RETURN_IF_ERROR(readOptionalInt(j, f.key, base, &(e->*f.member)));
  return Status::ok();
}

// A merge patch merges objects key by key, so a field that became empty must
// be sent as null to be cleared: the entry is then replaced as a whole.
template <typename T>
nlohmann::json withNulls(nlohmann::json j, std::span<const StringField<T>> strings,
                         std::span<const IntField<T>> ints = {}) {
  auto fill = [&](const char* k) {
    if (!j.contains(k)) j[k] = nullptr;
  };
  for (const auto& f : strings) fill(f.key);
  for (const auto& f : ints) fill(f.key);
  return j;
}

}  // namespace

nlohmann::json Condition::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  putFields<Condition>(&j, *this, kConditionStrings);
  if (observedGeneration != 0) j["observedGeneration"] = observedGeneration;
  return j;
}

Result<Condition> Condition::fromJson(const nlohmann::json& j) {
  Condition c;
  OSSVP_RETURN_IF_ERROR(readFields<Condition>(j, "condition", &c, kConditionStrings));
  OSSVP_RETURN_IF_ERROR(readInt64(j, "observedGeneration", "condition", &c.observedGeneration));
  if (c.type.empty()) return invalidArgument("condition.type: Required value");
  return c;
}

nlohmann::json BmcpfsDataflowEntry::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  putFields<BmcpfsDataflowEntry>(&j, *this, kBmcpfsStrings);
  return j;
}

Result<BmcpfsDataflowEntry> BmcpfsDataflowEntry::fromJson(const nlohmann::json& j) {
  BmcpfsDataflowEntry e;
  OSSVP_RETURN_IF_ERROR(readFields<BmcpfsDataflowEntry>(j, "bmcpfsDataflow", &e, kBmcpfsStrings));
  return e;
}

nlohmann::json GenericPvcEntry::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  putFields<GenericPvcEntry>(&j, *this, kGenericStrings, kGenericInts);
  if (attempts != 0) j[kAttemptsKey] = attempts;
  return j;
}

Result<GenericPvcEntry> GenericPvcEntry::fromJson(const nlohmann::json& j) {
  const std::string base = "generic";
  GenericPvcEntry e;
  OSSVP_RETURN_IF_ERROR(readFields<GenericPvcEntry>(j, base, &e, kGenericStrings, kGenericInts));
  int64_t attempts = 0;
  OSSVP_RETURN_IF_ERROR(readInt64(j, kAttemptsKey, base, &attempts));
  if (attempts < 0 || attempts > 1000000) return invalidArgument(base + ".attempts: out of range");
  e.attempts = static_cast<int>(attempts);
  return e;
}

nlohmann::json OssvpStatus::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  if (observedGeneration != 0) j["observedGeneration"] = observedGeneration;
  putString(&j, "phase", phase);
  putString(&j, "progress", progress);
  putString(&j, "message", message);
  putString(&j, "throughput", throughput);
  putString(&j, "eta", eta);
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
  OSSVP_RETURN_IF_ERROR(readString(j, "throughput", "status", &s.throughput));
  OSSVP_RETURN_IF_ERROR(readString(j, "eta", "status", &s.eta));
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
  // Rate: the sum over the PVCs that report one. ETA: the longest, known only
  // when every PVC in flight reports one (an import has none).
  int64_t rate = 0, longest = 0;
  bool anyRate = false, allEta = true;
  for (const auto& [uid, e] : bmcpfsDataflow) {
    if (!bmcpfsInFlight(uid)) continue;
    consider(e.progress);
    allEta = false;
  }
  for (const auto& [uid, e] : generic) {
    if (e.finished()) continue;
    consider(e.progress);
    if (e.bytesPerSecond) {
      anyRate = true;
      rate += *e.bytesPerSecond;
    }
    if (e.etaSeconds) {
      longest = std::max(longest, *e.etaSeconds);
    } else {
      allEta = false;
    }
  }
  throughput = anyRate ? formatThroughput(rate) : "";
  eta = lowest <= 100 && allEta ? formatEta(longest) : "";
  if (lowest > 100) return;
  phase = std::string(kPhasePopulating);
  progress = formatPercent(lowest);
}

bool OssvpStatus::bmcpfsInFlight(const std::string& pvcUid) const {
  auto b = bmcpfsDataflow.find(pvcUid);
  if (b == bmcpfsDataflow.end() || parsePercent(b->second.progress) == 100) return false;
  auto g = generic.find(pvcUid);
  return g == generic.end() || !g->second.finished();
}

void applyModeShape(OssvpStatus* st, PopulatorMode mode) {
  if (mode != PopulatorMode::BmcpfsDataflow) return;
  for (const auto& [uid, e] : st->generic) {
    if (e.phase == kPvcPhaseFailed) st->bmcpfsDataflow.erase(uid);
  }
  st->generic.clear();
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

std::string formatThroughput(int64_t bytesPerSecond) {
  return formatBytes(static_cast<uint64_t>(std::max<int64_t>(0, bytesPerSecond))) + "/s";
}

std::string formatEta(int64_t seconds) {
  seconds = std::max<int64_t>(0, seconds);
  char buf[48];
  auto ll = [](int64_t v) { return static_cast<long long>(v); };
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%llds", ll(seconds));
  } else if (seconds < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", ll(seconds / 60), ll(seconds % 60));
  } else if (seconds < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", ll(seconds / 3600), ll(seconds / 60 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", ll(seconds / 86400), ll(seconds / 3600 % 24));
  }
  return buf;
}

nlohmann::json genericEntryPatch(const std::string& pvcUid, const GenericPvcEntry& entry) {
  nlohmann::json e = withNulls<GenericPvcEntry>(entry.toJson(), kGenericStrings, kGenericInts);
  if (!e.contains(kAttemptsKey)) e[kAttemptsKey] = nullptr;
  return {{"status", {{"generic", {{pvcUid, e}}}}}};
}

nlohmann::json bmcpfsEntryPatch(const std::string& pvcUid, const BmcpfsDataflowEntry& entry) {
  nlohmann::json e = withNulls<BmcpfsDataflowEntry>(entry.toJson(), kBmcpfsStrings);
  return {{"status", {{"bmcpfsDataflow", {{pvcUid, e}}}}}};
}

nlohmann::json removePvcEntriesPatch(const std::string& pvcUid) {
  return {{"status", {{"generic", {{pvcUid, nullptr}}}, {"bmcpfsDataflow", {{pvcUid, nullptr}}}}}};
}

}  // namespace ossvp::controller
