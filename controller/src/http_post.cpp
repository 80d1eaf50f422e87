#include "http_post.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>

// Without the U() macro, which breaks fmt's headers included after it (the
// name is cpprestsdk's switch).
// NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
#define _TURN_OFF_PLATFORM_STRING
#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>

namespace ossvp::controller {
namespace {

namespace client = web::http::client;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string schemeOf(const std::string& url) {
  auto sep = url.find("://");
  return sep == std::string::npos ? "" : lower(url.substr(0, sep));
}

std::string hostOf(const std::string& url) {
  auto sep = url.find("://");
  size_t start = sep == std::string::npos ? 0 : sep + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority.front() == '[') return lower(authority.substr(1, authority.find(']') - 1));
  return lower(authority.substr(0, authority.find(':')));
}

// no_proxy: comma-separated host names or domain suffixes (".example.com" or
// "example.com" both cover sub.example.com), "*" for every host.
bool bypassesProxy(const std::string& host, const char* noProxy) {
  if (!noProxy) return false;
  std::string_view list(noProxy);
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string entry = lower(std::string(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    entry.erase(std::remove_if(entry.begin(), entry.end(), [](unsigned char c) { return std::isspace(c); }),
                entry.end());
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() == '.') entry.erase(0, 1);
    if (host == entry) return true;
    if (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
        host[host.size() - entry.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

const char* firstSet(const EnvLookup& getenv, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const char* v = getenv(n);
    if (v && *v) return v;
  }
  return nullptr;
}

client::http_client_config configFor(const std::string& url, std::chrono::seconds timeout) {
  client::http_client_config cfg;
  cfg.set_timeout(timeout);
  cfg.set_validate_certificates(true);
  std::string proxy = proxyForUrl(url, [](const char* n) -> const char* { return std::getenv(n); });
  if (!proxy.empty()) {
    web::uri proxyUri(proxy);
    web::web_proxy webProxy(proxyUri);
    const std::string userInfo = web::uri::decode(proxyUri.user_info());
    if (auto colon = userInfo.find(':'); !userInfo.empty()) {
      webProxy.set_credentials(
          web::credentials(userInfo.substr(0, colon), colon == std::string::npos ? "" : userInfo.substr(colon + 1)));
    }
    cfg.set_proxy(webProxy);
  }
  return cfg;
}

}  // namespace

std::string proxyForUrl(const std::string& url, const EnvLookup& getenv) {
  if (bypassesProxy(hostOf(url), firstSet(getenv, {"no_proxy", "NO_PROXY"}))) return "";
  const std::string scheme = schemeOf(url);
  // curl reads http_proxy only in lower case (a CGI request can set HTTP_PROXY).
  const char* proxy =
      scheme == "https" ? firstSet(getenv, {"https_proxy", "HTTPS_PROXY"}) : firstSet(getenv, {"http_proxy"});
  if (!proxy) proxy = firstSet(getenv, {"all_proxy", "ALL_PROXY"});
  if (!proxy) return "";
  std::string p(proxy);
  return p.find("://") == std::string::npos ? "http://" + p : p;
}

Result<PostReply> httpPost(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                           std::chrono::seconds timeout) {
  // Messages name neither the URL nor the body: both may carry secrets.
  web::uri target;
  try {
    target = web::uri(url);
  } catch (const web::uri_exception&) {
    return invalidArgument("the OpenAPI endpoint URL is not a valid URL (check --cpfs-endpoint and the STS endpoint)");
  }
  client::http_client_config config;
  try {
    config = configFor(url, timeout);
  } catch (const web::uri_exception&) {
    return invalidArgument("the proxy URL in https_proxy, http_proxy or all_proxy is not a valid URL");
  }
  try {
    web::uri_builder base;
    base.set_scheme(target.scheme()).set_host(target.host()).set_port(target.port());
    client::http_client http(base.to_uri(), config);
    web::http::http_request req(web::http::methods::POST);
    req.set_request_uri(target.resource());
    for (const auto& line : headers) {
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      auto value = line.find_first_not_of(' ', colon + 1);
      req.headers().add(line.substr(0, colon), value == std::string::npos ? "" : line.substr(value));
    }
    // A byte buffer, not set_body(std::string): that overload views a char
    // buffer as an unsigned-char one inside cpprest (UBSan vptr report).
    std::vector<uint8_t> bytes(body.begin(), body.end());
    const auto size = bytes.size();
    std::string contentType = "application/x-www-form-urlencoded";  // curl's default for a POST
    req.headers().match(web::http::header_names::content_type, contentType);
    req.set_body(Concurrency::streams::bytestream::open_istream(std::move(bytes)), size, contentType);
    web::http::http_response resp = http.request(req).get();
    PostReply reply;
    reply.status = resp.status_code();
    reply.body = resp.extract_utf8string(true).get();
    return reply;
  } catch (const std::exception& e) {
    return unavailable(e.what());
  }
}

}  // namespace ossvp::controller
