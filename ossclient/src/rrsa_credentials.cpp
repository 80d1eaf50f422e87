// RRSA for the OSS client: common's RrsaSession (token file, request,
// response, refresh rule) with the STS POST sent by sendSingleRequest,
// honouring the client's endpoint overrides and TLS settings.
#include "endpoint.h"
#include "ossvp/common/rrsa_session.h"
#include "ossvp/ossclient/credentials.h"
#include "ossvp/ossclient/single_request.h"

namespace ossvp::ossclient {
namespace {

// POSTs one StsHttpRequest (anonymous, form-encoded).
Result<StsHttpReply> stsPost(const RrsaOptions& o, const StsHttpRequest& request) {
  std::string over = overrideFor(o.endpointOverrides, request.host);
  SingleRequest r;
  r.method = "POST";
  r.url = (over.empty() ? request.baseUrl : over) + request.target;
  r.headers = {std::string("Content-Type: ") + kStsContentType, "Accept-Encoding: identity"};
  if (!over.empty()) r.headers.push_back("Host: " + request.host);
  r.body = request.body;
  r.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(o.timeout);
  r.verifyTls = o.verifyTls;
  r.caFile = o.caFile;
  OSSVP_ASSIGN_OR_RETURN(SingleReply reply, sendSingleRequest(r));
  return StsHttpReply{reply.status, std::move(reply.body)};
}

class RrsaProvider final : public CredentialsProvider {
 public:
  explicit RrsaProvider(RrsaOptions o) : session_(o.rrsa, [o](const StsHttpRequest& r) { return stsPost(o, r); }) {}
  Result<Credentials> get() override { return session_.get(); }
  std::string describe() const override { return session_.describe(); }

 private:
  RrsaSession session_;
};

}  // namespace

Result<std::shared_ptr<CredentialsProvider>> makeRrsaCredentialsProvider(RrsaOptions options) {
  if (options.rrsa.roleArn.empty() || options.rrsa.oidcProviderArn.empty() || options.rrsa.oidcTokenFile.empty()) {
    return invalidArgument("RRSA needs a role ARN, an OIDC provider ARN and an OIDC token file");
  }
  return std::shared_ptr<CredentialsProvider>(std::make_shared<RrsaProvider>(std::move(options)));
}

}  // namespace ossvp::ossclient
