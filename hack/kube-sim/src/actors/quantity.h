// Kubernetes resource quantities ("1Gi", "500M", "2e9", "1.5Gi", "100k") as
// PVC requests and PV capacities carry them, converted to bytes. Binary
// suffixes (Ki Mi Gi Ti Pi Ei) are powers of 1024, decimal ones (k M G T P E)
// powers of 1000, exactly as apimachinery's resource.Quantity reads them.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ossvp::kubesim {

// Bytes for a quantity, rounded up to a whole byte; nullopt when malformed.
std::optional<uint64_t> parseQuantity(std::string_view text);

// The canonical form of a byte count: the largest binary suffix dividing it
// exactly ("1Gi", "1536Mi", "10"), as kubectl prints capacities.
std::string formatQuantity(uint64_t bytes);

}  // namespace ossvp::kubesim
