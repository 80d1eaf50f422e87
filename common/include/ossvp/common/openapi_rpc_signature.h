// Alibaba Cloud OpenAPI RPC-style request signing, signature version 1.0
// (HMAC-SHA1), shared by every party that speaks the NAS data-flow API: the
// controller (client), kube-sim's bmcpfs provisioner (client) and the
// emulator (verifier). The string to sign is
// METHOD&%2F&percentEncode(sorted, percent-encoded query), keyed with
// AccessKeySecret + "&".
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>

namespace ossvp {

// "k1=v1&k2=v2..." over every parameter but Signature, sorted by name and
// percent-encoded (percent_encoding.h: space %20, '*' %2A, '~' kept, '/'
// %2F, as OpenAPI requires): the query string of a signed request, minus its Signature.
std::string rpcCanonicalQuery(const std::map<std::string, std::string>& params);

// "<METHOD>&%2F&<percent-encoded canonical query>".
std::string rpcStringToSign(const std::string& method, const std::map<std::string, std::string>& params);

// base64(HMAC-SHA1(secret + "&", rpcStringToSign(method, params))).
std::string rpcSignatureV1(const std::string& method, const std::map<std::string, std::string>& params,
                           const std::string& secret);

}  // namespace ossvp
