// oss-emulator: a local OSS + S3 + STS + NAS data-flow server for tests,
// demos and benchmarks. See hack/oss-emulator/README.md.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "ossvp/common/log.h"
#include "ossvp/ossemu/emulator.h"
#include "ossvp/ossemu/network_profile.h"
#include "ossvp/ossemu/server.h"

int main(int argc, char** argv) {
  using namespace ossvp::ossemu;
  EmulatorOptions o;
  std::vector<std::string> seeds;
  std::string logLevel = "info";
  double faultRate = 0;
  std::string profile;
  CLI::App app{"oss-emulator: local OSS/S3/STS/NAS-dataflow server (development harness)"};
  app.add_option("--listen", o.listen, "HOST:PORT to listen on (port 0 picks a free one)")->capture_default_str();
  app.add_option("--data-dir", o.dataDir, "directory holding buckets and objects (survives restarts)");
  app.add_flag("--in-memory", o.inMemory, "keep objects in memory instead of --data-dir");
  std::string etag = "md5";
  app.add_option("--etag", etag,
                 "ETags of PutObject and UploadPart: md5 (as OSS) or crc64 (from the CRC64 and size, ending in -0, "
                 "no Content-MD5: benchmarks, where the emulator's MD5 at ~0.75 GB/s per core would bound writes; "
                 "a request with Content-MD5 still gets its MD5)")
      ->check(CLI::IsMember({"md5", "crc64"}))
      ->capture_default_str();
  app.add_option("--access-key", o.accessKey, "AccessKeyId accepted for signed requests")->capture_default_str();
  // The secret may come from the environment: a command line is readable by every user.
  app.add_option("--secret-key", o.secretKey, "AccessKeySecret for --access-key")
      ->envname("OSS_EMULATOR_SECRET_KEY")
      ->capture_default_str();
  app.add_option("--region", o.region, "region id (V4 scope, bucket location)")->capture_default_str();
  app.add_option("--seed", seeds, "BUCKET=DIR: create BUCKET and index DIR's files as its objects (no copy)");
  app.add_option("--cpfs-root", o.cpfsRoot, "directory whose subdirectories are CPFS file systems (NAS data flows)");
  app.add_flag("--allow-anonymous", o.allowAnonymous, "accept unsigned requests (benchmarks)");
  app.add_option("--profile", profile,
                 "network shape: loopback (5 ms first-byte latency, no cap) or cloud (10 ms, 200 Mbit/s per "
                 "connection each way); --latency-ms/--bandwidth-mbps override its values");
  app.add_option("--latency-ms", o.faults.latencyMs, "first-byte latency for every operation")->capture_default_str();
  app.add_option("--bandwidth-mbps", o.faults.bandwidthMbps,
                 "per-connection bandwidth cap for response and upload bodies, Mbit/s (0 = none)");
  app.add_option("--fault-rate", faultRate, "probability of a 503 SlowDown per request")->capture_default_str();
  app.add_option("--rng-seed", o.rngSeed, "seed of the fault RNG (reproducible runs)")->capture_default_str();
  app.add_option("--sts-role-arn", o.sts.roleArn, "RoleArn AssumeRoleWithOIDC accepts (empty: any)");
  app.add_option("--sts-oidc-provider-arn", o.sts.oidcProviderArn, "OIDCProviderArn accepted (empty: any)");
  app.add_option("--sts-oidc-hmac-key", o.sts.hmacKey, "require HS256 OIDC tokens signed with this key");
  app.add_option("--sts-oidc-issuer", o.sts.issuer, "required `iss` of OIDC tokens (empty: any)");
  app.add_option("--sts-duration-seconds", o.sts.durationOverride,
                 "lifetime of issued STS credentials, overriding DurationSeconds (tests: make them expire)");
  app.add_option("--log-level", logLevel, "debug, info, warn or error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.etagDigest = etag == "crc64" ? EtagDigest::Crc64 : EtagDigest::Md5;
  if (!profile.empty()) {
    auto p = networkProfile(profile);
    if (!p.isOk()) {
      std::cerr << "oss-emulator: " << p.status().message() << "\n";
      return 2;
    }
    if (app.count("--latency-ms") == 0) o.faults.latencyMs = p->latencyMs;
    if (app.count("--bandwidth-mbps") == 0) o.faults.bandwidthMbps = p->bandwidthMbps;
  }
  o.faults.errorRate = faultRate;
  o.faults.errorStatus = 503;

  ossvp::LogOptions lo;
  lo.component = "oss-emulator";
  ossvp::parseLogLevel(logLevel, &lo.level);
  ossvp::initLogging(lo);
  for (const auto& s : seeds) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "oss-emulator: --seed must be BUCKET=DIR, got '" << s << "'\n";
      return 2;
    }
    o.seeds.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }

  // Handle SIGTERM/SIGINT synchronously in main; every other thread blocks them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // A GET holds one fd per part of a multipart object it covers, each
  // connection one more: allow as many open files as the hard limit does.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }

  auto emulator = Emulator::create(o);
  if (!emulator.isOk()) {
    std::cerr << "oss-emulator: " << emulator.status().toString() << "\n";
    return 1;
  }
  auto server = Server::start(**emulator, o.listen);
  if (!server.isOk()) {
    std::cerr << "oss-emulator: " << server.status().toString() << "\n";
    return 1;
  }
  std::printf("oss-emulator listening on %s\n", (*server)->endpoint().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&sigs, &sig);
  ossvp::logInfo("oss-emulator: signal {}, shutting down", sig);
  (*server)->stop();
  return 0;
}
