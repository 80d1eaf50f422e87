// CRC-64/ECMA as OSS defines it for x-oss-hash-crc64ecma (CRC-64/XZ:
// reflected ECMA-182 polynomial, init and xorout all ones), backed by ISA-L's
// crc64_ecma_refl, plus combination of the CRCs of adjacent pieces.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ossvp::ossclient {

// CRC of a buffer.
uint64_t crc64(const void* data, size_t size);
inline uint64_t crc64(std::string_view data) { return crc64(data.data(), data.size()); }

// Continues a CRC: crc64Update(crc64(a), b) == crc64(a||b) (streaming, append).
uint64_t crc64Update(uint64_t previous, const void* data, size_t size);
inline uint64_t crc64Update(uint64_t previous, std::string_view data) {
  return crc64Update(previous, data.data(), data.size());
}

// crc64Combine(crc64(A), crc64(B), |B|) == crc64(A||B). len2 == 0 returns crc1.
uint64_t crc64Combine(uint64_t crc1, uint64_t crc2, uint64_t len2);

// Parses the decimal header value; nullopt when malformed.
std::optional<uint64_t> parseCrc64Header(std::string_view value);

}  // namespace ossvp::ossclient
