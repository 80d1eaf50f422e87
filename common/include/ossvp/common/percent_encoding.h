// RFC 3986 percent-encoding, the one encoder and decoder of the project: OSS
// object paths and queries, the OSS V1/V4 and AWS SigV4 canonical requests,
// Alibaba Cloud OpenAPI (POP) RPC signing, and the request targets the
// emulator and kube-sim receive.
//
// Encoding keeps the unreserved set A-Z a-z 0-9 - . _ ~ literal and writes
// every other byte as %XX in upper case: a space is %20 (never '+'), '*' is
// %2A and '~' stays '~', which is what the POP rules ("%20", "%2A", "%7E"
// back to '~') and SigV4 both produce. '/' is encoded unless the caller keeps
// it (object paths).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ossvp {

enum class SlashEncoding { kEncode, kKeep };

std::string percentEncode(std::string_view raw, SlashEncoding slash = SlashEncoding::kEncode);

// Decodes %XX (either hex case); a '%' not followed by two hex digits stays
// literal. '+' becomes a space only when plusAsSpace (HTML form bodies); URL
// paths, queries and OSS list responses keep '+' literal.
std::string percentDecode(std::string_view encoded, bool plusAsSpace = false);

}  // namespace ossvp
