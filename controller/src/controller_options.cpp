#include "ossvp/controller/controller_options.h"

#include <sstream>

namespace ossvp::controller {
namespace {
const char* kGateVolumePopulator = "VolumePopulator";
const char* kGatePodHandler = "VolumePopulatorPodHandler";

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
}  // namespace

Result<std::map<std::string, bool>> parseFeatureGates(const std::string& text) {
  std::map<std::string, bool> gates;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      return invalidArgument("--feature-gates: '" + item + "' must be NAME=true or NAME=false");
    }
    std::string name = trim(item.substr(0, eq));
    std::string value = trim(item.substr(eq + 1));
    if (name != kGateVolumePopulator && name != kGatePodHandler) {
      return invalidArgument("--feature-gates: unknown gate '" + name + "' (known: " + kGateVolumePopulator + ", " +
                             kGatePodHandler + ")");
    }
    if (value != "true" && value != "false") {
      return invalidArgument("--feature-gates: " + name + " must be true or false, not '" + value + "'");
    }
    gates[name] = value == "true";
  }
  return gates;
}

void applyFeatureGates(const std::map<std::string, bool>& gates, ControllerOptions* options) {
  if (auto it = gates.find(kGateVolumePopulator); it != gates.end()) options->volumePopulatorEnabled = it->second;
  if (auto it = gates.find(kGatePodHandler); it != gates.end()) options->podHandlerEnabled = it->second;
}

}  // namespace ossvp::controller
