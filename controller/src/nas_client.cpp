#include "ossvp/controller/nas_client.h"

#include <chrono>
#include <cstdlib>
#include <mutex>

#include <nlohmann/json.hpp>

#include "http_post.h"
#include "ossvp/common/log.h"
#include "ossvp/common/openapi_rpc_signature.h"
#include "ossvp/common/percent_encoding.h"
#include "ossvp/common/random_hex.h"
#include "ossvp/common/rfc3339.h"

namespace ossvp::controller {
namespace {

const char* kVersion = "2017-06-26";

}  // namespace

Status nasErrorStatus(const NasError& e) {
  std::string msg = e.code + ": " + e.message + " (HTTP " + std::to_string(e.httpStatus) + ")";
  StatusCode code = StatusCode::InvalidArgument;
  if (e.httpStatus == 403) {
    code = StatusCode::PermissionDenied;
  } else if (e.httpStatus == 404) {
    code = StatusCode::NotFound;
  } else if (e.httpStatus == 0 || e.httpStatus >= 500 || e.code.rfind("Throttling", 0) == 0) {
    code = StatusCode::Unavailable;
  }
  return Status::fromService(code, std::move(msg), e.code, e.httpStatus);
}

bool nasErrorIs(const Status& s, const std::string& code) { return s.serviceCode() == code; }

std::string resolveNasEndpoint(const std::string& flag, const std::string& region,
                               const std::vector<std::string>& overrides) {
  std::string host = flag.empty() ? "nas." + region + ".aliyuncs.com" : flag;
  if (host.find("://") != std::string::npos) return host;
  std::string over = endpointOverrideFor(host, overrides);
  return over.empty() ? "https://" + host : over;
}

NasHttpClient::NasHttpClient(std::string endpointUrl, std::string regionId,
                             std::shared_ptr<OpenApiCredentials> credentials)
    : endpoint_(std::move(endpointUrl)), region_(std::move(regionId)), creds_(std::move(credentials)) {
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

Result<std::string> NasHttpClient::call(const std::string& action, std::map<std::string, std::string> params) {
  auto creds = creds_->get();
  if (!creds.isOk()) {
    return unavailable("NAS " + action + ": no OpenAPI credentials from " + creds_->describe() + ": " +
                       creds.status().message());
  }
  params["Action"] = action;
  params["Version"] = kVersion;
  params["Format"] = "JSON";
  params["AccessKeyId"] = creds->accessKeyId;
  params["SignatureMethod"] = "HMAC-SHA1";
  params["SignatureVersion"] = "1.0";
  params["SignatureNonce"] = randomHex(16);
  params["Timestamp"] = formatRfc3339(std::chrono::system_clock::now());
  if (!region_.empty()) params["RegionId"] = region_;
  if (!creds->securityToken.empty()) params["SecurityToken"] = creds->securityToken;
  params["Signature"] = rpcSignatureV1("POST", params, creds->accessKeySecret);
  std::string query;
  for (const auto& [k, v] : params) query += (query.empty() ? "" : "&") + percentEncode(k) + "=" + percentEncode(v);

  auto reply = httpPost(endpoint_ + "/?" + query, {}, "", std::chrono::seconds(30));
  if (!reply.isOk()) {
    return unavailable("NAS " + action + " at " + endpoint_ + ": " + reply.status().message() +
                       " (check --cpfs-endpoint and the network)");
  }
  const int code = reply->status;
  const std::string& body = reply->body;
  if (code / 100 != 2) {
    NasError e{code, "HTTP" + std::to_string(code), body.substr(0, 300)};
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object()) {
      e.code = j.value("Code", e.code);
      e.message = j.value("Message", e.message);
    }
    return nasErrorStatus(e).withContext("NAS " + action);
  }
  return body;
}

namespace {
Result<nlohmann::json> parse(Result<std::string> body) {
  if (!body.isOk()) return body.status();
  auto j = nlohmann::json::parse(*body, nullptr, false);
  if (!j.is_object()) return internalError("NAS answered with something that is not JSON: " + body->substr(0, 200));
  return j;
}
}  // namespace

Result<std::string> NasHttpClient::createDataFlow(const DataFlowSpec& s) {
  std::map<std::string, std::string> p = {{"FileSystemId", s.fileSystemId},
                                          {"SourceStorage", s.sourceStorage},
                                          {"SourceStoragePath", s.sourceStoragePath},
                                          {"FileSystemPath", s.fileSystemPath},
                                          {"Description", "ossvp-controller"}};
  if (!s.sourceSecurityType.empty()) p["SourceSecurityType"] = s.sourceSecurityType;
  if (s.throughputMBps > 0) p["Throughput"] = std::to_string(s.throughputMBps);
  if (!s.fsetId.empty()) p["FsetId"] = s.fsetId;
  if (!s.clientToken.empty()) p["ClientToken"] = s.clientToken;
  auto j = parse(call("CreateDataFlow", std::move(p)));
  if (!j.isOk()) return j.status();
  return j->value("DataFlowId", std::string());
}

Result<std::string> NasHttpClient::dataFlowStatus(const std::string& fsId, const std::string& dataFlowId) {
  auto j = parse(call("DescribeDataFlows",
                      {{"FileSystemId", fsId}, {"Filters.1.Key", "DataFlowIds"}, {"Filters.1.Value", dataFlowId}}));
  if (!j.isOk()) return j.status();
  for (const auto& f : (*j)["DataFlowInfo"].value("DataFlow", nlohmann::json::array())) {
    if (f.value("DataFlowId", "") == dataFlowId) return f.value("Status", std::string("Unknown"));
  }
  return notFound("data flow " + dataFlowId + " not found in file system " + fsId);
}

Status NasHttpClient::deleteDataFlow(const std::string& fsId, const std::string& dataFlowId) {
  return call("DeleteDataFlow", {{"FileSystemId", fsId}, {"DataFlowId", dataFlowId}}).status();
}

Result<std::string> NasHttpClient::createDataFlowTask(const DataFlowTaskSpec& s) {
  std::map<std::string, std::string> p = {
      {"FileSystemId", s.fileSystemId}, {"DataFlowId", s.dataFlowId},         {"TaskAction", "Import"},
      {"DataType", s.dataType},         {"ConflictPolicy", s.conflictPolicy}, {"Directory", s.directory}};
  if (!s.clientToken.empty()) p["ClientToken"] = s.clientToken;
  auto j = parse(call("CreateDataFlowTask", std::move(p)));
  if (!j.isOk()) return j.status();
  return j->value("TaskId", std::string());
}

Result<DataFlowTaskInfo> NasHttpClient::describeDataFlowTask(const std::string& fsId, const std::string& taskId) {
  auto j = parse(call("DescribeDataFlowTasks",
                      {{"FileSystemId", fsId}, {"Filters.1.Key", "TaskIds"}, {"Filters.1.Value", taskId}}));
  if (!j.isOk()) return j.status();
  for (const auto& t : (*j)["TaskInfo"].value("Task", nlohmann::json::array())) {
    if (t.value("TaskId", "") != taskId) continue;
    DataFlowTaskInfo info;
    info.taskId = taskId;
    info.dataFlowId = t.value("DataFlowId", "");
    info.status = t.value("Status", "");
    info.errorMsg = t.value("ErrorMsg", "");
    const auto& ps = t.value("ProgressStats", nlohmann::json::object());
    auto num = [&](const char* k) -> int64_t {
      if (!ps.contains(k)) return 0;
      if (ps[k].is_number()) return ps[k].get<int64_t>();
      if (ps[k].is_string()) return std::atoll(ps[k].get<std::string>().c_str());
      return 0;
    };
    info.bytesTotal = num("BytesTotal");
    info.bytesDone = num("BytesDone");
    info.actualBytes = num("ActualBytes");
    info.filesTotal = num("FilesTotal");
    info.filesDone = num("FilesDone");
    return info;
  }
  return notFound("data-flow task " + taskId + " not found in file system " + fsId);
}

Status NasHttpClient::cancelDataFlowTask(const std::string& fsId, const std::string& dataFlowId,
                                         const std::string& taskId) {
  return call("CancelDataFlowTask", {{"FileSystemId", fsId}, {"DataFlowId", dataFlowId}, {"TaskId", taskId}}).status();
}

}  // namespace ossvp::controller
