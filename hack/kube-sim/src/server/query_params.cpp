#include "server/query_params.h"

#include <algorithm>
#include <cctype>

namespace ossvp::kubesim {

bool parseQueryBool(std::string_view value) {
  if (value == "0") return false;
  constexpr std::string_view kFalse = "false";
  return !std::equal(value.begin(), value.end(), kFalse.begin(), kFalse.end(),
                     [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

bool queryBool(const HttpRequest& req, const std::string& key) {
  auto it = req.query.find(key);
  return it != req.query.end() && parseQueryBool(it->second);
}

ApiResult<bool> parseDryRun(const std::vector<std::string>& values, const std::string& optionsKind) {
  if (values.empty()) return false;
  if (std::all_of(values.begin(), values.end(), [](const std::string& v) { return v == "All"; })) return true;
  std::string listed;
  for (const auto& v : values) listed += (listed.empty() ? "" : ", ") + json(v).dump();
  return errInvalid(
      "meta.k8s.io", optionsKind, "",
      json::array({invalidCause("FieldValueNotSupported", "dryRun",
                                "Unsupported value: []string{" + listed + "}: supported values: \"All\"")}));
}

ApiResult<bool> queryDryRun(const HttpRequest& req, const std::string& optionsKind) {
  auto it = req.query.find("dryRun");
  if (it == req.query.end()) return false;
  return parseDryRun({it->second}, optionsKind);
}

}  // namespace ossvp::kubesim
