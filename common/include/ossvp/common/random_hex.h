// randomHex: `bytes` bytes from the OpenSSL CSPRNG as 2*bytes lowercase hex
// digits, for nonces, ids and generated tokens.
//
// Thread-safety: safe for concurrent calls.
#pragma once

#include <cstddef>
#include <string>

namespace ossvp {

std::string randomHex(size_t bytes);

}  // namespace ossvp
