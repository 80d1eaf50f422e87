// The OSSVolumePopulator (ossvp) API types: the typed spec of
// storage.alibabacloud.com/v1beta1 OSSVolumePopulator with the CRD's defaults
// applied, and the parser from the JSON object the API server returns.
//
// The CRD (crds/storage.alibabacloud.com_ossvolumepopulators.yaml) is the
// source of truth for the schema; this file mirrors it, and
// tests/unit/controller-types checks that the two agree (defaults, enums).
// Cross-field rules and their user-facing messages live in ossvp_validation.h;
// the status shape in ossvp_status.h.
//
// Thread-safety: plain value types; the free functions are pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ossvp/common/result.h"

namespace ossvp::controller {

inline constexpr std::string_view kOssvpGroup = "storage.alibabacloud.com";
inline constexpr std::string_view kOssvpVersion = "v1beta1";
inline constexpr std::string_view kOssvpApiVersion = "storage.alibabacloud.com/v1beta1";
inline constexpr std::string_view kOssvpKind = "OSSVolumePopulator";
inline constexpr std::string_view kOssvpPlural = "ossvolumepopulators";
inline constexpr std::string_view kOssvpShortName = "ossvp";
// Where the populator pods, prime PVCs and generic-mode Secrets live.
inline constexpr std::string_view kDefaultPopulatorNamespace = "ack-volume-populator";

// Defaults, identical to the CRD's `default:` values.
inline constexpr std::string_view kDefaultPath = "/";
inline constexpr int kDefaultBmcpfsThroughputMBps = 600;

// Keys the generic-mode Secret (spec.generic.secretRef) must / may hold.
inline constexpr std::string_view kSecretKeyAccessKeyId = "accessKeyId";
inline constexpr std::string_view kSecretKeyAccessKeySecret = "accessKeySecret";
inline constexpr std::string_view kSecretKeySecurityToken = "securityToken";  // optional

enum class PopulatorMode { Generic, BmcpfsDataflow };
// "generic" / "bmcpfs-dataflow"; parseMode returns false on anything else.
std::string_view modeName(PopulatorMode mode);
bool parseMode(std::string_view text, PopulatorMode* out);
// The mode of an ossvp object's spec.mode; Generic when absent or unknown.
PopulatorMode modeOf(const nlohmann::json& ossvp);

enum class BmcpfsDataType { Metadata, MetadataAndData };
// The CRD spelling: "metadata" / "metadataAndData".
std::string_view dataTypeName(BmcpfsDataType type);
bool parseDataType(std::string_view text, BmcpfsDataType* out);
// The NAS CreateDataFlowTask `DataType`: "Metadata" / "MetaAndData".
std::string_view nasDataType(BmcpfsDataType type);

// spec.bmcpfsDataflow, defaults applied.
struct BmcpfsDataflowOptions {
  int throughputMBps = kDefaultBmcpfsThroughputMBps;  // 600, 1200 or 1500
  std::string sourceSecurityType;                     // "" (none), "None" or "SSL"
  BmcpfsDataType dataType = BmcpfsDataType::MetadataAndData;
};

// spec.generic.rrsaConfigs. An empty string means the field was not set.
struct RrsaConfig {
  std::string roleArn;
  std::string oidcProviderArn;
};

// spec.generic: what the populator pod gets.
struct GenericOptions {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::optional<std::string> secretRef;  // Secret name in the populator namespace
  std::optional<RrsaConfig> rrsaConfigs;
  nlohmann::json affinity;                // core/v1 Affinity, or null when unset
  nlohmann::json tolerations;             // array of core/v1 Toleration, or null
  std::optional<int64_t> throughputMBps;  // unset: unlimited
};

// spec, defaults applied. `generic` / `bmcpfsDataflow` are present only when
// the object had them (the CEL rules depend on presence); use
// bmcpfsOptions() to read the data-flow options with their defaults.
struct OssvpSpec {
  std::string bucket;
  std::string region;
  std::string endpoint;
  std::string path = std::string(kDefaultPath);
  PopulatorMode mode = PopulatorMode::Generic;
  std::optional<GenericOptions> generic;
  std::optional<BmcpfsDataflowOptions> bmcpfsDataflow;

  BmcpfsDataflowOptions bmcpfsOptions() const { return bmcpfsDataflow.value_or(BmcpfsDataflowOptions{}); }
  // The OSS key prefix the path designates: "/" -> "", "/a/b" -> "a/b/",
  // "/Qwen3-32B/" -> "Qwen3-32B/". Meaningful only for a valid path.
  std::string objectPrefix() const;
};

// Parses `spec` (the value of .spec) and applies the CRD defaults. Fails only
// on JSON type errors (a string where a number belongs, an unknown enum value
// ...) with a message naming the field, e.g.
//   spec.generic.throughput: Invalid value: "1000": must be an integer (MB/s)
// Unknown fields are ignored (the API server prunes them). Cross-field rules
// and value formats are checked by validateOssvpSpec (ossvp_validation.h).
Result<OssvpSpec> parseOssvpSpec(const nlohmann::json& spec);

// The parts of an ossvp object the controller needs.
struct OssvpObject {
  std::string ns;
  std::string name;
  std::string uid;
  std::string resourceVersion;
  int64_t generation = 0;
  bool deleting = false;  // metadata.deletionTimestamp is set
  OssvpSpec spec;
};

// Parses a whole object (apiVersion/kind must match when present).
Result<OssvpObject> parseOssvpObject(const nlohmann::json& object);

}  // namespace ossvp::controller
