// Test helper: the YAML files of the source tree (crds/, manifests/) as
// nlohmann::json documents, converted by common's yamlDocumentsToJson (the
// Kubernetes API server's reading of YAML).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ossvp_test {

// All non-empty documents of `path`; throws std::runtime_error naming the
// file when it cannot be read or is not valid YAML.
std::vector<nlohmann::json> loadYamlDocuments(const std::string& path);

// Every *.yaml / *.yml file under `dir` (recursively), sorted.
std::vector<std::string> yamlFilesUnder(const std::string& dir);

// OSSVP_SOURCE_DIR + "/" + relative.
std::string sourcePath(const std::string& relative);

}  // namespace ossvp_test
