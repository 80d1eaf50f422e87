// NasService: the NAS OpenAPI (2017-06-26, RPC style) calls ossvp's
// bmcpfs-dataflow mode uses, against a local "CPFS": a file system is the
// directory <cpfs-root>/<FileSystemId>/, a fileset a directory in it.
//   CreateFileset, DescribeFilesets, DeleteFileset,
//   CreateDataFlow, DescribeDataFlows, DeleteDataFlow,
//   CreateDataFlowTask, DescribeDataFlowTasks, CancelDataFlowTask.
// Requests are signed with RPC signature V1 (HMAC-SHA1, ossvp/common/openapi_rpc_signature.h).
// An Import task copies the bucket path into the data flow's directory on a
// worker thread at the data flow's throughput and reports honest
// ProgressStats; DataType "Metadata" creates the entries without their data
// (real CPFS loads data on first read). ClientToken makes creates idempotent;
// at most 10 data flows per file system.
//
// Thread-safety: internally synchronized; task workers are joined on destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ossvp/ossemu/auth.h"
#include "ossvp/ossemu/http.h"
#include "ossvp/ossemu/storage.h"

namespace ossvp::ossemu {

class NasService {
 public:
  NasService(Storage& storage, const CredentialStore& creds, std::string cpfsRoot);
  ~NasService();
  static bool handles(const std::string& action);
  void handle(const HttpRequest& req, const std::map<std::string, std::string>& params, const std::string& requestId,
              int64_t now, HttpResponse* resp);

  struct Fileset {
    std::string id, fsId, path, description;
    int64_t created = 0;
    bool deletionProtection = false;
  };
  struct DataFlow {
    std::string id, fsId, fsPath, sourceStorage, sourceStoragePath, description, fsetId;
    int64_t throughput = 600;  // MB/s
    int64_t created = 0;
    std::string status = "Running";
  };
  struct Task {
    std::string id, fsId, dataFlowId, action, dataType, directory, dstDirectory, conflictPolicy, entryList;
    std::string status = "Pending";
    std::string errorMsg;
    int64_t created = 0, started = 0, ended = 0;
    uint64_t bytesTotal = 0, bytesDone = 0, actualBytes = 0, filesTotal = 0, filesDone = 0, actualFiles = 0;
    uint64_t progress = 0;
    std::atomic<bool> cancel{false};
  };

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ossvp::ossemu
