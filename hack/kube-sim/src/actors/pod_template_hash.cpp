#include "actors/pod_template_hash.h"

namespace ossvp::kubesim {

std::string podTemplateHash(const json& podTemplate, int64_t collisionCount) {
  std::string text = podTemplate.dump();
  if (collisionCount > 0) text += std::to_string(collisionCount);
  uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  static const std::string kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (char d : std::to_string(h)) out += kAlphabet[static_cast<unsigned char>(d) % kAlphabet.size()];
  return out;
}

}  // namespace ossvp::kubesim
