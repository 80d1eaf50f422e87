#include "ossvp/common/openapi_rpc_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace ossvp {

std::string rpcPercentEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string rpcCanonicalQuery(const std::map<std::string, std::string>& params) {
  std::string query;
  for (const auto& [k, v] : params) {  // std::map: sorted by name
    if (k == "Signature") continue;
    if (!query.empty()) query += '&';
    query += rpcPercentEncode(k) + "=" + rpcPercentEncode(v);
  }
  return query;
}

std::string rpcStringToSign(const std::string& method, const std::map<std::string, std::string>& params) {
  return method + "&%2F&" + rpcPercentEncode(rpcCanonicalQuery(params));
}

std::string rpcSignatureV1(const std::string& method, const std::map<std::string, std::string>& params,
                           const std::string& secret) {
  const std::string key = secret + "&";
  const std::string msg = rpcStringToSign(method, params);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &macLen);
  std::string out(4 * ((macLen + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(macLen));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace ossvp
