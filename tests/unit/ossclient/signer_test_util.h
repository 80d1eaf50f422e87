// Helpers shared by the signer tests.
#pragma once

#include <string>

#include "ossvp/ossclient/signer.h"

namespace ossvp::ossclient::testutil {

// The value of query parameter `k`, or "<absent>".
inline std::string param(const QueryParams& q, const std::string& k) {
  for (const auto& [key, v] : q) {
    if (key == k) return v;
  }
  return "<absent>";
}

}  // namespace ossvp::ossclient::testutil
