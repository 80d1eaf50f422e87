// Structural-schema handling for custom resources (apiextensions-apiserver
// behaviour): pruning of unknown fields, defaulting, validation of
// type/enum/required/min/max/length/items/pattern and
// x-kubernetes-validations rules (CEL subset, see cel_lite.h), with error
// causes worded like the real API server's. Plus the structural checks a
// CRD's schema must pass.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ossvp::kubesim {

// Removes fields not allowed by `schema` from `value`, appending their paths
// ("spec.bogus") to `unknown`. `root`: skip apiVersion/kind/metadata.
void pruneUnknown(const nlohmann::json& schema, nlohmann::json& value, const std::string& path, bool root,
                  std::vector<std::string>& unknown);
void applyDefaults(const nlohmann::json& schema, nlohmann::json& value, bool root);
// Returns Invalid causes [{reason, message, field}] (empty when valid).
nlohmann::json validateAgainstSchema(const nlohmann::json& schema, const nlohmann::json& value, const std::string& path,
                                     bool root);
// Structural checks (every node typed, no properties+additionalProperties).
nlohmann::json structuralErrors(const nlohmann::json& schema, const std::string& path);

}  // namespace ossvp::kubesim
