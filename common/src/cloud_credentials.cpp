#include "ossvp/common/cloud_credentials.h"

#include <cstdlib>

#include "ossvp/common/secret_redactor.h"

namespace ossvp {

CloudCredentials accessKeyFromEnv() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
  };
  CloudCredentials c;
  c.accessKeyId = env("ALIBABA_CLOUD_ACCESS_KEY_ID");
  c.accessKeySecret = env("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  c.securityToken = env("ALIBABA_CLOUD_SECURITY_TOKEN");
  registerSecret(c.accessKeySecret);
  registerSecret(c.securityToken);
  return c;
}

}  // namespace ossvp
