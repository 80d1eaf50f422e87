#include "ossvp/ossemu/rpc_signature.h"

#include "ossvp/ossclient/encoding.h"
#include "ossvp/ossclient/signer.h"

namespace ossvp::ossemu {

std::string rpcStringToSign(const std::string& method, const std::map<std::string, std::string>& params) {
  std::string canonical;
  for (const auto& [k, v] : params) {  // std::map: sorted by name
    if (k == "Signature") continue;
    if (!canonical.empty()) canonical += '&';
    canonical += ossclient::uriEncode(k, false) + "=" + ossclient::uriEncode(v, false);
  }
  return method + "&%2F&" + ossclient::uriEncode(canonical, false);
}

std::string rpcSignatureV1(const std::string& method, const std::map<std::string, std::string>& params,
                           const std::string& secret) {
  return ossclient::hmacSha1Base64(secret + "&", rpcStringToSign(method, params));
}

}  // namespace ossvp::ossemu
