// Typed, path-aware reads of optional fields from a JSON object, shared by the
// ossvp spec and status parsers. Each returns InvalidArgument naming the full
// field path ("spec.generic.throughput") when the value has the wrong type;
// an absent or null field leaves the output untouched and returns false in
// `*present` (when given).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ossvp/common/status.h"

namespace ossvp::controller::detail {

// "spec" + "bucket" -> "spec.bucket".
std::string joinPath(std::string_view parent, std::string_view key);

// The field if present and not null, else nullptr.
const nlohmann::json* field(const nlohmann::json& obj, std::string_view key);

// `"value"` for strings, the JSON text otherwise, shortened to 64 chars.
std::string describeValue(const nlohmann::json& v);

Status typeError(const std::string& path, const nlohmann::json& v, std::string_view expected);

Status readString(const nlohmann::json& obj, std::string_view key, std::string_view parent, std::string* out,
                  bool* present = nullptr);
Status readInt64(const nlohmann::json& obj, std::string_view key, std::string_view parent, int64_t* out,
                 bool* present = nullptr);
Status readStringMap(const nlohmann::json& obj, std::string_view key, std::string_view parent,
                     std::map<std::string, std::string>* out);
// Checks that `obj` (at `path`) is a JSON object.
Status requireObject(const nlohmann::json& obj, std::string_view path);

}  // namespace ossvp::controller::detail
