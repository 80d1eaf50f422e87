// OpenApiCredentials: the controller's own Alibaba Cloud credentials for the
// OpenAPI it calls itself (the NAS/CPFS data-flow API in bmcpfs-dataflow
// mode), from one of:
//   - an AccessKey: ALIBABA_CLOUD_ACCESS_KEY_ID / _ACCESS_KEY_SECRET
//     [/ ALIBABA_CLOUD_SECURITY_TOKEN] (the Deployment fills them from Secret
//     ossvp-controller-credentials);
//   - RRSA: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and
//     ALIBABA_CLOUD_OIDC_TOKEN_FILE (the pod's projected service-account
//     token), exchanged with STS AssumeRoleWithOIDC for temporary
//     credentials, refreshed before they expire with the re-read (rotated)
//     token. The STS endpoint is ALIBABA_CLOUD_STS_ENDPOINT or derived from
//     ALIBABA_CLOUD_STS_REGION (common/sts_oidc.h); a host listed in
//     --endpoint-override maps to its URL.
// An AccessKey wins when both are set. Secrets are registered for redaction.
// The STS exchange is common's RrsaSession; the HTTP call is the
// controller's (http_post.h): the controller does not link ossclient.
//
// Thread-safety: get() may be called concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/common/sts_oidc.h"

namespace ossvp::controller {

class OpenApiCredentials {
 public:
  virtual ~OpenApiCredentials() = default;
  // Current credentials (an STS exchange when due). Errors say what to fix.
  virtual Result<CloudCredentials> get() = 0;
  // Never a secret: "AccessKey from the environment", "RRSA (role ...)".
  virtual std::string describe() const = 0;
};

// The credentials the environment configures. NotFound, naming both ways
// (Secret or RRSA), when neither is set; InvalidArgument for a partial setup.
// `endpointOverrides`: the --endpoint-override list (HOST=URL), used for the
// STS host.
Result<std::shared_ptr<OpenApiCredentials>> openApiCredentialsFromEnvironment(
    const std::vector<std::string>& endpointOverrides);

// An RRSA source for `config` (tests; the env path above uses it).
std::shared_ptr<OpenApiCredentials> makeRrsaOpenApiCredentials(RrsaConfig config,
                                                               std::vector<std::string> endpointOverrides);

// The URL an --endpoint-override (HOST=URL) gives `host`, or "" when none does.
std::string endpointOverrideFor(const std::string& host, const std::vector<std::string>& overrides);

}  // namespace ossvp::controller
