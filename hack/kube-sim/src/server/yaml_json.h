// YAML -> JSON conversion for request bodies (application/yaml,
// application/apply-patch+yaml) using yaml-cpp, with Kubernetes' typing of
// plain scalars (ints, floats, booleans, null stay typed; quoted stay strings).
//
// Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ossvp::kubesim {

// nullopt + *error on a YAML syntax error.
std::optional<nlohmann::json> yamlToJson(const std::string& text, std::string* error);

}  // namespace ossvp::kubesim
