#include "ossvp/controller/ossvp_types.h"

#include "ossvp_json_read.h"

namespace ossvp::controller {

using detail::field;
using detail::readInt64;
using detail::readString;
using detail::readStringMap;
using detail::requireObject;

namespace {

// Each enum's spellings, one table per enum: name and parse read the same one.
template <typename E>
struct Spelling {
  E value;
  std::string_view crd;  // as the CRD writes it
  std::string_view nas;  // as the NAS API writes it (data types only)
};

constexpr Spelling<PopulatorMode> kModes[] = {{PopulatorMode::Generic, "generic", ""},
                                              {PopulatorMode::BmcpfsDataflow, "bmcpfs-dataflow", ""}};
constexpr Spelling<BmcpfsDataType> kDataTypes[] = {{BmcpfsDataType::Metadata, "metadata", "Metadata"},
                                                   {BmcpfsDataType::MetadataAndData, "metadataAndData", "MetaAndData"}};

template <typename E, size_t N>
const Spelling<E>& spellingOf(const Spelling<E> (&table)[N], E value) {
  for (const auto& s : table) {
    if (s.value == value) return s;
  }
  return table[0];
}

template <typename E, size_t N>
bool parseSpelling(const Spelling<E> (&table)[N], std::string_view text, E* out) {
  for (const auto& s : table) {
    if (s.crd == text) {
      *out = s.value;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view modeName(PopulatorMode mode) { return spellingOf(kModes, mode).crd; }
bool parseMode(std::string_view text, PopulatorMode* out) { return parseSpelling(kModes, text, out); }
PopulatorMode modeOf(const nlohmann::json& ossvp) {
  PopulatorMode m = PopulatorMode::Generic;
  if (ossvp.is_object() && ossvp.contains("spec") && ossvp["spec"].is_object()) {
    const auto& spec = ossvp["spec"];
    if (spec.contains("mode") && spec["mode"].is_string()) (void)parseMode(spec["mode"].get<std::string>(), &m);
  }
  return m;
}
std::string_view dataTypeName(BmcpfsDataType type) { return spellingOf(kDataTypes, type).crd; }
bool parseDataType(std::string_view text, BmcpfsDataType* out) { return parseSpelling(kDataTypes, text, out); }
std::string_view nasDataType(BmcpfsDataType type) { return spellingOf(kDataTypes, type).nas; }

std::string OssvpSpec::objectPrefix() const {
  std::string_view p = path;
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  std::string prefix(p);
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return prefix;
}

namespace {

Status unsupported(const std::string& path, const std::string& value, std::string_view supported) {
  return invalidArgument(path + ": Unsupported value: \"" + value + "\": supported values: " + std::string(supported));
}

Status parseBmcpfs(const nlohmann::json& j, BmcpfsDataflowOptions* out) {
  const std::string base = "spec.bmcpfsDataflow";
  OSSVP_RETURN_IF_ERROR(requireObject(j, base));
  int64_t throughput = out->throughputMBps;
  OSSVP_RETURN_IF_ERROR(readInt64(j, "throughput", base, &throughput));
  if (throughput != 600 && throughput != 1200 && throughput != 1500) {
    return unsupported(base + ".throughput", std::to_string(throughput), "600, 1200, 1500 (MB/s)");
  }
  out->throughputMBps = static_cast<int>(throughput);
  OSSVP_RETURN_IF_ERROR(readString(j, "sourceSecurityType", base, &out->sourceSecurityType));
  const std::string& sst = out->sourceSecurityType;
  if (!sst.empty() && sst != "SSL" && sst != "None") {
    return unsupported(base + ".sourceSecurityType", sst, "\"SSL\", \"None\" (or leave it unset)");
  }
  std::string dataType;
  bool present = false;
  OSSVP_RETURN_IF_ERROR(readString(j, "dataType", base, &dataType, &present));
  if (present && !parseDataType(dataType, &out->dataType)) {
    return unsupported(base + ".dataType", dataType, "\"metadata\", \"metadataAndData\"");
  }
  return Status::ok();
}

Status parseGeneric(const nlohmann::json& j, GenericOptions* out) {
  const std::string base = "spec.generic";
  OSSVP_RETURN_IF_ERROR(requireObject(j, base));
  OSSVP_RETURN_IF_ERROR(readStringMap(j, "labels", base, &out->labels));
  OSSVP_RETURN_IF_ERROR(readStringMap(j, "annotations", base, &out->annotations));
  std::string secret;
  bool present = false;
  OSSVP_RETURN_IF_ERROR(readString(j, "secretRef", base, &secret, &present));
  if (present) out->secretRef = secret;
  if (const nlohmann::json* rrsa = field(j, "rrsaConfigs")) {
    const std::string rbase = base + ".rrsaConfigs";
    OSSVP_RETURN_IF_ERROR(requireObject(*rrsa, rbase));
    RrsaConfig cfg;
    OSSVP_RETURN_IF_ERROR(readString(*rrsa, "roleArn", rbase, &cfg.roleArn));
    OSSVP_RETURN_IF_ERROR(readString(*rrsa, "oidcProviderArn", rbase, &cfg.oidcProviderArn));
    out->rrsaConfigs = cfg;
  }
  if (const nlohmann::json* aff = field(j, "affinity")) {
    OSSVP_RETURN_IF_ERROR(requireObject(*aff, base + ".affinity"));
    out->affinity = *aff;
  }
  if (const nlohmann::json* tol = field(j, "tolerations")) {
    if (!tol->is_array()) return detail::typeError(base + ".tolerations", *tol, "a list of tolerations");
    for (size_t i = 0; i < tol->size(); ++i) {
      OSSVP_RETURN_IF_ERROR(requireObject((*tol)[i], base + ".tolerations[" + std::to_string(i) + "]"));
    }
    out->tolerations = *tol;
  }
  int64_t throughput = 0;
  OSSVP_RETURN_IF_ERROR(readInt64(j, "throughput", base, &throughput, &present));
  if (present) out->throughputMBps = throughput;
  return Status::ok();
}

}  // namespace

Result<OssvpSpec> parseOssvpSpec(const nlohmann::json& spec) {
  OSSVP_RETURN_IF_ERROR(requireObject(spec, "spec"));
  OssvpSpec out;
  OSSVP_RETURN_IF_ERROR(readString(spec, "bucket", "spec", &out.bucket));
  OSSVP_RETURN_IF_ERROR(readString(spec, "region", "spec", &out.region));
  OSSVP_RETURN_IF_ERROR(readString(spec, "endpoint", "spec", &out.endpoint));
  OSSVP_RETURN_IF_ERROR(readString(spec, "path", "spec", &out.path));
  std::string mode;
  bool present = false;
  OSSVP_RETURN_IF_ERROR(readString(spec, "mode", "spec", &mode, &present));
  if (present && !parseMode(mode, &out.mode)) {
    return unsupported("spec.mode", mode, "\"generic\", \"bmcpfs-dataflow\"");
  }
  if (const nlohmann::json* b = field(spec, "bmcpfsDataflow")) {
    BmcpfsDataflowOptions opts;
    OSSVP_RETURN_IF_ERROR(parseBmcpfs(*b, &opts));
    out.bmcpfsDataflow = opts;
  }
  if (const nlohmann::json* g = field(spec, "generic")) {
    GenericOptions opts;
    OSSVP_RETURN_IF_ERROR(parseGeneric(*g, &opts));
    out.generic = std::move(opts);
  }
  return out;
}

Result<OssvpObject> parseOssvpObject(const nlohmann::json& object) {
  OSSVP_RETURN_IF_ERROR(requireObject(object, "object"));
  std::string apiVersion, kind;
  OSSVP_RETURN_IF_ERROR(readString(object, "apiVersion", "", &apiVersion));
  OSSVP_RETURN_IF_ERROR(readString(object, "kind", "", &kind));
  if ((!apiVersion.empty() && apiVersion != kOssvpApiVersion) || (!kind.empty() && kind != kOssvpKind)) {
    return invalidArgument("expected " + std::string(kOssvpApiVersion) + " " + std::string(kOssvpKind) + ", got " +
                           apiVersion + " " + kind);
  }
  OssvpObject out;
  const nlohmann::json* meta = field(object, "metadata");
  if (!meta) return invalidArgument("metadata: Required value");
  OSSVP_RETURN_IF_ERROR(requireObject(*meta, "metadata"));
  OSSVP_RETURN_IF_ERROR(readString(*meta, "namespace", "metadata", &out.ns));
  OSSVP_RETURN_IF_ERROR(readString(*meta, "name", "metadata", &out.name));
  OSSVP_RETURN_IF_ERROR(readString(*meta, "uid", "metadata", &out.uid));
  OSSVP_RETURN_IF_ERROR(readString(*meta, "resourceVersion", "metadata", &out.resourceVersion));
  OSSVP_RETURN_IF_ERROR(readInt64(*meta, "generation", "metadata", &out.generation));
  out.deleting = field(*meta, "deletionTimestamp") != nullptr;
  if (out.name.empty()) return invalidArgument("metadata.name: Required value");
  const nlohmann::json* spec = field(object, "spec");
  if (!spec) {
    return invalidArgument("spec: Required value (OSSVolumePopulator " + out.ns + "/" + out.name + ")");
  }
  auto parsed = parseOssvpSpec(*spec);
  if (!parsed) return parsed.status();
  out.spec = std::move(parsed).value();
  return out;
}

}  // namespace ossvp::controller
