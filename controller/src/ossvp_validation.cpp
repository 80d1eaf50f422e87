#include "ossvp/controller/ossvp_validation.h"

#include <cctype>

namespace ossvp::controller {

std::vector<std::string_view> celRuleMessages() {
  return {kMsgGenericNeedsCredentials, kMsgBmcpfsOptionsNeedBmcpfsMode, kMsgGenericOptionsNeedGenericMode,
          kMsgSecretRefXorRrsa, kMsgRrsaNeedsBoth};
}

namespace {

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// A DNS-1123-style label: [alnum]([alnum-]*[alnum])? with the given alphabet.
bool isLabel(std::string_view s, bool (*alnum)(char)) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

// Dot-separated labels (a host name or a DNS subdomain).
bool isDottedLabels(std::string_view s, bool (*alnum)(char)) {
  while (true) {
    size_t dot = s.find('.');
    if (!isLabel(s.substr(0, dot), alnum)) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

std::string quoteValue(std::string_view v) {
  std::string s(v.substr(0, 128));
  if (v.size() > 128) s += "...";
  return "\"" + s + "\"";
}

// `otherKind` is the resource type of the other rrsaConfigs field, so that
// swapped fields get a message saying so.
std::string checkArn(std::string_view arn, std::string_view kind, std::string_view example, std::string_view otherKind,
                     std::string_view otherWhat, std::string_view otherField) {
  constexpr std::string_view kPrefix = "acs:ram::";
  if (arn.size() > 1024) return "must be at most 1024 characters";
  std::string wanted = "must look like " + std::string(example);
  if (arn.substr(0, kPrefix.size()) != kPrefix) return wanted;
  std::string_view rest = arn.substr(kPrefix.size());
  size_t colon = rest.find(':');
  if (colon == 0 || colon == std::string_view::npos) return wanted;
  std::string_view account = rest.substr(0, colon);
  if (account.find('/') != std::string_view::npos) return wanted;
  std::string_view resource = rest.substr(colon + 1);
  auto hasPrefix = [&](std::string_view k) {
    return resource.size() > k.size() + 1 && resource.substr(0, k.size()) == k && resource[k.size()] == '/';
  };
  if (hasPrefix(kind)) return "";
  if (hasPrefix(otherKind)) {
    return "this is " + std::string(otherWhat) + " ARN, which belongs in " + std::string(otherField) + "; this field " +
           wanted;
  }
  return wanted;
}

// Kubernetes label key ([prefix/]name) and value rules, so a bad label fails
// here and not later at pod creation.
std::string checkLabelKey(std::string_view key) {
  std::string_view name = key;
  size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    if (prefix.size() > 253 || !isDottedLabels(prefix, isLowerAlnum)) {
      return "the prefix before \"/\" must be a DNS subdomain such as example.com";
    }
    name = key.substr(slash + 1);
  }
  auto nameChar = [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; };
  bool ok = !name.empty() && name.size() <= 63 && isAlnum(name.front()) && isAlnum(name.back());
  for (char c : name) ok = ok && nameChar(c);
  return ok ? ""
            : "a key name has 1 to 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter "
              "or digit";
}

std::string checkLabelValue(std::string_view v) {
  if (v.empty()) return "";
  auto valueChar = [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; };
  bool ok = v.size() <= 63 && isAlnum(v.front()) && isAlnum(v.back());
  for (char c : v) ok = ok && valueChar(c);
  return ok ? ""
            : "a label value has at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a "
              "letter or digit";
}

class Collector {
 public:
  void add(std::string field, std::string_view detail) {
    errors_.push_back({field, field + ": " + std::string(detail)});
  }
  void invalid(const std::string& field, std::string_view value, const std::string& reason) {
    if (!reason.empty()) add(field, "Invalid value: " + quoteValue(value) + ": " + reason);
  }
  void required(const std::string& field, std::string_view what) { add(field, "Required value: " + std::string(what)); }
  void rule(std::string_view field, std::string_view message) {
    errors_.push_back({std::string(field), std::string(message)});
  }
  std::vector<FieldError> take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

void validateTolerations(const nlohmann::json& tolerations, Collector* c) {
  if (!tolerations.is_array()) return;
  for (size_t i = 0; i < tolerations.size(); ++i) {
    const nlohmann::json& t = tolerations[i];
    std::string base = "spec.generic.tolerations[" + std::to_string(i) + "]";
    std::string op = t.value("operator", std::string("Equal"));
    std::string effect = t.value("effect", std::string());
    if (op != "Equal" && op != "Exists")
      c->add(base + ".operator", "Unsupported value: " + quoteValue(op) + ": supported values: \"Equal\", \"Exists\"");
    if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      c->add(base + ".effect", "Unsupported value: " + quoteValue(effect) +
                                   ": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
    }
    if (op == "Exists" && !t.value("value", std::string()).empty()) {
      c->add(base + ".value", "Invalid value: must be empty when operator is Exists");
    }
  }
}

void validateMap(const std::map<std::string, std::string>& m, const std::string& base, bool checkValues, Collector* c) {
  for (const auto& [k, v] : m) {
    c->invalid(base, k, checkLabelKey(k));
    if (checkValues) c->invalid(base + "[" + k + "]", v, checkLabelValue(v));
  }
}

void validateGeneric(const GenericOptions& g, Collector* c) {
  if (!g.secretRef && !g.rrsaConfigs) c->rule("spec.generic", kMsgGenericNeedsCredentials);
  if (g.secretRef && g.rrsaConfigs) c->rule("spec.generic", kMsgSecretRefXorRrsa);
  if (g.secretRef) c->invalid("spec.generic.secretRef", *g.secretRef, checkSecretName(*g.secretRef));
  if (g.rrsaConfigs) {
    const RrsaConfig& r = *g.rrsaConfigs;
    if (r.roleArn.empty() || r.oidcProviderArn.empty()) {
      c->rule("spec.generic.rrsaConfigs", kMsgRrsaNeedsBoth);
    }
    if (!r.roleArn.empty()) c->invalid("spec.generic.rrsaConfigs.roleArn", r.roleArn, checkRoleArn(r.roleArn));
    if (!r.oidcProviderArn.empty()) {
      c->invalid("spec.generic.rrsaConfigs.oidcProviderArn", r.oidcProviderArn,
                 checkOidcProviderArn(r.oidcProviderArn));
    }
  }
  validateMap(g.labels, "spec.generic.labels", true, c);
  validateMap(g.annotations, "spec.generic.annotations", false, c);
  validateTolerations(g.tolerations, c);
  if (g.throughputMBps && (*g.throughputMBps < 1 || *g.throughputMBps > 100000)) {
    c->invalid("spec.generic.throughput", std::to_string(*g.throughputMBps),
               "must be between 1 and 100000 (MB/s); leave it unset for no limit");
  }
}

}  // namespace

std::string checkBucketName(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return "an OSS bucket name has 3 to 63 characters";
  for (char c : b) {
    if (!isLowerAlnum(c) && c != '-') {
      return "an OSS bucket name contains only lower-case letters, digits and hyphens";
    }
  }
  if (b.front() == '-' || b.back() == '-')
    return "an OSS bucket name starts and ends with a lower-case letter or digit";
  return "";
}

std::string checkRegion(std::string_view r) {
  std::string reason = "must be a region id such as cn-hangzhou (lower-case letters, digits and hyphens)";
  if (r.size() > 63) return reason;
  // [a-z0-9]+(-[a-z0-9]+)*: a label with no "--".
  if (!isLabel(r, isLowerAlnum) || r.find("--") != std::string_view::npos) return reason;
  return "";
}

std::string checkEndpoint(std::string_view e) {
  size_t scheme = e.find("://");
  if (scheme != std::string_view::npos) {
    return "the endpoint is a host name without a scheme: drop " + quoteValue(e.substr(0, scheme + 3)) +
           " (HTTPS is always used)";
  }
  size_t slash = e.find('/');
  if (slash != std::string_view::npos) {
    return "the endpoint is a host name without a path: drop " + quoteValue(e.substr(slash)) +
           " (put the prefix in spec.path)";
  }
  std::string reason =
      "must be a host name such as oss-cn-hangzhou-internal.aliyuncs.com (letters, digits, hyphens and dots, "
      "optionally :port)";
  if (e.size() > 253) return reason;
  std::string_view host = e;
  size_t colon = e.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = e.substr(colon + 1);
    host = e.substr(0, colon);
    if (port.empty() || port.size() > 5) return reason;
    for (char c : port) {
      if (!isDigit(c)) return reason;
    }
  }
  return isDottedLabels(host, isAlnum) ? "" : reason;
}

std::string checkBucketPath(std::string_view p) {
  if (p.size() > 1023) return "must be at most 1023 characters";
  if (p.empty() || p.front() != '/') {
    std::string example(1, '/');
    example.append(p);
    return "must start with \"/\", for example " + quoteValue(example);
  }
  std::string_view rest = p.substr(1);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg.empty()) return "must not contain an empty segment (\"//\")";
    if (seg == "." || seg == "..") return "must not contain \".\" or \"..\" segments";
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return "";
}

std::string checkSecretName(std::string_view n) {
  if (n.size() > 253 || !isDottedLabels(n, isLowerAlnum)) {
    return "must be the name of a Secret in namespace ack-volume-populator (lower-case letters, digits, '-' and '.')";
  }
  return "";
}

std::string checkRoleArn(std::string_view arn) {
  return checkArn(arn, "role", "acs:ram::<account-id>:role/<role-name>", "oidc-provider", "an OIDC provider",
                  "spec.generic.rrsaConfigs.oidcProviderArn");
}

std::string checkOidcProviderArn(std::string_view arn) {
  return checkArn(arn, "oidc-provider", "acs:ram::<account-id>:oidc-provider/<provider-name>", "role", "a RAM role",
                  "spec.generic.rrsaConfigs.roleArn");
}

std::vector<FieldError> validateOssvpSpec(const OssvpSpec& spec) {
  Collector c;
  if (spec.bucket.empty()) {
    c.required("spec.bucket", "the name of the OSS bucket to copy from");
  } else {
    c.invalid("spec.bucket", spec.bucket, checkBucketName(spec.bucket));
  }
  if (spec.region.empty()) {
    c.required("spec.region", "the region of the bucket, e.g. cn-hangzhou");
  } else {
    c.invalid("spec.region", spec.region, checkRegion(spec.region));
  }
  if (spec.endpoint.empty()) {
    c.required("spec.endpoint", "the OSS endpoint host, e.g. oss-cn-hangzhou-internal.aliyuncs.com");
  } else {
    c.invalid("spec.endpoint", spec.endpoint, checkEndpoint(spec.endpoint));
  }
  c.invalid("spec.path", spec.path, checkBucketPath(spec.path));
  // The CRD's rules, in its order: spec's, then spec.generic's.
  bool generic = spec.mode == PopulatorMode::Generic;
  if (generic && !spec.generic) c.rule("spec", kMsgGenericNeedsCredentials);
  if (spec.bmcpfsDataflow && generic) c.rule("spec", kMsgBmcpfsOptionsNeedBmcpfsMode);
  if (spec.generic && !generic) c.rule("spec", kMsgGenericOptionsNeedGenericMode);
  if (spec.generic) validateGeneric(*spec.generic, &c);
  return c.take();
}

Status validationStatus(const std::vector<FieldError>& errors) {
  if (errors.empty()) return Status::ok();
  std::string joined;
  for (const FieldError& e : errors) {
    if (!joined.empty()) joined += "; ";
    joined += e.message;
  }
  return invalidArgument(joined);
}

Result<OssvpSpec> parseAndValidateOssvpSpec(const nlohmann::json& spec) {
  auto parsed = parseOssvpSpec(spec);
  if (!parsed) return parsed.status();
  OSSVP_RETURN_IF_ERROR(validationStatus(validateOssvpSpec(*parsed)));
  return parsed;
}

}  // namespace ossvp::controller
