#include "ossvp/ossemu/network_profile.h"

namespace ossvp::ossemu {

std::vector<NetworkProfile> networkProfiles() {
  return {
      NetworkProfile{"loopback", 5, 0},
      NetworkProfile{"cloud", 10, 200},
  };
}

Result<NetworkProfile> networkProfile(std::string_view name) {
  std::string known;
  for (const NetworkProfile& p : networkProfiles()) {
    if (p.name == name) return p;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  return invalidArgument("unknown --profile '" + std::string(name) + "': use one of " + known);
}

}  // namespace ossvp::ossemu
