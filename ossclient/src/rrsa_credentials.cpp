// RRSA for the OSS client: common's RrsaSession (token file, request,
// response, refresh rule) with the STS POST made by curl, honouring the
// client's endpoint overrides and TLS settings.
#include <curl/curl.h>

#include "endpoint.h"
#include "ossvp/common/rrsa_session.h"
#include "ossvp/ossclient/credentials.h"

namespace ossvp::ossclient {
namespace {

size_t appendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// POSTs one StsHttpRequest (anonymous, form-encoded) with curl.
Result<StsHttpReply> curlPost(const RrsaOptions& o, const StsHttpRequest& request) {
  std::string over = overrideFor(o.endpointOverrides, request.host);
  std::string url = (over.empty() ? request.baseUrl : over) + request.target;
  CURL* curl = curl_easy_init();
  if (!curl) return internalError("curl_easy_init failed");
  StsHttpReply reply;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, (std::string("Content-Type: ") + kStsContentType).c_str());
  headers = curl_slist_append(headers, "Accept-Encoding: identity");
  if (!over.empty()) headers = curl_slist_append(headers, ("Host: " + request.host).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, o.verifyTls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, o.verifyTls ? 2L : 0L);
  if (!o.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, o.caFile.c_str());
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return unavailable(curl_easy_strerror(rc));
  reply.status = static_cast<int>(status);
  return reply;
}

class RrsaProvider final : public CredentialsProvider {
 public:
  explicit RrsaProvider(RrsaOptions o)
      : session_(o.rrsa, [o](const StsHttpRequest& r) { return curlPost(o, r); }) {}
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
