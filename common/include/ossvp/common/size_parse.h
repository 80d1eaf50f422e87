// Parsing and printing of byte sizes as users write them: "1073741824",
// "512M", "1GiB", "2G", "64KiB" (K/M/G/T, with or without "i"/"B": all
// binary, powers of 1024, as ossfs and Kubernetes quantities "Gi" do).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ossvp/common/result.h"

namespace ossvp {

Result<uint64_t> parseByteSize(std::string_view text);
std::string formatBytes(uint64_t bytes);  // "1.50 GiB"

}  // namespace ossvp
