// Conversion between the stored core/v1 Event shape and events.k8s.io/v1
// (both APIs serve the same objects, as in Kubernetes): regarding <->
// involvedObject, note <-> message, reportingController <-> reportingComponent,
// deprecatedCount/FirstTimestamp/LastTimestamp/Source <-> count/... .
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

namespace ossvp::kubesim {

nlohmann::json coreEventToEventsV1(const nlohmann::json& core);
nlohmann::json eventsV1ToCoreEvent(const nlohmann::json& ev);

}  // namespace ossvp::kubesim
