// YAML -> JSON the way the Kubernetes API server reads YAML (kube-sim's
// request bodies, the tests that check crds/ and manifests/): plain scalars
// that look like an integer, a float, a boolean or null become one; quoted,
// literal, folded and !!str scalars always stay strings; map keys are
// strings.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp {

// The first document of `text` (null when there is none); InvalidArgument
// with yaml-cpp's message ("yaml-cpp: error at line 2, column 1: ...") on a
// syntax error.
Result<nlohmann::json> yamlToJson(std::string_view text);

// Every document of `text` that is not empty, in order.
Result<std::vector<nlohmann::json>> yamlDocumentsToJson(std::string_view text);

}  // namespace ossvp
