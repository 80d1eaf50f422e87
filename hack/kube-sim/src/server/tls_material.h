// TlsMaterial: kube-sim's PKI, created on first start in <state-dir>/pki and
// reused afterwards (so a restarted kube-sim keeps serving the same CA and
// kubeconfigs stay valid): a self-signed CA, a serving certificate for
// 127.0.0.1/localhost signed by it, and an RSA key for service-account tokens.
//
// Thread-safety: plain data after ensureTlsMaterial() returns.
#pragma once

#include <string>

#include "store/api_error.h"

namespace ossvp::kubesim {

struct TlsMaterial {
  std::string caCertFile, caCertPem;
  std::string serverCertFile, serverKeyFile;
  std::string saKeyPem;     // RSA private key (PEM) signing service-account tokens
  std::string saPubKeyPem;  // its public key
  std::string adminToken;   // bearer token written into the kubeconfig
};

// Creates missing files under `dir`; error message on failure.
ApiResult<TlsMaterial> ensureTlsMaterial(const std::string& dir);

}  // namespace ossvp::kubesim
