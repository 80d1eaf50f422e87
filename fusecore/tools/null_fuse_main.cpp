// ossvp-fuse-null: the FUSE ceiling of this machine. A FUSE filesystem that serves
// files of zeros from memory, with ossmount's FUSE settings (1 MiB max_read,
// async reads, multithreaded loop), so that a read job through it costs only
// what FUSE itself costs: the kernel round trip and the copies. Whatever a
// FUSE client reaches on top of a network is bounded by this.
//
// Usage: ossvp-fuse-null MOUNTPOINT SEQ_BYTES FOUR_BYTES
//   /seq.bin of SEQ_BYTES, /four/f0..f3 of FOUR_BYTES each. Unmount with
//   fusermount3 -u MOUNTPOINT. Built as ossvp-fuse-null (bench tool, not shipped).
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Node {
  fuse_ino_t ino;
  fuse_ino_t parent;
  std::string name;
  bool dir;
  off_t size;
};

std::vector<Node> nodes;  // index = ino - 1; fixed before the session starts
char zeros[1 << 20];

const Node* find(fuse_ino_t ino) { return ino >= 1 && ino <= nodes.size() ? &nodes[ino - 1] : nullptr; }

struct stat statOf(const Node& n) {
  struct stat st {};
  st.st_ino = n.ino;
  st.st_mode = n.dir ? (S_IFDIR | 0555) : (S_IFREG | 0444);
  st.st_nlink = n.dir ? 2 : 1;
  st.st_size = n.size;
  return st;
}

void init(void*, fuse_conn_info* conn) {
  conn->max_read = 1 << 20;
  conn->max_background = 256;  // ossmount's default (mount_config.h)
  conn->congestion_threshold = 192;
  if (conn->capable & FUSE_CAP_ASYNC_READ) conn->want |= FUSE_CAP_ASYNC_READ;
}

void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  for (const Node& n : nodes) {
    if (n.parent == parent && n.name == name && n.ino != 1) {
      fuse_entry_param e{};
      e.ino = n.ino;
      e.attr = statOf(n);
      e.attr_timeout = e.entry_timeout = 3600;
      fuse_reply_entry(req, &e);
      return;
    }
  }
  fuse_reply_err(req, ENOENT);
}

void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  const Node* n = find(ino);
  if (!n) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  struct stat st = statOf(*n);
  fuse_reply_attr(req, &st, 3600);
}

void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  const Node* n = find(ino);
  if (!n || n->dir) {
    fuse_reply_err(req, n ? EISDIR : ENOENT);
    return;
  }
  fi->keep_cache = 0;
  fuse_reply_open(req, fi);
}

void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  const Node* n = find(ino);
  if (!n) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  size_t len = off >= n->size ? 0 : std::min<size_t>({size, static_cast<size_t>(n->size - off), sizeof(zeros)});
  fuse_reply_buf(req, zeros, len);
}

void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  std::vector<char> buf(size);
  size_t used = 0;
  off_t i = 0;
  for (const Node& n : nodes) {
    if (n.parent != ino || n.ino == ino) continue;
    if (i++ < off) continue;
    struct stat st = statOf(n);
    size_t need = fuse_add_direntry(req, buf.data() + used, size - used, n.name.c_str(), &st, i);
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, buf.data(), used);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s MOUNTPOINT SEQ_BYTES FOUR_BYTES\n", argv[0]);
    return 2;
  }
  off_t seq = std::atoll(argv[2]), four = std::atoll(argv[3]);
  nodes.push_back({1, 1, "", true, 0});
  nodes.push_back({2, 1, "seq.bin", false, seq});
  nodes.push_back({3, 1, "four", true, 0});
  for (int i = 0; i < 4; ++i) {
    char name[8];
    std::snprintf(name, sizeof(name), "f%d", i);
    nodes.push_back({static_cast<fuse_ino_t>(4 + i), 3, name, false, four});
  }
  const char* fargv[] = {"null_fuse", "-o", "max_read=1048576", "-o", "fsname=null_fuse", "-o", "ro"};
  fuse_args args = FUSE_ARGS_INIT(7, const_cast<char**>(fargv));
  fuse_lowlevel_ops ops{};
  ops.init = init;
  ops.lookup = lookup;
  ops.getattr = getattr;
  ops.open = open;
  ops.read = read;
  ops.readdir = readdir;
  fuse_session* se = fuse_session_new(&args, &ops, sizeof(ops), nullptr);
  if (!se || fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, argv[1]) != 0) return 1;
  fuse_loop_config cfg{};
  cfg.clone_fd = 0;
  cfg.max_idle_threads = 10;
  int rc = fuse_session_loop_mt(se, &cfg);
  fuse_session_unmount(se);
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  return rc;
}
