#include "server/event_conversion.h"

#include <utility>
#include <vector>

namespace ossvp::kubesim {
namespace {

using json = nlohmann::json;

// (core field, events.k8s.io/v1 field)
const std::vector<std::pair<const char*, const char*>>& fieldMap() {
  static const std::vector<std::pair<const char*, const char*>> m = {
      {"involvedObject", "regarding"},
      {"message", "note"},
      {"reportingComponent", "reportingController"},
      {"reportingInstance", "reportingInstance"},
      {"count", "deprecatedCount"},
      {"firstTimestamp", "deprecatedFirstTimestamp"},
      {"lastTimestamp", "deprecatedLastTimestamp"},
      {"source", "deprecatedSource"},
      {"related", "related"},
      {"reason", "reason"},
      {"type", "type"},
      {"action", "action"},
      {"eventTime", "eventTime"},
      {"series", "series"},
      {"metadata", "metadata"},
  };
  return m;
}

}  // namespace

json coreEventToEventsV1(const json& core) {
  json out = {{"apiVersion", "events.k8s.io/v1"}, {"kind", "Event"}};
  for (const auto& [c, e] : fieldMap()) {
    if (core.contains(c)) out[e] = core[c];
  }
  if (!out.contains("eventTime")) out["eventTime"] = nullptr;
  return out;
}

json eventsV1ToCoreEvent(const json& ev) {
  json out = {{"apiVersion", "v1"}, {"kind", "Event"}};
  for (const auto& [c, e] : fieldMap()) {
    if (ev.contains(e) && !ev[e].is_null()) out[c] = ev[e];
  }
  return out;
}

}  // namespace ossvp::kubesim
