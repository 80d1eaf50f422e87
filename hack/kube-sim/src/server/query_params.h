// Query-parameter conversions of kube-sim's API server, with the rules of the
// real API server so that every client (kubectl, client-go, the Python client
// that sends `watch=True`) gets the answer a cluster would give:
//
// * booleans (`watch`, `allowWatchBookmarks`, pods/log `follow`) follow
//   apimachinery's runtime.Convert_Slice_string_To_bool: an absent parameter
//   is false, "0" and "false" in any letter case are false, and every other
//   value (`true`, `True`, `1`, `t`, even an empty `?watch`) is true. The real
//   server never rejects a boolean query value, so neither does kube-sim.
// * `dryRun` is a list, not a boolean: its only accepted value is "All"
//   (metav1 validation ValidateDryRun); anything else is 422 Invalid.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/http_server.h"
#include "store/api_error.h"

namespace ossvp::kubesim {

// The value of one boolean query parameter as the real API server converts it.
bool parseQueryBool(std::string_view value);

// The boolean query parameter `key` of `req`; false when absent.
bool queryBool(const HttpRequest& req, const std::string& key);

// Whether `values` (the dryRun list of a write) asks for a dry run: empty means
// no, every value "All" means yes, anything else is 422 Invalid naming
// `optionsKind` (CreateOptions, UpdateOptions, PatchOptions, DeleteOptions).
ApiResult<bool> parseDryRun(const std::vector<std::string>& values, const std::string& optionsKind);

// The `dryRun` query parameter of `req`, checked with parseDryRun.
ApiResult<bool> queryDryRun(const HttpRequest& req, const std::string& optionsKind);

}  // namespace ossvp::kubesim
