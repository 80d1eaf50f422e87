// OpenAPI v3 documents, just enough for `kubectl apply` with the default
// --validate=strict: a root listing every served
// group/version, and per group/version a document whose PATCH operations carry
// x-kubernetes-group-version-kind and the fieldValidation parameter, so
// kubectl delegates validation to the server (fieldValidation=Strict). CRD
// versions also publish their openAPIV3Schema under components.schemas.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store/resource_registry.h"

namespace ossvp::kubesim {

nlohmann::json openApiV3Root(const std::vector<ResourceInfo>& all, uint64_t epoch);
// `gvPath` is "api/v1" or "apis/<group>/<version>".
std::optional<nlohmann::json> openApiV3GroupVersion(const std::vector<ResourceInfo>& all, const std::string& gvPath);

}  // namespace ossvp::kubesim
