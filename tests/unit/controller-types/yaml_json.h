// Test helper: loads every YAML document of a file with yaml-cpp and converts
// it to nlohmann::json the way the Kubernetes API server reads YAML (plain
// scalars become integers, floats, booleans or null when they look like
// one; quoted scalars always stay strings).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace ossvp_test {

nlohmann::json yamlToJson(const YAML::Node& node);

// All non-empty documents of `path` (throws YAML::Exception on bad YAML).
std::vector<nlohmann::json> loadYamlDocuments(const std::string& path);

// Every *.yaml / *.yml file under `dir` (recursively), sorted.
std::vector<std::string> yamlFilesUnder(const std::string& dir);

// OSSVP_SOURCE_DIR + "/" + relative.
std::string sourcePath(const std::string& relative);

}  // namespace ossvp_test
