#include "actors/nas_client.h"

#include <cctype>
#include <chrono>
#include <random>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "ossvp/common/log.h"
#include "ossvp/common/openapi_rpc_signature.h"
#include "ossvp/common/percent_encoding.h"
#include "ossvp/common/rfc3339.h"

namespace ossvp::kubesim {

namespace {

std::string nonce() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return std::to_string(rng()) + std::to_string(rng());
}

// POSTs an empty body to http://host:port + target; returns "" or an error text.
std::string httpPost(const std::string& endpoint, const std::string& target, int* code, std::string* body) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  std::string hostPort = endpoint.substr(endpoint.find("://") + 3);
  if (endpoint.rfind("https://", 0) == 0) return "https endpoints are not supported by kube-sim's NAS client";
  std::string host = hostPort, port = "80";
  if (auto c = hostPort.rfind(':'); c != std::string::npos) {
    host = hostPort.substr(0, c);
    port = hostPort.substr(c + 1);
  }
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, hostPort);
    req.set(http::field::user_agent, "kube-sim/bmcpfs-provisioner");
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    *code = static_cast<int>(res.result_int());
    *body = res.body();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

NasClient::NasClient(NasClientConfig config) : config_(std::move(config)) {
  if (config_.endpoint.find("://") == std::string::npos) config_.endpoint = "http://" + config_.endpoint;
  while (!config_.endpoint.empty() && config_.endpoint.back() == '/') config_.endpoint.pop_back();
}

Result<nlohmann::json> NasClient::call(const std::string& action, std::map<std::string, std::string> params) const {
  params["Action"] = action;
  params["Version"] = "2017-06-26";
  params["Format"] = "JSON";
  params["AccessKeyId"] = config_.accessKeyId;
  params["SignatureMethod"] = "HMAC-SHA1";
  params["SignatureVersion"] = "1.0";
  params["SignatureNonce"] = nonce();
  params["Timestamp"] = formatRfc3339(std::chrono::system_clock::now());
  params["RegionId"] = config_.regionId;
  const std::string signature = rpcSignatureV1("POST", params, config_.accessKeySecret);
  std::string target = "/?" + rpcCanonicalQuery(params) + "&Signature=" + percentEncode(signature);
  int http = 0;
  std::string body;
  std::string err = httpPost(config_.endpoint, target, &http, &body);
  if (!err.empty()) {
    return unavailable("NAS " + action + " at " + config_.endpoint + ": " + err +
                       " (is the oss-emulator running with --cpfs-root?)");
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (http / 100 != 2) {
    std::string code = j.is_object() ? j.value("Code", "") : "";
    std::string msg = j.is_object() ? j.value("Message", body) : body;
    StatusCode sc = http == 404   ? StatusCode::NotFound
                    : http == 403 ? StatusCode::PermissionDenied
                    : http >= 500 ? StatusCode::Unavailable
                                  : StatusCode::InvalidArgument;
    return Status(sc, "NAS " + action + " failed: HTTP " + std::to_string(http) + " " + code + ": " + msg);
  }
  if (j.is_discarded()) return internalError("NAS " + action + ": response is not JSON: " + body);
  return j;
}

Result<std::string> NasClient::createFileset(const std::string& fileSystemId, const std::string& path,
                                             uint64_t sizeLimit, const std::string& clientToken) const {
  std::map<std::string, std::string> p{{"FileSystemId", fileSystemId},
                                       {"FileSystemPath", path},
                                       {"ClientToken", clientToken},
                                       {"DeletionProtection", "false"},
                                       {"Quota.FileCountLimit", "1000000"}};
  if (sizeLimit > 0) p["Quota.SizeLimit"] = std::to_string(sizeLimit);
  OSSVP_ASSIGN_OR_RETURN(auto j, call("CreateFileset", std::move(p)));
  std::string id = j.value("FsetId", "");
  if (id.empty()) return internalError("NAS CreateFileset: response has no FsetId: " + j.dump());
  return id;
}

Result<std::optional<std::string>> NasClient::findFilesetByPath(const std::string& fileSystemId,
                                                                const std::string& path) const {
  std::string token;
  for (int page = 0; page < 100; ++page) {
    std::map<std::string, std::string> p{{"FileSystemId", fileSystemId}, {"MaxResults", "100"}};
    if (!token.empty()) p["NextToken"] = token;
    OSSVP_ASSIGN_OR_RETURN(auto j, call("DescribeFilesets", std::move(p)));
    const auto& entries = j["Entries"]["Entrie"];
    if (entries.is_array()) {
      for (const auto& e : entries) {
        if (e.value("FileSystemPath", "") == path && e.value("Status", "") != "RELEASING" &&
            e.value("Status", "") != "RELEASED") {
          return std::optional<std::string>(e.value("FsetId", ""));
        }
      }
    }
    token = j.value("NextToken", "");
    if (token.empty()) break;
  }
  return std::optional<std::string>();
}

Status NasClient::deleteFileset(const std::string& fileSystemId, const std::string& fsetId) const {
  auto r = call("DeleteFileset", {{"FileSystemId", fileSystemId}, {"FsetId", fsetId}});
  if (!r.isOk() && r.status().code() != StatusCode::NotFound) return r.status();
  return Status::ok();
}

}  // namespace ossvp::kubesim
