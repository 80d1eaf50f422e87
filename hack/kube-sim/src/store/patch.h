// Patch application for the three PATCH content types:
// RFC 7386 JSON merge patch, RFC 6902 JSON patch (incl. `test`), and the
// Kubernetes strategic merge patch (list merge keys for the fields our
// resources use, `$patch` / `$deleteFromPrimitiveList` / `$setElementOrder`
// directives).
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "store/api_error.h"

namespace ossvp::kubesim {

ApiResult<json> applyMergePatch(const json& target, const json& patch);
// Op failures (incl. a failed `test`) are 422 Invalid.
ApiResult<json> applyJsonPatch(const json& target, const json& patch, const std::string& kind, const std::string& name);
ApiResult<json> applyStrategicMergePatch(const json& target, const json& patch);

}  // namespace ossvp::kubesim
