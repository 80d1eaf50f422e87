#include "ossvp/common/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <regex>
#include <string>

namespace ossvp {
namespace {

using nlohmann::json;

bool parseInteger(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// YAML 1.1's float form without .inf/.nan (JSON has neither): "1.5", ".5",
// "1.", "-2e3", "1.5E+3", and integers too large for int64.
bool parseFloat(const std::string& s, double* out) {
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (!std::regex_match(s, kFloat)) return false;
  try {
    *out = std::stod(s);
    return true;
  } catch (const std::out_of_range&) {
    return false;
  }
}

json plainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  int64_t i = 0;
  if (parseInteger(s, &i)) return i;
  double d = 0;
  if (parseFloat(s, &d)) return d;
  return s;
}

json convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted, literal and folded scalars "!", plain ones "?".
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return node.Scalar();
      return plainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const auto& item : node) arr.push_back(convert(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = convert(kv.second);
      return obj;
    }
  }
  return nullptr;
}

Status yamlError(const YAML::Exception& e) { return invalidArgument(e.what()); }

}  // namespace

Result<json> yamlToJson(std::string_view text) {
  try {
    return convert(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    return yamlError(e);
  }
}

Result<std::vector<json>> yamlDocumentsToJson(std::string_view text) {
  try {
    std::vector<json> docs;
    for (const YAML::Node& doc : YAML::LoadAll(std::string(text))) {
      json j = convert(doc);
      if (!j.is_null()) docs.push_back(std::move(j));
    }
    return docs;
  } catch (const YAML::Exception& e) {
    return yamlError(e);
  }
}

}  // namespace ossvp
