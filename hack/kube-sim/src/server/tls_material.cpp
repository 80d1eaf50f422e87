#include "server/tls_material.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ossvp/common/random_hex.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace ossvp::kubesim {
namespace {

namespace fs = std::filesystem;

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool writeFile(const fs::path& p, const std::string& data, bool secret) {
  fs::path tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << data;
  }
  if (secret) fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write);
  std::error_code ec;
  fs::rename(tmp, p, ec);
  return !ec;
}

PkeyPtr genEc() { return PkeyPtr(EVP_EC_gen("P-256"), EVP_PKEY_free); }
PkeyPtr genRsa() { return PkeyPtr(EVP_RSA_gen(2048), EVP_PKEY_free); }

std::string keyPem(EVP_PKEY* k) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
  char* data;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(bio);
  return s;
}

std::string pubPem(EVP_PKEY* k) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, k);
  char* data;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(bio);
  return s;
}

std::string certPem(X509* c) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, c);
  char* data;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<size_t>(n));
  BIO_free(bio);
  return s;
}

PkeyPtr loadKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return PkeyPtr(k, EVP_PKEY_free);
}

X509Ptr loadCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return X509Ptr(c, X509_free);
}

void addExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
}

X509Ptr makeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuerKey, bool ca) {
  X509Ptr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer ? issuer : cert.get();
  if (ca) {
    addExt(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    addExt(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    addExt(cert.get(), iss, NID_subject_key_identifier, "hash");
  } else {
    addExt(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    addExt(cert.get(), iss, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    addExt(cert.get(), iss, NID_ext_key_usage, "serverAuth");
    addExt(cert.get(), iss, NID_subject_alt_name,
           "IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc");
    addExt(cert.get(), iss, NID_authority_key_identifier, "keyid:always");
  }
  X509_sign(cert.get(), issuerKey ? issuerKey : key, EVP_sha256());
  return cert;
}

}  // namespace

ApiResult<TlsMaterial> ensureTlsMaterial(const std::string& dirStr) {
  fs::path dir(dirStr);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return errInternal("cannot create PKI directory " + dirStr + ": " + ec.message());
  fs::path caCrt = dir / "ca.crt", caKey = dir / "ca.key", srvCrt = dir / "server.crt", srvKey = dir / "server.key",
           saKey = dir / "sa.key", token = dir / "admin.token";
  if (!fs::exists(caCrt) || !fs::exists(caKey)) {
    PkeyPtr key = genEc();
    X509Ptr cert = makeCert(key.get(), "kube-sim-ca", nullptr, nullptr, true);
    if (!writeFile(caKey, keyPem(key.get()), true) || !writeFile(caCrt, certPem(cert.get()), false)) {
      return errInternal("cannot write CA files in " + dirStr);
    }
    fs::remove(srvCrt, ec);
  }
  if (!fs::exists(srvCrt) || !fs::exists(srvKey)) {
    PkeyPtr caK = loadKey(readFile(caKey));
    X509Ptr caC = loadCert(readFile(caCrt));
    if (!caK || !caC) return errInternal("unreadable CA in " + dirStr + ": delete the directory to regenerate it");
    PkeyPtr key = genEc();
    X509Ptr cert = makeCert(key.get(), "kube-apiserver", caC.get(), caK.get(), false);
    if (!writeFile(srvKey, keyPem(key.get()), true) || !writeFile(srvCrt, certPem(cert.get()), false)) {
      return errInternal("cannot write serving certificate in " + dirStr);
    }
  }
  if (!fs::exists(saKey)) {
    PkeyPtr key = genRsa();
    if (!writeFile(saKey, keyPem(key.get()), true)) return errInternal("cannot write " + saKey.string());
  }
  if (!fs::exists(token)) {
    if (!writeFile(token, ossvp::randomHex(24), true)) return errInternal("cannot write " + token.string());
  }
  TlsMaterial m;
  m.caCertFile = caCrt.string();
  m.caCertPem = readFile(caCrt);
  m.serverCertFile = srvCrt.string();
  m.serverKeyFile = srvKey.string();
  m.saKeyPem = readFile(saKey);
  PkeyPtr sk = loadKey(m.saKeyPem);
  if (!sk) return errInternal("unreadable " + saKey.string() + ": delete it to regenerate");
  m.saPubKeyPem = pubPem(sk.get());
  m.adminToken = readFile(token);
  return m;
}

}  // namespace ossvp::kubesim
