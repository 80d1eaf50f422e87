// small_read: job 3's reader. Lists every file under DIR (not timed), then
// THREADS threads each take the next file, open it, read it to EOF and close
// it, as the Python reader this replaces did (open, read until EOF, close).
// Prints one JSON line: {"files":N,"bytes":B,"seconds":S}.
//
// Why C: on a 2-core rig the Python reader used about 165 us of CPU per file
// (a quarter of the machine at 3,000 files/s), CPU that a FUSE client under
// test has to share and the raw ceiling (curl) never pays. A compiled reader
// measures the client, as fio does for jobs 1 and 2.
//
// Build: cc -O2 -pthread -o small_read small_read.c
// Usage: small_read DIR THREADS
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char** paths;
static size_t npaths, cap;
static atomic_size_t next_path;
static atomic_ullong total_bytes;
static atomic_int failed;

static void add_path(const char* p) {
  if (npaths == cap) {
    cap = cap ? cap * 2 : 1024;
    paths = realloc(paths, cap * sizeof *paths);
    if (!paths) abort();
  }
  paths[npaths++] = strdup(p);
}

static int walk(const char* dir) {
  DIR* d = opendir(dir);
  if (!d) {
    fprintf(stderr, "small_read: cannot list %s: %s\n", dir, strerror(errno));
    return -1;
  }
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    int isDir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {  // some file systems leave the type to stat
      struct stat st;
      isDir = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (isDir) {
      if (walk(p) != 0) return -1;
    } else {
      add_path(p);
    }
  }
  closedir(d);
  return 0;
}

static void* reader(void* arg) {
  (void)arg;
  size_t bufsize = 1 << 20;
  char* buf = malloc(bufsize);
  if (!buf) abort();
  for (;;) {
    size_t i = atomic_fetch_add(&next_path, 1);
    if (i >= npaths) break;
    int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      fprintf(stderr, "small_read: open %s: %s\n", paths[i], strerror(errno));
      atomic_store(&failed, 1);
      continue;
    }
    unsigned long long got = 0;
    for (;;) {
      ssize_t n = read(fd, buf, bufsize);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        fprintf(stderr, "small_read: read %s: %s\n", paths[i], strerror(errno));
        atomic_store(&failed, 1);
        break;
      }
      if (n == 0) break;
      got += (unsigned long long)n;
    }
    close(fd);
    atomic_fetch_add(&total_bytes, got);
  }
  free(buf);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3 || atoi(argv[2]) < 1) {
    fprintf(stderr, "usage: small_read DIR THREADS\n");
    return 2;
  }
  int threads = atoi(argv[2]);
  if (walk(argv[1]) != 0) return 1;
  pthread_t* tids = calloc((size_t)threads, sizeof *tids);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < threads; ++i) pthread_create(&tids[i], NULL, reader, NULL);
  for (int i = 0; i < threads; ++i) pthread_join(tids[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("{\"files\":%zu,\"bytes\":%llu,\"seconds\":%.6f}\n", npaths, (unsigned long long)atomic_load(&total_bytes), secs);
  return atomic_load(&failed) ? 1 : 0;
}
