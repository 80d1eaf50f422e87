#include "actors/container_config.h"

#include <cctype>

namespace ossvp::kubesim {

std::string runAsNonRootViolation(const ContainerConfig& c, const std::string& imageUser) {
  if (!c.runAsNonRoot) return "";
  std::string where =
      " (pod: \"" + c.podName + "_" + c.podNamespace + "(" + c.podUid + ")\", container: " + c.name + ")";
  if (c.runAsUser) return *c.runAsUser == 0 ? "Error: container's runAsUser breaks non-root policy" + where : "";
  std::string user = imageUser.substr(0, imageUser.find(':'));
  if (user.empty() || user == "0" || user == "root") {
    return "Error: container has runAsNonRoot and image will run as root" + where;
  }
  for (char ch : user) {
    if (!std::isdigit(static_cast<unsigned char>(ch))) {
      return "Error: container has runAsNonRoot and image has non-numeric user (" + user +
             "), cannot verify user is non-root" + where;
    }
  }
  return "";
}

}  // namespace ossvp::kubesim
