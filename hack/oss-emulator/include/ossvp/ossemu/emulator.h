// Emulator: the whole fake cloud behind one listener. It owns Storage, the
// credential store, auth, the OSS service, STS, the NAS data-flow service,
// fault injection and stats, and routes each request:
//   /-/admin, /-/stats, /-/health   -> control endpoints (no auth)
//   RPC (Action=... in query or form body) -> STS or NAS OpenAPI
//   anything else                    -> OSS / S3 API
// Server (server.h) accepts connections and calls handle() per request.
//
// Thread-safety: handle() is called concurrently from connection threads;
// every member is internally synchronized.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/ossemu/auth.h"
#include "ossvp/ossemu/faults.h"
#include "ossvp/ossemu/http.h"
#include "ossvp/ossemu/oss_service.h"
#include "ossvp/ossemu/storage.h"
#include "ossvp/ossemu/sts_service.h"

namespace ossvp::ossemu {

class NasService;

// Documented default credentials when none are given.
inline constexpr const char* kDefaultAccessKey = "ossvp-emulator-ak";
inline constexpr const char* kDefaultSecretKey = "ossvp-emulator-sk";

struct EmulatorOptions {
  std::string listen = "127.0.0.1:0";
  std::string dataDir;
  bool inMemory = false;
  EtagDigest etagDigest = EtagDigest::Md5;  // see storage.h
  std::string accessKey = kDefaultAccessKey;
  std::string secretKey = kDefaultSecretKey;
  std::string region = "cn-hangzhou";
  std::vector<std::pair<std::string, std::string>> seeds;  // bucket, dir
  std::string cpfsRoot;
  bool allowAnonymous = false;
  OpFaultConfig faults;  // default for all operations
  uint64_t rngSeed = 1;
  StsOptions sts;
};

class Emulator {
 public:
  static Result<std::unique_ptr<Emulator>> create(const EmulatorOptions& options);
  ~Emulator();

  // Serves one request read from a connection; `body` streams its body.
  // Returns the response and the fault plan to apply while writing it.
  void handle(const HttpRequest& req, BodySource& body, HttpResponse* resp, FaultPlan* plan, std::string* op);

  Stats& stats() { return stats_; }
  FaultInjector& faults() { return faults_; }
  Storage& storage() { return *storage_; }

 private:
  explicit Emulator(const EmulatorOptions& o);
  void handleControl(const HttpRequest& req, BodySource& body, HttpResponse* resp, std::string* op);
  void handleRpc(const HttpRequest& req, BodySource& body, HttpResponse* resp, std::string* op);

  EmulatorOptions opt_;
  std::unique_ptr<Storage> storage_;
  CredentialStore creds_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<OssService> oss_;
  std::unique_ptr<StsService> sts_;
  std::unique_ptr<NasService> nas_;
  FaultInjector faults_;
  Stats stats_;
};

}  // namespace ossvp::ossemu
