#include "ossvp/ossclient/encoding.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <array>

#include "ossvp/common/base64.h"
#include "ossvp/common/hex.h"

namespace ossvp::ossclient {
namespace {

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

}  // namespace

std::string hexEncode(std::string_view bytes) { return ossvp::hexEncode(bytes, HexCase::Lower); }

std::string sha256Hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return hexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string hmacSha1(std::string_view key, std::string_view data) { return hmac(EVP_sha1(), key, data); }
std::string hmacSha256(std::string_view key, std::string_view data) { return hmac(EVP_sha256(), key, data); }

std::string md5Base64(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_md5(), nullptr);
  return base64Encode(std::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

}  // namespace ossvp::ossclient
