// Validation of an OSSVolumePopulator spec with the messages a user sees.
//
// The CRD rejects bad objects at the API server; the controller re-checks
// every spec with validateOssvpSpec before acting on it (an older CRD, a
// server without CEL, or a hand-edited stored object must not reach the
// cloud APIs) and reports the result as an event and in status.message.
// The cross-field messages below are the CRD's x-kubernetes-validations
// messages, word for word; a unit test keeps the two in sync.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ossvp/common/status.h"
#include "ossvp/controller/ossvp_types.h"

namespace ossvp::controller {

// CEL rule messages (crds/..., x-kubernetes-validations).
inline constexpr std::string_view kMsgGenericNeedsCredentials =
    "generic mode needs OSS credentials: set spec.generic.secretRef (a Secret in namespace "
    "ack-volume-populator with accessKeyId and accessKeySecret) or spec.generic.rrsaConfigs "
    "(roleArn and oidcProviderArn)";
inline constexpr std::string_view kMsgBmcpfsOptionsNeedBmcpfsMode =
    "spec.bmcpfsDataflow is only used with mode bmcpfs-dataflow: set spec.mode to bmcpfs-dataflow "
    "or remove spec.bmcpfsDataflow";
inline constexpr std::string_view kMsgGenericOptionsNeedGenericMode =
    "spec.generic is only used with mode generic: set spec.mode to generic or remove spec.generic";
inline constexpr std::string_view kMsgSecretRefXorRrsa =
    "spec.generic.secretRef and spec.generic.rrsaConfigs are mutually exclusive: set only one of "
    "them";
inline constexpr std::string_view kMsgRrsaNeedsBoth =
    "spec.generic.rrsaConfigs needs both roleArn (acs:ram::<account>:role/<name>) and "
    "oidcProviderArn (acs:ram::<account>:oidc-provider/<name>)";

// Every CEL message, for the sync test.
std::vector<std::string_view> celRuleMessages();

// One problem: the field path ("spec.bucket") and the full message, which
// starts with the field path, e.g.
//   spec.endpoint: Invalid value: "https://oss-cn-hangzhou.aliyuncs.com": the
//   endpoint is a host name without a scheme: drop "https://"
struct FieldError {
  std::string field;
  std::string message;
};

// All problems of `spec`, in field order; empty when valid.
std::vector<FieldError> validateOssvpSpec(const OssvpSpec& spec);

// InvalidArgument with every message joined by "; ", or Ok.
Status validationStatus(const std::vector<FieldError>& errors);

// parseOssvpSpec + validateOssvpSpec in one call.
Result<OssvpSpec> parseAndValidateOssvpSpec(const nlohmann::json& spec);

// Single-field checks, each returning "" when valid or the reason (without
// the field prefix). Exposed for the tests and for other inputs that take
// the same formats (e.g. the controller's --cpfs-endpoint flag).
std::string checkBucketName(std::string_view bucket);
std::string checkRegion(std::string_view region);
std::string checkEndpoint(std::string_view endpoint);
std::string checkBucketPath(std::string_view path);
std::string checkSecretName(std::string_view name);
std::string checkRoleArn(std::string_view arn);
std::string checkOidcProviderArn(std::string_view arn);

}  // namespace ossvp::controller
