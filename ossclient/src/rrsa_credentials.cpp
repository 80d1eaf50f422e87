// RRSA: exchange the pod's projected OIDC token for STS credentials with
// AssumeRoleWithOIDC (anonymous POST), cache them and refresh before expiry.
#include <curl/curl.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>

#include "endpoint.h"
#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossclient/credentials.h"
#include "ossvp/ossclient/encoding.h"
#include "ossvp/ossclient/time_format.h"

namespace ossvp::ossclient {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

size_t appendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

class RrsaProvider final : public CredentialsProvider {
 public:
  explicit RrsaProvider(RrsaOptions o) : o_(std::move(o)) {}

  Result<Credentials> get() override {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::system_clock::now();
    if (cached_ && (!cached_->expiration || *cached_->expiration - now > o_.refreshBefore)) return *cached_;
    Result<Credentials> fresh = fetch();
    if (fresh.isOk()) {
      cached_ = fresh.value();
      logInfo("RRSA: obtained STS credentials for role {} (AccessKeyId {})", o_.roleArn, cached_->accessKeyId);
      return *cached_;
    }
    if (cached_ && cached_->expiration && *cached_->expiration > now) {
      logWarn("RRSA: refresh failed, using current credentials until they expire: {}", fresh.status().toString());
      return *cached_;
    }
    return fresh.status();
  }

  std::string describe() const override { return "RRSA (role " + o_.roleArn + ")"; }

 private:
  Result<Credentials> fetch() {
    std::ifstream in(o_.oidcTokenFile);
    if (!in) {
      return Status(StatusCode::Unauthenticated,
                    "cannot read the OIDC token file '" + o_.oidcTokenFile +
                        "' (ALIBABA_CLOUD_OIDC_TOKEN_FILE): is the RRSA projected token volume mounted?");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string token = ss.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    registerSecret(token);
    if (token.empty()) return Status(StatusCode::Unauthenticated, "the OIDC token file '" + o_.oidcTokenFile + "' is empty");

    std::string endpoint = o_.stsEndpoint;
    if (endpoint.find("://") == std::string::npos) endpoint = "https://" + endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    std::string hostPort = endpoint.substr(endpoint.find("://") + 3);
    std::string query = "Action=AssumeRoleWithOIDC&Version=2015-04-01&Format=JSON&Timestamp=" +
                        uriEncode(formatIso8601Extended(std::time(nullptr)).substr(0, 19) + "Z", false);
    std::string over = overrideFor(o_.endpointOverrides, hostPort);
    std::string url = (over.empty() ? endpoint : over) + "/?" + query;
    std::string form = "RoleArn=" + uriEncode(o_.roleArn, false) + "&OIDCProviderArn=" +
                       uriEncode(o_.oidcProviderArn, false) + "&OIDCToken=" + uriEncode(token, false) +
                       "&RoleSessionName=" + uriEncode(o_.roleSessionName, false) +
                       "&DurationSeconds=" + std::to_string(o_.durationSeconds);

    CURL* curl = curl_easy_init();
    if (!curl) return internalError("curl_easy_init failed");
    std::string body;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
    headers = curl_slist_append(headers, "Accept-Encoding: identity");
    std::string hostHeader = "Host: " + hostPort;
    if (!over.empty()) headers = curl_slist_append(headers, hostHeader.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(form.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(o_.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, o_.verifyTls ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, o_.verifyTls ? 2L : 0L);
    if (!o_.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, o_.caFile.c_str());
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      return unavailable("STS AssumeRoleWithOIDC request to " + endpoint + " failed: " + curl_easy_strerror(rc) +
                         " (set ALIBABA_CLOUD_STS_ENDPOINT to a reachable STS endpoint)");
    }
    return parseStsCredentialsResponse(static_cast<int>(status), body);
  }

  const RrsaOptions o_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

}  // namespace

Result<RrsaOptions> rrsaOptionsFromEnv() {
  RrsaOptions o;
  o.roleArn = env("ALIBABA_CLOUD_ROLE_ARN");
  o.oidcProviderArn = env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN");
  o.oidcTokenFile = env("ALIBABA_CLOUD_OIDC_TOKEN_FILE");
  if (o.roleArn.empty()) return notFound("ALIBABA_CLOUD_ROLE_ARN is not set");
  if (o.oidcProviderArn.empty() || o.oidcTokenFile.empty()) {
    return invalidArgument("RRSA: ALIBABA_CLOUD_ROLE_ARN is set but ALIBABA_CLOUD_OIDC_PROVIDER_ARN and "
                           "ALIBABA_CLOUD_OIDC_TOKEN_FILE must be set too");
  }
  o.stsEndpoint = env("ALIBABA_CLOUD_STS_ENDPOINT");
  if (o.stsEndpoint.empty()) {
    std::string region = env("ALIBABA_CLOUD_STS_REGION");
    bool vpc = env("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED") == "true";
    if (region.empty()) {
      o.stsEndpoint = "sts.aliyuncs.com";
    } else {
      o.stsEndpoint = (vpc ? "sts-vpc." : "sts.") + region + ".aliyuncs.com";
    }
  }
  if (std::string name = env("ALIBABA_CLOUD_ROLE_SESSION_NAME"); !name.empty()) o.roleSessionName = name;
  return o;
}

Result<std::shared_ptr<CredentialsProvider>> makeRrsaCredentialsProvider(RrsaOptions options) {
  if (options.roleArn.empty() || options.oidcProviderArn.empty() || options.oidcTokenFile.empty()) {
    return invalidArgument("RRSA needs a role ARN, an OIDC provider ARN and an OIDC token file");
  }
  if (options.durationSeconds < 900) options.durationSeconds = 900;
  if (options.stsEndpoint.empty()) options.stsEndpoint = "sts.aliyuncs.com";
  return std::shared_ptr<CredentialsProvider>(std::make_shared<RrsaProvider>(std::move(options)));
}

}  // namespace ossvp::ossclient
