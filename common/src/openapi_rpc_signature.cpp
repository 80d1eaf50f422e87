#include "ossvp/common/openapi_rpc_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ossvp/common/base64.h"
#include "ossvp/common/percent_encoding.h"

namespace ossvp {

std::string rpcCanonicalQuery(const std::map<std::string, std::string>& params) {
  std::string query;
  for (const auto& [k, v] : params) {  // std::map: sorted by name
    if (k == "Signature") continue;
    if (!query.empty()) query += '&';
    query += percentEncode(k) + "=" + percentEncode(v);
  }
  return query;
}

std::string rpcStringToSign(const std::string& method, const std::map<std::string, std::string>& params) {
  return method + "&%2F&" + percentEncode(rpcCanonicalQuery(params));
}

std::string rpcSignatureV1(const std::string& method, const std::map<std::string, std::string>& params,
                           const std::string& secret) {
  const std::string key = secret + "&";
  const std::string msg = rpcStringToSign(method, params);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &macLen);
  return base64Encode(std::string_view(reinterpret_cast<const char*>(mac), macLen));
}

}  // namespace ossvp
