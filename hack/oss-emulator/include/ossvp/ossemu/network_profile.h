// NetworkProfile: a named network shape the emulator imposes on every
// operation, so benchmarks compare clients under the conditions they meet:
//  - "loopback": 5 ms first-byte latency, no bandwidth cap (one connection
//    can carry the whole machine's bandwidth);
//  - "cloud": 10 ms first-byte latency and 200 Mbit/s per connection in
//    both directions (response bodies and PutObject/UploadPart bodies), so a
//    client must keep many requests in flight to use the host's bandwidth,
//    as against real OSS (README: "Network profiles").
// Explicit --latency-ms / --bandwidth-mbps flags override a profile's values.
//
// Thread-safety: plain functions over value types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::ossemu {

struct NetworkProfile {
  std::string name;
  int latencyMs = 0;
  double bandwidthMbps = 0;  // per connection, each direction; 0 = unlimited
};

// The profile called `name`, or an error that lists the known names.
Result<NetworkProfile> networkProfile(std::string_view name);

// Every known profile, in the order the help text lists them.
std::vector<NetworkProfile> networkProfiles();

}  // namespace ossvp::ossemu
