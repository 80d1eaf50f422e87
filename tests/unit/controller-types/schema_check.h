// Test helper: validates a JSON value against the subset of OpenAPI v3 that
// structural CRD schemas use (type, properties, additionalProperties, items,
// required, enum, pattern, min/maxLength, minimum/maximum,
// x-kubernetes-preserve-unknown-fields), reporting errors in the API
// server's style ("spec.mode: Unsupported value: ..."). It does not evaluate
// x-kubernetes-validations (the C++ validator covers those rules).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ossvp_test {

std::vector<std::string> schemaErrors(const nlohmann::json& value, const nlohmann::json& schema,
                                      const std::string& path = "");

// Applies `default:` values like the API server (a default inside an object
// only when that object exists).
void applySchemaDefaults(nlohmann::json* value, const nlohmann::json& schema);

}  // namespace ossvp_test
