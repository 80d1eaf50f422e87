#include "yaml_json.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ossvp/common/yaml_json.h"

namespace ossvp_test {

std::vector<nlohmann::json> loadYamlDocuments(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto docs = ossvp::yamlDocumentsToJson(text.str());
  if (!docs.isOk()) throw std::runtime_error(path + ": " + docs.status().message());
  return std::move(docs).value();
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
