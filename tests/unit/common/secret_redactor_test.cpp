#include <catch2/catch.hpp>

#include "ossvp/common/secret_redactor.h"

using namespace ossvp;

TEST_CASE("registered secrets are redacted wherever they appear", "[unit]") {
  registerSecret("SUPERSECRETvalue");
  registerSecret("abc");  // too short: ignored
  CHECK(redactSecrets("key=SUPERSECRETvalue; again SUPERSECRETvalue") == "key=***; again ***");
  CHECK(redactSecrets("abc stays") == "abc stays");
}
