#include "yaml_json.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

namespace ossvp_test {
namespace {

bool parseInteger(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data() + (s[0] == '+' ? 1 : 0), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool parseFloat(const std::string& s, double* out) {
  if (s.empty() || s.find_first_not_of("0123456789.eE+-") != std::string::npos) return false;
  if (s.find_first_of("0123456789") == std::string::npos) return false;
  try {
    size_t used = 0;
    *out = std::stod(s, &used);
    return used == s.size();
  } catch (...) {
    return false;
  }
}

nlohmann::json plainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  int64_t i = 0;
  if (parseInteger(s, &i)) return i;
  double d = 0;
  if (parseFloat(s, &d)) return d;
  return s;
}

}  // namespace

nlohmann::json yamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted (and literal/folded) scalars "!", plain ones "?".
      return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : plainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(yamlToJson(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = yamlToJson(kv.second);
      return obj;
    }
  }
  return nullptr;
}

std::vector<nlohmann::json> loadYamlDocuments(const std::string& path) {
  std::vector<nlohmann::json> docs;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(path)) {
    nlohmann::json j = yamlToJson(doc);
    if (!j.is_null()) docs.push_back(std::move(j));
  }
  return docs;
}

std::vector<std::string> yamlFilesUnder(const std::string& dir) {
  std::vector<std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string sourcePath(const std::string& relative) { return std::string(OSSVP_SOURCE_DIR) + "/" + relative; }

}  // namespace ossvp_test
