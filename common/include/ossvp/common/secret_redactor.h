// SecretRedactor: a process-wide registry of secret values (AccessKey
// secrets, STS tokens, OIDC tokens, bearer tokens). Whoever loads a secret
// registers it; the logger, error messages and anything written outside the
// process pass text through redact(), which replaces each occurrence with
// "***". Values shorter than 4 characters are ignored (too likely to match
// ordinary text).
//
// Thread-safety: internally synchronized.
#pragma once

#include <string>
#include <string_view>

namespace ossvp {

void registerSecret(std::string_view secret);
std::string redactSecrets(std::string_view text);

}  // namespace ossvp
