// Discovery documents built from the ResourceRegistry: aggregated discovery
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, what kubectl 1.32 prefers)
// and the legacy forms (APIVersions, APIGroupList, APIGroup, APIResourceList).
//
// Thread-safety: pure functions of the registry snapshot passed in.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store/resource_registry.h"

namespace ossvp::kubesim {

constexpr const char* kAggregatedDiscoveryContentType =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

// core == true: the /api document (legacy group only); else /apis.
nlohmann::json aggregatedDiscovery(const std::vector<ResourceInfo>& all, bool core);
nlohmann::json legacyApiVersions(const std::string& serverAddress);
nlohmann::json legacyGroupList(const std::vector<ResourceInfo>& all);
std::optional<nlohmann::json> legacyGroup(const std::vector<ResourceInfo>& all, const std::string& group);
// APIResourceList for one group/version; nullopt if nothing is served there.
std::optional<nlohmann::json> legacyResourceList(const std::vector<ResourceInfo>& all, const std::string& group,
                                                 const std::string& version);

}  // namespace ossvp::kubesim
