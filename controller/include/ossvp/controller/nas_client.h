// NasApi: the part of the Alibaba Cloud NAS OpenAPI (2017-06-26) the
// bmcpfs-dataflow mode uses (CPFS for Lingjun data flows and their tasks),
// and NasHttpClient, its implementation over HTTP with the OpenAPI RPC
// signature V1 (HMAC-SHA1). Every parameter goes
// in the query, as the official SDK does.
//
// Credentials come from OpenApiCredentials (an AccessKey or RRSA), asked on
// every call. The signer is common's (ossvp/common/openapi_rpc_signature.h),
// shared with the emulator that verifies it and kube-sim's provisioner.
//
// Thread-safety: NasHttpClient is safe for concurrent calls (one HTTP client
// per call).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/controller/openapi_credentials.h"

namespace ossvp::controller {

// An OpenAPI error: HTTP status, Code (e.g. QuotaExceeded.DataFlow) and Message.
struct NasError {
  int httpStatus = 0;
  std::string code;
  std::string message;
};
// The Status of a NasError: message "Code: Message (HTTP n)", serviceCode()
// the OpenAPI Code, httpStatus() the HTTP status. PermissionDenied for 403,
// NotFound for 404, Unavailable for 5xx/throttling and transport errors,
// InvalidArgument otherwise.
Status nasErrorStatus(const NasError& e);
// True when `s` (from NasHttpClient) carries the OpenAPI error `code` (its serviceCode()).
bool nasErrorIs(const Status& s, const std::string& code);

struct DataFlowSpec {
  std::string fileSystemId;
  std::string sourceStorage;       // oss://bucket
  std::string sourceStoragePath;   // /prefix/
  std::string fileSystemPath;      // /fileset/
  std::string sourceSecurityType;  // "" = not sent
  int throughputMBps = 0;          // 0 = not sent (CPFS for Lingjun does not take it)
  std::string fsetId;              // "" = not sent (CPFS general-purpose only)
  std::string clientToken;
};

struct DataFlowTaskSpec {
  std::string fileSystemId;
  std::string dataFlowId;
  std::string dataType;        // Metadata / MetaAndData
  std::string conflictPolicy;  // SKIP_THE_FILE / KEEP_LATEST / OVERWRITE_EXISTING
  std::string directory = "/";
  std::string clientToken;
};

struct DataFlowTaskInfo {
  std::string taskId;
  std::string dataFlowId;
  std::string status;  // Pending Executing Completed Failed Canceling Canceled
  std::string errorMsg;
  int64_t bytesTotal = 0, bytesDone = 0, actualBytes = 0, filesTotal = 0, filesDone = 0;
  bool terminal() const { return status == "Completed" || status == "Failed" || status == "Canceled"; }
};

class NasApi {
 public:
  virtual ~NasApi() = default;
  virtual Result<std::string> createDataFlow(const DataFlowSpec& spec) = 0;  // DataFlowId
  // Status of one data flow (Starting, Running ...); NotFound when gone.
  virtual Result<std::string> dataFlowStatus(const std::string& fsId, const std::string& dataFlowId) = 0;
  virtual Status deleteDataFlow(const std::string& fsId, const std::string& dataFlowId) = 0;
  virtual Result<std::string> createDataFlowTask(const DataFlowTaskSpec& spec) = 0;  // TaskId
  virtual Result<DataFlowTaskInfo> describeDataFlowTask(const std::string& fsId, const std::string& taskId) = 0;
  virtual Status cancelDataFlowTask(const std::string& fsId, const std::string& dataFlowId,
                                    const std::string& taskId) = 0;
};

class NasHttpClient : public NasApi {
 public:
  // `endpointUrl`: "https://nas.cn-hangzhou.aliyuncs.com" or an emulator URL.
  // `credentials` are asked on every call (RRSA refreshes them).
  NasHttpClient(std::string endpointUrl, std::string regionId, std::shared_ptr<OpenApiCredentials> credentials);

  Result<std::string> createDataFlow(const DataFlowSpec& spec) override;
  Result<std::string> dataFlowStatus(const std::string& fsId, const std::string& dataFlowId) override;
  Status deleteDataFlow(const std::string& fsId, const std::string& dataFlowId) override;
  Result<std::string> createDataFlowTask(const DataFlowTaskSpec& spec) override;
  Result<DataFlowTaskInfo> describeDataFlowTask(const std::string& fsId, const std::string& taskId) override;
  Status cancelDataFlowTask(const std::string& fsId, const std::string& dataFlowId, const std::string& taskId) override;

  // Signs and sends one action; the JSON response body. Credentials that
  // cannot be obtained give Unavailable (retried; the factory checks them
  // before the first call, see controller.cpp).
  Result<std::string> call(const std::string& action, std::map<std::string, std::string> params);

 private:
  std::string endpoint_;
  std::string region_;
  std::shared_ptr<OpenApiCredentials> creds_;
};

// The NAS endpoint URL: `flag` may be a URL (used as is) or a host (default
// nas.<region>.aliyuncs.com); a host listed in `overrides` (HOST=URL, the
// --endpoint-override list) maps to its URL; otherwise https://host.
std::string resolveNasEndpoint(const std::string& flag, const std::string& region,
                               const std::vector<std::string>& overrides);

}  // namespace ossvp::controller
