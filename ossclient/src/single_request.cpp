#include "ossvp/ossclient/single_request.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace ossvp::ossclient {
namespace {

size_t appendBody(char* data, size_t size, size_t n, void* user) {
  if (user) static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

Result<SingleReply> sendSingleRequest(const SingleRequest& r) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return internalError("cannot create an HTTP handle (curl_easy_init failed)");
  curl_slist* list = nullptr;
  for (const auto& h : r.headers) list = curl_slist_append(list, h.c_str());
  std::unique_ptr<curl_slist, CurlDeleter> headers(list);
  SingleReply reply;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, r.url.c_str());
  if (r.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
  } else if (r.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  if (r.method != "GET") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
  }
  if (headers) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, r.keepBody ? &reply.body : nullptr);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
  if (r.connectTimeout.count() > 0) {
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connectTimeout.count()));
  }
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, r.verifyTls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, r.verifyTls ? 2L : 0L);
  if (!r.caFile.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, r.caFile.c_str());
  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) return unavailable(curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  reply.status = static_cast<int>(status);
  return reply;
}

}  // namespace ossvp::ossclient
