// A minimal client for the Alibaba Cloud NAS OpenAPI (version 2017-06-26) as
// the alibaba-cloud-csi-driver's bmcpfs controller uses it: CreateFileset,
// DescribeFilesets (lookup by path, for idempotent creation) and
// DeleteFileset. RPC style, every parameter in the query, signed with
// signature V1 (HMAC-SHA1). In kube-sim it talks to the oss-emulator's NAS
// endpoint.
//
// Thread-safety: immutable after construction; calls may run concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ossvp/common/result.h"

namespace ossvp::kubesim {

struct NasClientConfig {
  std::string endpoint;  // "http://127.0.0.1:PORT" (scheme optional, http assumed)
  std::string accessKeyId;
  std::string accessKeySecret;
  std::string regionId = "cn-hangzhou";
};

class NasClient {
 public:
  explicit NasClient(NasClientConfig config);

  // Returns the new FsetId.
  Result<std::string> createFileset(const std::string& fileSystemId, const std::string& path, uint64_t sizeLimit,
                                    const std::string& clientToken) const;
  // The FsetId of the fileset at `path`, or nullopt.
  Result<std::optional<std::string>> findFilesetByPath(const std::string& fileSystemId, const std::string& path) const;
  // Ok also when the fileset does not exist any more.
  Status deleteFileset(const std::string& fileSystemId, const std::string& fsetId) const;

 private:
  Result<nlohmann::json> call(const std::string& action, std::map<std::string, std::string> params) const;

  NasClientConfig config_;
};

}  // namespace ossvp::kubesim
