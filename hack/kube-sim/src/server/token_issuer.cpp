#include "server/token_issuer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <ctime>

#include "ossvp/common/base64.h"
#include "ossvp/common/rfc3339.h"

namespace ossvp::kubesim {

struct TokenIssuer::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

std::string bnParam(EVP_PKEY* k, const char* name) {
  BIGNUM* bn = nullptr;
  if (!EVP_PKEY_get_bn_param(k, name, &bn)) return "";
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return bytes;
}

}  // namespace

TokenIssuer::TokenIssuer(const std::string& privateKeyPem, ObjectStore* store)
    : key_(std::make_unique<Key>()), store_(store) {
  BIO* bio = BIO_new_mem_buf(privateKeyPem.data(), static_cast<int>(privateKeyPem.size()));
  key_->pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
}

TokenIssuer::~TokenIssuer() = default;

ApiResult<MintedToken> TokenIssuer::mint(const TokenRequestSpec& spec) const {
  if (!key_->pkey) return errInternal("service-account signing key is not loaded");
  auto sa = store_->get(gvr::kServiceAccounts, spec.ns, spec.serviceAccount);
  if (!sa) return sa.error();
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  int64_t ttl = spec.expirationSeconds > 0 ? spec.expirationSeconds : 3600;
  if (ttl < 600) ttl = 600;  // the API server's minimum
  json aud = spec.audiences.empty() ? json::array({kIssuer}) : json(spec.audiences);
  json claims = {
      {"iss", kIssuer},
      {"sub", "system:serviceaccount:" + spec.ns + ":" + spec.serviceAccount},
      {"aud", aud},
      {"iat", now},
      {"nbf", now},
      {"exp", now + ttl},
      {"kubernetes.io",
       {{"namespace", spec.ns},
        {"serviceaccount", {{"name", spec.serviceAccount}, {"uid", (*sa)["metadata"].value("uid", "")}}}}},
  };
  if (spec.boundObjectRef.is_object() && spec.boundObjectRef.value("kind", "") == "Pod") {
    claims["kubernetes.io"]["pod"] = {{"name", spec.boundObjectRef.value("name", "")},
                                      {"uid", spec.boundObjectRef.value("uid", "")}};
  }
  json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "kube-sim"}};
  std::string signingInput = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t sigLen = 0;
  std::string sig;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(ctx, nullptr, &sigLen, reinterpret_cast<const unsigned char*>(signingInput.data()),
                           signingInput.size()) == 1;
  if (ok) {
    sig.resize(sigLen);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &sigLen,
                        reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size()) == 1;
    sig.resize(sigLen);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return errInternal("signing the service-account token failed");
  return MintedToken{signingInput + "." + base64UrlEncode(sig), formatRfc3339(now + ttl)};
}

std::optional<VerifiedToken> TokenIssuer::verify(const std::string& token) const {
  size_t d1 = token.find('.');
  size_t d2 = token.rfind('.');
  if (d1 == std::string::npos || d2 == d1 || !key_->pkey) return std::nullopt;
  std::string input = token.substr(0, d2);
  std::optional<std::string> sig = base64UrlDecode(token.substr(d2 + 1));
  std::optional<std::string> payload = base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!sig || !payload) return std::nullopt;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  json claims = json::parse(*payload, nullptr, false);
  if (!claims.is_object()) return std::nullopt;
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (claims.value("exp", int64_t{0}) < now) return std::nullopt;
  VerifiedToken v;
  v.claims = claims;
  const json& k = claims.value("kubernetes.io", json::object());
  v.ns = k.value("namespace", "");
  v.serviceAccount = k.contains("serviceaccount") ? k["serviceaccount"].value("name", "") : "";
  return v;
}

json TokenIssuer::jwks() const {
  if (!key_->pkey) return {{"keys", json::array()}};
  return {{"keys", json::array({{{"kty", "RSA"},
                                 {"alg", "RS256"},
                                 {"use", "sig"},
                                 {"kid", "kube-sim"},
                                 {"n", base64UrlEncode(bnParam(key_->pkey, OSSL_PKEY_PARAM_RSA_N))},
                                 {"e", base64UrlEncode(bnParam(key_->pkey, OSSL_PKEY_PARAM_RSA_E))}}})}};
}

}  // namespace ossvp::kubesim
