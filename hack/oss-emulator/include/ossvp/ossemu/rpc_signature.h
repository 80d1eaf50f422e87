// Alibaba Cloud OpenAPI RPC signature V1 (HMAC-SHA1), used to verify the NAS
// data-flow calls: sort all parameters but Signature, RFC 3986-encode names
// and values, join "k=v&...", StringToSign = METHOD + "&%2F&" +
// encode(canonical), Signature = base64(HMAC-SHA1(secret + "&", StringToSign)).
// (Not in ossclient, which speaks only OSS/S3 signatures.)
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>

namespace ossvp::ossemu {

std::string rpcStringToSign(const std::string& method, const std::map<std::string, std::string>& params);
std::string rpcSignatureV1(const std::string& method, const std::map<std::string, std::string>& params,
                           const std::string& secret);

}  // namespace ossvp::ossemu
