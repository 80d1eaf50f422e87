#include "ossvp/common/base64.h"

#include <openssl/evp.h>

namespace ossvp {
namespace {

bool isStandardDigit(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// `padded` is standard base64 whose length is a multiple of 4 and whose
// digits are all valid except for at most two trailing '='.
std::optional<std::string> decodeBlock(const std::string& padded) {
  size_t pad = 0;
  while (pad < 2 && pad < padded.size() && padded[padded.size() - 1 - pad] == '=') ++pad;
  for (size_t i = 0; i + pad < padded.size(); ++i) {
    if (!isStandardDigit(padded[i])) return std::nullopt;
  }
  if (padded.size() % 4 != 0) return std::nullopt;
  std::string out(padded.size() / 4 * 3, '\0');
  if (out.empty()) return out;
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock decodes the padding as zero bytes: drop them.
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // + EVP's terminating NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') clean.push_back(c);
  }
  return decodeBlock(clean);
}

std::string base64UrlEncode(std::string_view bytes) {
  std::string out = base64Encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;  // no encoder leaves a single digit
  std::string standard(text);
  for (char& c : standard) {
    if (c == '+' || c == '/' || c == '=') return std::nullopt;
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  standard.append((4 - standard.size() % 4) % 4, '=');
  return decodeBlock(standard);
}

}  // namespace ossvp
