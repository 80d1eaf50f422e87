#include "ossvp_json_read.h"

#include <cmath>
#include <limits>

namespace ossvp::controller::detail {
namespace {
bool isWholeInt64(double d) {
  // 2^63 is exactly representable; the range check comes before the cast.
  return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && std::trunc(d) == d;
}
}  // namespace

std::string joinPath(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

const nlohmann::json* field(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string describeValue(const nlohmann::json& v) {
  std::string text = v.dump();
  if (text.size() > 64) text = text.substr(0, 61) + "...";
  return text;
}

Status typeError(const std::string& path, const nlohmann::json& v, std::string_view expected) {
  return invalidArgument(path + ": Invalid value: " + describeValue(v) + ": must be " + std::string(expected));
}

Status requireObject(const nlohmann::json& obj, std::string_view path) {
  if (obj.is_object()) return Status::ok();
  return typeError(std::string(path), obj, "an object");
}

Status readString(const nlohmann::json& obj, std::string_view key, std::string_view parent, std::string* out,
                  bool* present) {
  if (present) *present = false;
  const nlohmann::json* v = field(obj, key);
  if (!v) return Status::ok();
  if (!v->is_string()) return typeError(joinPath(parent, key), *v, "a string");
  *out = v->get<std::string>();
  if (present) *present = true;
  return Status::ok();
}

Status readInt64(const nlohmann::json& obj, std::string_view key, std::string_view parent, int64_t* out,
                 bool* present) {
  if (present) *present = false;
  const nlohmann::json* v = field(obj, key);
  if (!v) return Status::ok();
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return typeError(joinPath(parent, key), *v, "an integer that fits in 64 bits");
    }
    *out = v->get<int64_t>();
  } else if (v->is_number_float() && isWholeInt64(v->get<double>())) {
    *out = static_cast<int64_t>(v->get<double>());  // 600.0 written by some YAML/JSON converters
  } else {
    return typeError(joinPath(parent, key), *v, "an integer");
  }
  if (present) *present = true;
  return Status::ok();
}

Status readStringMap(const nlohmann::json& obj, std::string_view key, std::string_view parent,
                     std::map<std::string, std::string>* out) {
  const nlohmann::json* v = field(obj, key);
  if (!v) return Status::ok();
  std::string path = joinPath(parent, key);
  OSSVP_RETURN_IF_ERROR(requireObject(*v, path));
  for (const auto& [k, val] : v->items()) {
    if (!val.is_string()) {
      return typeError(path + "[" + k + "]", val, "a string (quote numbers and booleans in YAML, e.g. \"true\")");
    }
    (*out)[k] = val.get<std::string>();
  }
  return Status::ok();
}

}  // namespace ossvp::controller::detail
