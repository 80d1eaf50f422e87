#include <catch2/catch.hpp>

#include <cstdlib>

#include "ossvp/populator/config.h"
#include "ossvp/populator/exit_code.h"
#include "ossvp/populator/populator.h"

using namespace ossvp::populator;

namespace {
ConfigParse parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ossvp-populator");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  return parseConfig(static_cast<int>(argv.size()), argv.data());
}
const std::vector<std::string> kBase = {
    "--endpoint", "oss-cn-hangzhou.aliyuncs.com", "--region", "cn-hangzhou", "--bucket", "b", "--target", "/tmp"};
std::vector<std::string> with(std::vector<std::string> extra) {
  auto v = kBase;
  v.insert(v.end(), extra.begin(), extra.end());
  return v;
}
}  // namespace

TEST_CASE("prefixes are normalized", "[unit]") {
  CHECK(normalizePrefix("/") == "");
  CHECK(normalizePrefix("") == "");
  CHECK(normalizePrefix("/many-files/") == "many-files/");
  CHECK(normalizePrefix("/a/b") == "a/b/");
  CHECK(normalizePrefix("a/") == "a/");
}

TEST_CASE("flags parse and validate", "[unit]") {
  auto p = parse(with({"--path", "/data", "--throughput-mbps", "100", "--concurrency", "8", "--memory-budget", "256MiB",
                       "--endpoint-override", "oss-cn-hangzhou.aliyuncs.com=http://127.0.0.1:9000",
                       "--endpoint-override", "sts.aliyuncs.com=http://127.0.0.1:9001"}));
  REQUIRE(p.config);
  CHECK(p.config->prefix() == "data/");
  CHECK(p.config->throughputMBps == 100);
  CHECK(p.config->concurrency == 8);
  CHECK(p.config->memoryBudget == 256ULL << 20);
  CHECK(p.config->endpointOverrides.size() == 2);
}

TEST_CASE("missing or bad values give BadConfig and name the flag and env var", "[unit]") {
  auto p = parse({"--bucket", "b"});
  CHECK_FALSE(p.config);
  CHECK(p.exitCode == static_cast<int>(ExitCode::BadConfig));
  CHECK(p.output.find("OSSVP_ENDPOINT") != std::string::npos);

  p = parse(with({"--endpoint-override", "nonsense"}));
  CHECK_FALSE(p.config);
  CHECK(p.output.find("HOST=URL") != std::string::npos);

  p = parse(with({"--memory-budget", "lots"}));
  CHECK_FALSE(p.config);
  CHECK(p.output.find("--memory-budget") != std::string::npos);

  p = parse(with({"--concurrency", "0"}));
  CHECK_FALSE(p.config);

  p = parse(with({"--no-such-flag"}));
  CHECK_FALSE(p.config);
  CHECK(p.exitCode == 2);
}

TEST_CASE("the memory budget bounds the requests in flight, not the part size", "[unit]") {
  // Reads stream into the target: a request holds 1 MiB, whatever its part size.
  auto p = parse(with({"--concurrency", "64", "--memory-budget", "64MiB", "--part-size", "8MiB"}));
  REQUIRE(p.config);
  CHECK(p.config->partSize == 8ULL << 20);
  CHECK(copierOptionsFor(*p.config).chunkSize == 8u << 20);  // one GET per part
  p = parse(with({"--concurrency", "65", "--memory-budget", "64MiB"}));
  CHECK_FALSE(p.config);
  CHECK(p.output.find("--memory-budget 64MiB is too small for --concurrency 65") != std::string::npos);
  // Under a throughput cap, parts of at most 1 MiB keep the rate smooth.
  p = parse(with({"--throughput-mbps", "100"}));
  REQUIRE(p.config);
  CHECK(copierOptionsFor(*p.config).chunkSize == 1u << 20);
  // The defaults adapt up to 128: the 512 MiB budget holds that many requests.
  p = parse(with({}));
  REQUIRE(p.config);
  CHECK(p.config->concurrencyCeiling() == 128);
  CHECK(p.config->partSize == 8ULL << 20);
  p = parse(with({"--concurrency", "1024", "--memory-budget", "64MiB"}));
  CHECK_FALSE(p.config);
  CHECK(p.output.find("too small for --concurrency 1024") != std::string::npos);
  p = parse(with({"--max-concurrency", "1024", "--memory-budget", "64MiB"}));
  CHECK_FALSE(p.config);
  CHECK(p.output.find("--memory-budget 64MiB is too small for --max-concurrency 1024") != std::string::npos);
}

