// Table rendering (meta.k8s.io/v1 Table): the server-side printer
// columns kubectl shows for built-in kinds (after k/k
// pkg/printers/internalversion/printers.go) and CRD
// additionalPrinterColumns, plus the small JSONPath subset those columns use.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "store/resource_registry.h"

namespace ossvp::kubesim {

// A Table for `objects` (already in the served version's shape).
nlohmann::json toTable(const ResourceInfo& info, const std::vector<nlohmann::json>& objects,
                       const std::string& resourceVersion, const std::string& continueToken = "");

// kubectl-style age ("5s", "3m20s", "2d") since an RFC 3339 timestamp; "<unknown>" if unparsable.
std::string humanAge(const std::string& rfc3339);

// Evaluates a printer-column JSONPath (".a.b", ".a[0].b", ".a[?(@.k==\"v\")].b"); null if absent.
nlohmann::json evalJsonPath(const nlohmann::json& obj, const std::string& path);

}  // namespace ossvp::kubesim
