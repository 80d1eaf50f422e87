// bodyBytes: all of a response's body bytes, whatever the body is made of (a
// string, blob slices, file slices), read through HttpResponse::readBody.
// Shared by the emulator's unit tests.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "ossvp/ossemu/http.h"

inline std::string bodyBytes(const ossvp::ossemu::HttpResponse& r) {
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    long n = r.readBody(out.size(), buf, sizeof buf);
    REQUIRE(n >= 0);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}
