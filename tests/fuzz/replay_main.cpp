// Replay driver for the non-libFuzzer build: runs every file of the given
// directories (or files) through LLVMFuzzerTestOneInput once, so the seed
// corpus and every saved crash (regressions/) are re-checked by ctest.
// Fails when a listed corpus directory holds no input at all (a test that
// replays nothing proves nothing); a missing directory is allowed only for
// --optional ones (regressions/ starts empty).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

static bool replayFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", p.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return true;
}

int main(int argc, char** argv) {
  size_t total = 0;
  bool optional = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--optional") {
      optional = true;
      continue;
    }
    fs::path p(arg);
    std::vector<fs::path> files;
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      if (files.empty() && !optional) {
        std::fprintf(stderr, "replay: corpus %s is empty\n", p.c_str());
        return 1;
      }
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else if (!optional) {
      std::fprintf(stderr, "replay: %s does not exist\n", p.c_str());
      return 1;
    }
    for (const auto& f : files) {
      if (!replayFile(f)) return 1;
      ++total;
    }
    optional = false;
  }
  std::printf("replay: %zu inputs, no finding\n", total);
  return 0;
}
