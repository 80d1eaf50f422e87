#include "store/cluster_context.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "ossvp/common/rfc3339.h"

namespace ossvp::kubesim {
namespace {

// client-go's event correlator cache: which Event an identical occurrence
// (same store, involved object, type, reason, message, source) was recorded
// as, so a repeat is a get by name instead of a scan of the namespace's Events.
class RecordedEvents {
 public:
  std::string find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = names_.find(key);
    return it == names_.end() ? "" : it->second;
  }
  void remember(const std::string& key, const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    if (names_.size() >= 50000) names_.clear();  // bounded; a forgotten repeat creates a new Event
    names_[key] = name;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> names_;
};

RecordedEvents& recordedEvents() {
  static RecordedEvents cache;
  return cache;
}

}  // namespace

std::string podLogPath(const std::string& stateDir, const std::string& ns, const std::string& pod,
                       const std::string& podUid, const std::string& container) {
  return stateDir + "/pod-logs/" + ns + "/" + pod + "_" + podUid + "/" + container + ".log";
}

std::string nowRfc3339() { return formatRfc3339(std::chrono::system_clock::now()); }

void recordEvent(ObjectStore& store, const json& involved, const std::string& type, const std::string& reason,
                 const std::string& message, const std::string& component) {
  const json& m = involved.contains("metadata") ? involved["metadata"] : json::object();
  std::string ns = m.value("namespace", "");
  if (ns.empty()) ns = "default";
  std::string name = m.value("name", "");
  std::string uid = m.value("uid", "");
  // Repeat of the same event: bump count (client-go's events cache).
  char storeId[32];
  std::snprintf(storeId, sizeof(storeId), "%p", static_cast<const void*>(&store));
  const std::string key = std::string(storeId) + '\x1f' + ns + '\x1f' + uid + '\x1f' + type + '\x1f' + reason + '\x1f' +
                          message + '\x1f' + component;
  std::string now = nowRfc3339();
  if (std::string seen = recordedEvents().find(key); !seen.empty()) {
    auto ev = store.get(gvr::kEvents, ns, seen);
    if (ev && ev->value("message", "") == message && ev->value("type", "") == type &&
        ev->value("involvedObject", json::object()).value("uid", "") == uid &&
        ev->value("source", json::object()).value("component", "") == component) {
      json p = {{"count", ev->value("count", 1) + 1}, {"lastTimestamp", now}};
      if (store.patch(gvr::kEvents, ns, seen, PatchType::MergePatch, p)) return;
    }
  }
  auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(nanos));
  json ev = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name + "." + hex}, {"namespace", ns}}},
      {"involvedObject",
       {{"apiVersion", involved.value("apiVersion", "")},
        {"kind", involved.value("kind", "")},
        {"name", name},
        {"namespace", m.value("namespace", "")},
        {"uid", uid},
        {"resourceVersion", m.value("resourceVersion", "")}}},
      {"reason", reason},
      {"message", message},
      {"type", type},
      {"count", 1},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"source", {{"component", component}}},
      {"reportingComponent", component},
      {"reportingInstance", component},
  };
  if (m.value("namespace", "").empty()) ev["involvedObject"].erase("namespace");
  if (store.create(gvr::kEvents, ns, ev)) recordedEvents().remember(key, name + "." + hex);
}

}  // namespace ossvp::kubesim