TEST_CASE("concurrency adapts by default, --concurrency fixes it, --max-concurrency bounds it", "[unit]") {
  auto p = parse(with({}));
  REQUIRE(p.config);
  CHECK_FALSE(p.config->concurrencyFixed);
  CHECK(p.config->concurrency == 64);
  CHECK(p.config->minConcurrency == 8);
  CHECK(p.config->maxConcurrency == 128);  // the 512 MiB budget holds 128 requests of 1 MiB
  CopierOptions o = copierOptionsFor(*p.config);
  CHECK(o.adaptive);
  CHECK(o.initialWorkers == 64);
  CHECK(o.minWorkers == 8);
  CHECK(o.workers == 128);

  // The default ceiling follows the budget, at most 128; the start is 64 or
  // the ceiling when that is lower.
  p = parse(with({"--memory-budget", "4GiB"}));
  REQUIRE(p.config);
  CHECK(p.config->maxConcurrency == 128);
  CHECK(p.config->concurrency == 64);
  p = parse(with({"--memory-budget", "32MiB"}));
  REQUIRE(p.config);
  CHECK(p.config->maxConcurrency == 32);
  CHECK(p.config->concurrency == 32);

  p = parse(with({"--concurrency", "12"}));
  REQUIRE(p.config);
  CHECK(p.config->concurrencyFixed);
  CHECK(p.config->concurrencyCeiling() == 12);
  o = copierOptionsFor(*p.config);
  CHECK_FALSE(o.adaptive);
  CHECK(o.workers == 12);

  p = parse(with({"--max-concurrency", "200", "--memory-budget", "1GiB"}));
  REQUIRE(p.config);
  CHECK_FALSE(p.config->concurrencyFixed);
  CHECK(p.config->maxConcurrency == 200);
  CHECK(p.config->concurrency == 64);
  // A ceiling below the start and floor lowers them.
  p = parse(with({"--max-concurrency", "4"}));
  REQUIRE(p.config);
  CHECK(p.config->concurrency == 4);
  CHECK(p.config->minConcurrency == 4);

  ::setenv("OSSVP_MAX_CONCURRENCY", "96", 1);
  p = parse(with({"--memory-budget", "1GiB"}));
  REQUIRE(p.config);
  CHECK(p.config->maxConcurrency == 96);
  ::unsetenv("OSSVP_MAX_CONCURRENCY");
  ::setenv("OSSVP_CONCURRENCY", "16", 1);
  p = parse(with({}));
  ::unsetenv("OSSVP_CONCURRENCY");
  REQUIRE(p.config);
  CHECK(p.config->concurrencyFixed);
  CHECK(p.config->concurrency == 16);

  p = parse(with({"--concurrency", "16", "--max-concurrency", "64"}));
  CHECK_FALSE(p.config);
  CHECK(p.exitCode == static_cast<int>(ExitCode::BadConfig));
  CHECK(p.output.find("give one of them") != std::string::npos);
  p = parse(with({"--max-concurrency", "0"}));
  CHECK_FALSE(p.config);
  CHECK(p.output.find("--max-concurrency (OSSVP_MAX_CONCURRENCY) must be between 1 and 1024") != std::string::npos);
}

TEST_CASE("environment variables configure the run, flags win", "[unit]") {
  ::setenv("OSSVP_ENDPOINT", "oss-cn-beijing-internal.aliyuncs.com", 1);
  ::setenv("OSSVP_REGION", "cn-beijing", 1);
  ::setenv("OSSVP_BUCKET", "envbucket", 1);
  ::setenv("OSSVP_PATH", "/x/", 1);
  ::setenv("OSSVP_TARGET", "/tmp", 1);
  ::setenv("OSSVP_THROUGHPUT_MBPS", "50", 1);
  ::setenv("OSSVP_ENDPOINT_OVERRIDE", "a.com=http://127.0.0.1:1,b.com=http://127.0.0.1:2", 1);
  auto p = parse({"--bucket", "flagbucket"});
  for (const char* n : {"OSSVP_ENDPOINT", "OSSVP_REGION", "OSSVP_BUCKET", "OSSVP_PATH", "OSSVP_TARGET",
                        "OSSVP_THROUGHPUT_MBPS", "OSSVP_ENDPOINT_OVERRIDE"}) {
    ::unsetenv(n);
  }
  REQUIRE(p.config);
  CHECK(p.config->endpoint == "oss-cn-beijing-internal.aliyuncs.com");
  CHECK(p.config->bucket == "flagbucket");
  CHECK(p.config->prefix() == "x/");
  CHECK(p.config->throughputMBps == 50);
  CHECK(p.config->endpointOverrides.size() == 2);
}
