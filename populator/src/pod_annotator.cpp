#include "ossvp/populator/pod_annotator.h"

#include <curl/curl.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>

#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"

namespace ossvp::populator {

namespace {

constexpr const char* kSaDir = "/var/run/secrets/kubernetes.io/serviceaccount";

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

bool fileExists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

size_t discardBody(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

}  // namespace

std::optional<PodTarget> detectPodTarget() {
  PodTarget t;
  t.pod = envOr("POD_NAME", "");
  t.ns = envOr("POD_NAMESPACE", "");
  if (t.pod.empty() || t.ns.empty()) return std::nullopt;
  t.tokenFile = envOr("OSSVP_KUBE_TOKEN_FILE", std::string(kSaDir) + "/token");
  if (!fileExists(t.tokenFile)) return std::nullopt;
  t.caFile = envOr("OSSVP_KUBE_CA_FILE", std::string(kSaDir) + "/ca.crt");
  if (!fileExists(t.caFile)) t.caFile.clear();
  t.apiUrl = envOr("OSSVP_KUBE_API_URL", "");
  if (t.apiUrl.empty()) {
    std::string host = envOr("KUBERNETES_SERVICE_HOST", "");
    std::string port = envOr("KUBERNETES_SERVICE_PORT", "443");
    if (host.empty()) return std::nullopt;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6
    t.apiUrl = "https://" + host + ":" + port;
  }
  while (!t.apiUrl.empty() && t.apiUrl.back() == '/') t.apiUrl.pop_back();
  return t;
}

std::string progressPatchBody(const std::string& progressJson) {
  nlohmann::json j;
  j["metadata"]["annotations"][kProgressAnnotation] = progressJson;
  return j.dump();
}

PodAnnotator::PodAnnotator(PodTarget target) : target_(std::move(target)) {}

Status PodAnnotator::patch(const std::string& progressJson) {
  std::ifstream in(target_.tokenFile);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return Status(StatusCode::Unauthenticated, "service-account token file is empty");
  registerSecret(token);

  CURL* curl = curl_easy_init();
  if (!curl) return internalError("curl_easy_init failed");
  std::string url = fmt::format("{}/api/v1/namespaces/{}/pods/{}", target_.apiUrl, target_.ns, target_.pod);
  std::string body = progressPatchBody(progressJson);
  std::string auth = "Authorization: Bearer " + token;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/merge-patch+json");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, auth.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PATCH");
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discardBody);
  if (!target_.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, target_.caFile.c_str());
  CURLcode rc = curl_easy_perform(curl);
  long http = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  Status st;
  if (rc != CURLE_OK) {
    st = unavailable(fmt::format("PATCH pod {}/{}: {}", target_.ns, target_.pod, curl_easy_strerror(rc)));
  } else if (http < 200 || http >= 300) {
    st = unavailable(fmt::format("PATCH pod {}/{}: HTTP {} (the populator's ServiceAccount needs 'patch' on pods)",
                                 target_.ns, target_.pod, http));
  }
  if (!st.isOk()) {
    // Log the first failure and then every 30th: a missing RBAC rule must not flood the log.
    if (failures_++ % 30 == 0) logWarn("progress annotation not updated (copy continues): {}", st.message());
  } else {
    failures_ = 0;
  }
  return st;
}

}  // namespace ossvp::populator
