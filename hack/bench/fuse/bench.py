#!/usr/bin/env python3
"""Driver of hack/bench/fuse_bench.sh (see there for the env knobs)."""
import csv, json, os, re, shutil, signal, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import bar_chart  # noqa: E402

E = os.environ
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.path.abspath(E.get("OSSVP_BIN", os.path.join(ROOT, "build", "bin")))
# Network shapes (oss-emulator --profile): every claim is made in both.
PROFILES = E.get("PROFILES", "loopback cloud").split()
LAT = E.get("LATENCY_MS")  # overrides the profile's first-byte latency when set
# ETags of written objects: crc64 by default, so that the emulator's MD5 (about
# 0.75 GB/s per core, on the cores the clients use) does not bound the write
# job; OSS hashes on its own hardware. Seeded objects always have MD5 ETags.
EMU_ETAG = E.get("EMU_ETAG", "crc64")
JOBS = set(E.get("JOBS", "1 2 3 4 5 6 7").split())
# Settings the raw ceilings are the best of (requests / parts in flight).
RAW_READ_INFLIGHT = [int(x) for x in E.get("RAW_READ_INFLIGHT", "16 32 64 128").split()]
RAW_WRITE_INFLIGHT = [int(x) for x in E.get("RAW_WRITE_INFLIGHT", "16 32 64").split()]
SEQ_MB, FOUR_MB = int(E.get("SEQ_MB", "2048")), int(E.get("FOUR_MB", "512"))
SMALL_N, SMALL_KB = int(E.get("SMALL_FILES", "10000")), int(E.get("SMALL_KB", "128"))
WRITE_MB, MODEL_MB = int(E.get("WRITE_MB", "2048")), int(E.get("MODEL_MB", "2048"))
MEDIUM_N, MEDIUM_MB = int(E.get("MEDIUM_FILES", "64")), int(E.get("MEDIUM_MB", "16"))
TOOLS = E.get("TOOLS", "ossmount ossmount-noc2o ossmount-256m s3fs rclone raw").split()
WORK = E.get("BENCH_DIR", "/tmp/ossvp-fuse-bench")
OUT = E.get("OUT", os.path.join(WORK, "results"))
AK, SK, BUCKET = "ossvp-emulator-ak", "ossvp-emulator-sk", "bench"
HERE = os.path.dirname(os.path.abspath(__file__))
SMALL_READ = os.path.join(WORK, "small_read")  # job 3's reader, built by main()
MEDIUM_JOB = f"7 {MEDIUM_N} x {MEDIUM_MB}M one at a time (MB/s)"


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, text=True, capture_output=True, **kw).stdout


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def make_data(data):
    stamp = os.path.join(data, f".done-{SEQ_MB}-{FOUR_MB}-{SMALL_N}-{SMALL_KB}-{MODEL_MB}")
    if os.path.exists(stamp):
        make_medium(data)
        return
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(os.path.join(data, "four"))
    log("generating data ...")
    sh(f"head -c 64M /dev/urandom > {WORK}/blk")
    def big(path, mb):
        sh(f"for i in $(seq 1 {mb // 64}); do cat {WORK}/blk; done > {path}")
    big(f"{data}/seq.bin", SEQ_MB)
    for i in range(4):
        big(f"{data}/four/f{i}", FOUR_MB)
    for d in range(max(1, SMALL_N // 1000)):
        os.makedirs(f"{data}/small/d{d}")
    sh(f"head -c {SMALL_KB * 1024} /dev/urandom > {WORK}/small.blk")
    for i in range(SMALL_N):
        shutil.copyfile(f"{WORK}/small.blk", f"{data}/small/d{i % max(1, SMALL_N // 1000)}/f{i}")
    log(sh(f"python3 {HERE}/make_safetensors.py {data}/model.safetensors {MODEL_MB}").strip())
    open(stamp, "w").close()
    make_medium(data)


def make_medium(data):
    """Job 7's files, kept apart (own stamp) so that changing their count or
    size does not regenerate the rest of the data set."""
    stamp = os.path.join(data, f".done-medium-{MEDIUM_N}-{MEDIUM_MB}")
    if os.path.exists(stamp):
        return
    shutil.rmtree(f"{data}/medium", ignore_errors=True)
    os.makedirs(f"{data}/medium")
    for i in range(MEDIUM_N):
        sh(f"head -c {MEDIUM_MB}M /dev/urandom > {data}/medium/m{i:04d}")
    open(stamp, "w").close()


class Emulator:
    def __init__(self, data, profile):
        self.log = open(f"{WORK}/emu.log", "w")
        shape = ["--profile", profile] + (["--latency-ms", LAT] if LAT else [])
        self.p = subprocess.Popen([f"{BIN}/oss-emulator", "--listen", "127.0.0.1:0", "--data-dir",
                                   f"{WORK}/emu-data", "--seed", f"{BUCKET}={data}", *shape,
                                   "--allow-anonymous",  # curl's raw rows
                                   "--etag", EMU_ETAG,
                                   "--log-level", "warn"], stdout=self.log, stderr=self.log)
        for _ in range(3000):  # seeding hashes every object: minutes for many GiB
            m = re.search(r"http://127\.0\.0\.1:\d+", open(f"{WORK}/emu.log").read())
            if m:
                self.url = m.group(0)
                return
            time.sleep(0.1)
        raise RuntimeError("emulator did not start")

    def stats(self):
        return json.load(urllib.request.urlopen(self.url + "/-/stats"))["operations"]

    def count(self, op):
        return self.stats().get(op, {}).get("count", 0)

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait()


def proc_cpu_rss(pid):
    if not os.path.exists(f"/proc/{pid}"):
        raise RuntimeError(f"the FUSE daemon (pid {pid}) is gone: it crashed or exited during the job")
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) * 1024
    return ticks / os.sysconf("SC_CLK_TCK"), hwm


class Mount:
    """A fresh mount of one tool (a new process per job: cold caches, own RSS peak)."""

    def __init__(self, tool, emu, mnt, rw):
        self.tool, self.mnt = tool, mnt
        os.makedirs(mnt, exist_ok=True)
        env = dict(E, ALIBABA_CLOUD_ACCESS_KEY_ID=AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK)
        if tool.startswith("ossmount"):
            opts = f"endpoint={emu.url},region=cn-hangzhou,log_file={WORK}/ossmount.log"
            if tool == "ossmount-noc2o":
                opts += ",close_to_open=false"
            if tool == "ossmount-256m":  # the acceptance's small-budget rates
                opts += ",memory_limit=256M"
            tool = "ossmount"
            cmd = [f"{BIN}/ossmount", BUCKET, mnt, "-o", opts + (",rw" if rw else "")]
        elif tool == "s3fs":
            with open(f"{WORK}/passwd", "w") as f:
                f.write(f"{AK}:{SK}\n")
            os.chmod(f"{WORK}/passwd", 0o600)
            os.makedirs(f"{WORK}/s3fs-tmp", exist_ok=True)
            cmd = ["s3fs", BUCKET, mnt, "-o", f"url={emu.url},use_path_request_style,passwd_file={WORK}/passwd,"
                   "endpoint=cn-hangzhou,sigv4,parallel_count=16,multipart_size=8,multireq_max=64,"
                   f"stat_cache_expire=60,enable_noobj_cache,max_background=64,umask=022,"
                   f"tmpdir={WORK}/s3fs-tmp,dbglevel=warn"]
        else:  # rclone
            env.update(RCLONE_CONFIG="/dev/null", RCLONE_CONFIG_EMU_TYPE="s3", RCLONE_CONFIG_EMU_PROVIDER="Other",
                       RCLONE_CONFIG_EMU_ENV_AUTH="false", RCLONE_CONFIG_EMU_ACCESS_KEY_ID=AK,
                       RCLONE_CONFIG_EMU_SECRET_ACCESS_KEY=SK, RCLONE_CONFIG_EMU_ENDPOINT=emu.url,
                       RCLONE_CONFIG_EMU_REGION="cn-hangzhou", RCLONE_CONFIG_EMU_FORCE_PATH_STYLE="true")
            env.pop("AWS_CA_BUNDLE", None)
            cmd = ["rclone", "mount", f"emu:{BUCKET}", mnt, "--daemon", "--vfs-cache-mode", "off",
                   "--use-server-modtime", "--attr-timeout", "60s", "--dir-cache-time", "60s",
                   "--buffer-size", "64M", "--vfs-read-chunk-size", "8M", "--s3-chunk-size", "8M",
                   "--s3-upload-concurrency", "16"] + ([] if rw else ["--read-only"])
        subprocess.run(cmd, check=True, env=env)
        for _ in range(200):
            if os.path.ismount(mnt):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"{tool} did not mount")
        self.pid = find_pid(tool, mnt)
        self.cpu0, _ = proc_cpu_rss(self.pid)

    def finish(self):
        try:
            cpu, rss = proc_cpu_rss(self.pid)
        except RuntimeError as e:
            log(f"{self.tool}: {e}")
            cpu, rss = self.cpu0, 0
        subprocess.run(["fusermount3", "-u", self.mnt])
        subprocess.run(["umount", "-l", self.mnt], capture_output=True)  # if the daemon died
        for _ in range(600):  # the next mount must not find this daemon
            if not os.path.exists(f"/proc/{self.pid}"):
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
        return cpu - self.cpu0, rss


def find_pid(binary, mnt):
    """The FUSE daemon: argv[0] is the tool's binary and its argv names the mount point."""
    for _ in range(50):
        found = []  # (start time, pid): the newest wins over a previous mount's exiting daemon
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                argv = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")
                start = int(open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[19])
            except (OSError, ValueError, IndexError):
                continue
            if os.path.basename(argv[0].decode()) == binary and mnt.encode() in argv:
                found.append((start, int(p)))
        if found:
            return max(found)[1]
        time.sleep(0.1)
    raise RuntimeError(f"no {binary} process for {mnt}")


def drop_caches():
    sh("sync; echo 3 > /proc/sys/vm/drop_caches")


def warm(*paths):
    """Reads the emulator's source files for a job back into the page cache.

    drop_caches (which gives each mount cold kernel caches) also drops the
    emulator's data; without this the mounts would read it from disk while
    the raw ceilings, measured without a drop, read it from memory."""
    files = " ".join(os.path.join(WORK, "data", p) for p in paths)
    if files:
        sh(f"find {files} -type f -print0 | xargs -0 cat > /dev/null")


def fio(args):
    out = sh(f"fio --output-format=json --eta=never --group_reporting --thread --ioengine=psync {args}")
    j = json.loads(out[out.index("{"):])["jobs"][0]
    return (j["read"]["bw_bytes"] or j["write"]["bw_bytes"]) / 1e6


def small_read(mnt, threads):
    """Job 3's reader, a C program (small_read.c): a Python thread pool cost
    about 165 us of CPU per file, a quarter of a 2-core rig, that the FUSE
    client under test had to share and the raw ceiling never pays."""
    r = json.loads(sh(f"{SMALL_READ} {os.path.join(mnt, 'small')} {threads}"))
    if r["bytes"] != r["files"] * SMALL_KB * 1024:
        raise RuntimeError(f"read {r['bytes']} bytes from {r['files']} files of {SMALL_KB} KiB")
    return r["files"] / r["seconds"], r["bytes"] / r["seconds"] / 1e6


def medium_read(d):
    """Job 7's reader: the medium files one at a time, each opened, read to
    EOF in 1 MiB reads and closed before the next (a copy, a checksum pass,
    a loader walking shards): per-file latency, not concurrency, sets the
    rate. Returns (MB/s, files/s)."""
    names = sorted(os.listdir(f"{d}/medium"))
    buf = bytearray(1 << 20)
    total = 0
    t0 = time.monotonic()
    for name in names:
        with open(f"{d}/medium/{name}", "rb", buffering=0) as f:
            while n := f.readinto(buf):
                total += n
    dt = time.monotonic() - t0
    if total != len(names) * (MEDIUM_MB << 20):
        raise RuntimeError(f"read {total} bytes from {len(names)} files of {MEDIUM_MB} MiB")
    return total / dt / 1e6, len(names) / dt


def run_tool(tool, emu, results):
    mnt = f"{WORK}/mnt-{tool}"
    def job(name, rw, body, sources=()):
        drop_caches()
        warm(*sources)
        m = Mount(tool, emu, mnt, rw)
        t0 = time.monotonic()
        try:
            value, extra = body(mnt)
        except Exception as e:  # a tool failing a job is a result, not a crash
            log(f"{tool} {name}: FAILED: {e}")
            value, extra = None, {}
        wall = time.monotonic() - t0
        if not os.path.exists(f"/proc/{m.pid}"):
            log(f"{tool} {name}: FAILED: the FUSE daemon died during the job")
            value = None
        cpu, rss = m.finish()
        row = dict(tool=tool, job=name, value=value, cpu_pct=round(100 * cpu / wall, 1),
                   rss_mb=round(rss / 2**20, 1), **extra)
        log(row)
        results.append(row)

    if "1" in JOBS: job("1 seq read 1t (MB/s)", False,
        lambda d: (fio(f"--name=seq --rw=read --bs=1M --direct=1 --filename={d}/seq.bin --size={SEQ_MB}M"), {}),
        ["seq.bin"])
    four = ":".join(f"{mnt}/four/f{i}" for i in range(4))
    if "2" in JOBS: job("2 seq read 4t (MB/s)", False,
        lambda d: (fio(" ".join(f"--name=f{i} --rw=read --bs=1M --direct=1 --filename={d}/four/f{i} --size={FOUR_MB}M"
                                for i in range(4))), {}), ["four"])
    def small(d):
        heads = emu.count("HeadObject")
        fps, mbps = small_read(d, 64)
        return mbps, {"files_per_s": round(fps, 1), "heads": emu.count("HeadObject") - heads}
    if "3" in JOBS: job(f"3 {SMALL_N} x {SMALL_KB}K, 64t (MB/s)", False, small, ["small"])
    def write(d):
        mbps = fio(f"--name=w --rw=write --bs=1M --end_fsync=1 --fallocate=none --create_on_open=1 --filename={d}/out-{tool}.bin --size={WRITE_MB}M")
        return mbps, {}
    if "4" in JOBS: job("4 seq write 1t (MB/s)", True, write)
    def model(d):
        r = json.loads(sh(f"python3 {HERE}/load_safetensors.py {d}/model.safetensors"))
        return r["bytes"] / r["seconds"] / 1e6, {"seconds": round(r["seconds"], 2)}
    if "5" in JOBS: job("5 model load (MB/s)", False, model, ["model.safetensors"])
    def listing(d):
        heads = emu.count("HeadObject")
        t0 = time.monotonic()
        sh(f"ls -lR {d}/small > /dev/null; find {d}/small -type f | wc -l")
        dt = time.monotonic() - t0
        return dt, {"heads": emu.count("HeadObject") - heads}
    if "6" in JOBS: job("6 ls -lR + find (s, lower is better)", False, listing)
    def medium(d):
        mbps, fps = medium_read(d)
        return mbps, {"files_per_s": round(fps, 1)}
    if "7" in JOBS: job(MEDIUM_JOB, False, medium, ["medium"])


def run_raw(emu, results):
    """The ceilings: the best that any client reaches, over several settings.

    Reads: ossclient's parallel ranged GETs (ossvp-readbench --mode raw) at
    each of RAW_READ_INFLIGHT requests in flight. Small files: one whole-object
    GET per file at the same settings. Writes: a multipart upload of a
    page-cached file with our ossctl and with awscli (shares no code with
    ours), each at RAW_WRITE_INFLIGHT parts in flight. Each row says which
    client and setting gave the best value; all samples are logged."""
    env = dict(E, ALIBABA_CLOUD_ACCESS_KEY_ID=AK, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SK)
    def best(samples):  # [(value, label)] -> (value, label)
        log("raw samples:", samples)
        return max(samples, key=lambda x: x[0])
    def rb(keys, n, mode="raw", extra=()):
        out = subprocess.run([f"{BIN}/ossvp-readbench", "--endpoint", emu.url, "--bucket", BUCKET,
                              "--mode", mode, "--parallel", str(n), *extra] + keys, env=env, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)
    def curl(urls_ranges, n):
        """MB/s and objects/s of one curl process with n transfers in flight (shares no code with ossvp)."""
        cfg = f"{WORK}/curl.cfg"
        with open(cfg, "w") as f:
            f.write("next\n".join(f'url = "{emu.url}/{BUCKET}/{k}"\n' + (f"range = {r}\n" if r else "") +
                                  "output = /dev/null\n" for k, r in urls_ranges))
        t0 = time.monotonic()
        subprocess.run(["curl", "-sf", "--no-progress-meter", "--parallel", "--parallel-max", str(n), "-K", cfg],
                       check=True)
        dt = time.monotonic() - t0
        return dt
    def ranges(key, size):
        return [(key, f"{o}-{min(o + (8 << 20), size) - 1}") for o in range(0, size, 8 << 20)]
    def row(job, value, label, **extra):
        results.append(dict(tool="raw", job=job, value=value, cpu_pct="", rss_mb="", setting=label, **extra))
    if "1" in JOBS or "5" in JOBS:
        warm("seq.bin")  # as the mounts' jobs: every setting reads from memory
        size = SEQ_MB << 20
        v, label = best([(rb(["seq.bin"], n)["MBps"], f"ossclient {n} in flight") for n in RAW_READ_INFLIGHT] +
                        [(size / 1e6 / curl(ranges("seq.bin", size), n), f"curl {n} in flight")
                         for n in RAW_READ_INFLIGHT])
        row("1 seq read 1t (MB/s)", v, label)
        row("5 model load (MB/s)", v, label + " (job 1's ceiling)")
    if "5" in JOBS:
        # The loader itself on the page-cached source file, no network: what
        # the harness can do at all on this machine (its copies go into fresh
        # memory, one page fault per page).
        warm("model.safetensors")
        r = json.loads(sh(f"python3 {HERE}/load_safetensors.py {os.path.join(WORK, 'data', 'model.safetensors')}"))
        results.append(dict(tool="local file", job="5 model load (MB/s)", value=r["bytes"] / r["seconds"] / 1e6,
                            cpu_pct="", rss_mb="", setting="the loader on the page-cached source file"))
    if "2" in JOBS:
        warm("four")
        keys = [f"four/f{i}" for i in range(4)]
        size = FOUR_MB << 20
        v, label = best([(rb(keys, n)["MBps"], f"ossclient {n} in flight") for n in RAW_READ_INFLIGHT] +
                        [(4 * size / 1e6 / curl([x for k in keys for x in ranges(k, size)], n), f"curl {n} in flight")
                         for n in RAW_READ_INFLIGHT])
        row("2 seq read 4t (MB/s)", v, label)
    if "3" in JOBS:
        warm("small")
        keys = [f"small/d{i % max(1, SMALL_N // 1000)}/f{i}" for i in range(SMALL_N)]
        samples = []
        for n in RAW_READ_INFLIGHT:
            o = rb(keys, n, "objects", ["--part", f"{max(SMALL_KB, 64)}K"])
            samples.append((o["objectsPerSec"], f"ossclient {n} in flight", o["MBps"]))
            dt = curl([(k, None) for k in keys], n)
            samples.append((len(keys) / dt, f"curl {n} in flight", len(keys) * SMALL_KB * 1024 / dt / 1e6))
        log("raw samples:", samples)
        fps, label, mbps = max(samples)
        # 64 threads compare with 64 in flight too (the same concurrency, no FUSE).
        at64 = max((x[0] for x in samples if x[1].endswith(" 64 in flight")), default="")
        row(f"3 {SMALL_N} x {SMALL_KB}K, 64t (MB/s)", mbps, label, files_per_s=fps, files_per_s_at64=at64)
        # The harness's own limit: the same 64 Python threads on the
        # page-cached source files (a reference, as job 5's, not a ceiling).
        lfps, lmbps = small_read(os.path.join(WORK, "data"), 64)
        results.append(dict(tool="local file", job=f"3 {SMALL_N} x {SMALL_KB}K, 64t (MB/s)", value=lmbps, cpu_pct="",
                            rss_mb="", files_per_s=round(lfps, 1), setting="the 64-thread reader on the page-cached source files"))
    if "7" in JOBS:
        # One file at a time, as the job: ossclient with every part of a file
        # in flight at once (parts of 1, 4 and 16 MiB; connections kept, sizes
        # known), and curl, a process per file, with all of its 1 MiB ranges
        # in flight, or one whole-object GET.
        warm("medium")
        size = MEDIUM_MB << 20
        keys = [f"medium/m{i:04d}" for i in range(MEDIUM_N)]
        oc = []
        for part_mb in sorted({1, 4, MEDIUM_MB}):
            n = -(-MEDIUM_MB // part_mb)
            mbps = rb(keys, n, "raw", ["--part", f"{part_mb}M", "--one-at-a-time"])["MBps"]
            oc.append((mbps, f"ossclient one file at a time, {n} parts of {part_mb} MiB in flight"))
        def per_file(split):
            t0 = time.monotonic()
            for k in keys:
                parts = [(k, f"{o}-{min(o + (1 << 20), size) - 1}") for o in range(0, size, 1 << 20)] if split else [(k, None)]
                curl(parts, len(parts))
            return MEDIUM_N * size / 1e6 / (time.monotonic() - t0)
        samples = oc + [(per_file(True), f"curl per file, its {MEDIUM_MB} ranges of 1 MiB in flight"),
                        (per_file(False), "curl per file, one whole-object GET")]
        v, label = best(samples)
        row(MEDIUM_JOB, v, label, files_per_s=round(v * 1e6 / size, 1))
    if "4" in JOBS:
        src = f"{WORK}/raw-put.bin"
        # From seq.bin when it is large enough, else random bytes: a short
        # source would make the rate below count bytes that were never sent.
        feed = f"{WORK}/data/seq.bin" if os.path.getsize(f"{WORK}/data/seq.bin") >= WRITE_MB * 2**20 else "/dev/urandom"
        sh(f"head -c {WRITE_MB}M {feed} > {src}; cat {src} > /dev/null")
        if os.path.getsize(src) != WRITE_MB * 2**20:
            raise SystemExit(f"{src} is {os.path.getsize(src)} bytes, not WRITE_MB={WRITE_MB} MiB")
        mb = WRITE_MB * 2**20 / 1e6
        samples = []
        for n in RAW_WRITE_INFLIGHT:
            t0 = time.monotonic()
            subprocess.run([f"{BIN}/ossctl", "--endpoint", emu.url, "--region", "cn-hangzhou", "put", "--parallel",
                            str(n), src, f"oss://{BUCKET}/raw-put.bin"], env=env, check=True, capture_output=True)
            samples.append((mb / (time.monotonic() - t0), f"ossctl put {n} parts in flight"))
        for n in RAW_WRITE_INFLIGHT:
            cfg = f"{WORK}/aws-config-{n}"
            with open(cfg, "w") as f:
                f.write(f"[default]\nregion = cn-hangzhou\ns3 =\n  max_concurrent_requests = {n}\n"
                        "  multipart_chunksize = 8MB\n  multipart_threshold = 8MB\n  addressing_style = path\n")
            aenv = dict(E, AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK, AWS_CONFIG_FILE=cfg,
                        AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
            t0 = time.monotonic()
            subprocess.run(["aws", "--endpoint-url", emu.url, "s3", "cp", "--only-show-errors", src,
                            f"s3://{BUCKET}/raw-put-aws.bin"], env=aenv, check=True, capture_output=True)
            samples.append((mb / (time.monotonic() - t0), f"awscli {n} parts in flight"))
        v, label = best(samples)
        row("4 seq write 1t (MB/s)", v, label)
        os.remove(src)
    log(results[-6:])


def report(profile, results):
    out = os.path.join(OUT, profile)
    os.makedirs(out, exist_ok=True)
    jobs = list(dict.fromkeys(r["job"] for r in results))
    by = {(r["tool"], r["job"]): r for r in results}
    def val(t, j):
        r = by.get((t, j))
        return r["value"] if r and r["value"] is not None else None
    def fps(t, j):
        r = by.get((t, j))
        return r.get("files_per_s") if r and r["value"] is not None else None
    shape = f"profile {profile}" + (f", latency overridden to {LAT} ms" if LAT else "")
    lines = [f"### {shape}", "",
             f"Sizes: seq {SEQ_MB} MiB, 4 x {FOUR_MB} MiB, {SMALL_N} x {SMALL_KB} KiB, "
             f"write {WRITE_MB} MiB, model {MODEL_MB} MiB, {MEDIUM_N} x {MEDIUM_MB} MiB one at a time; "
             f"emulator --etag {EMU_ETAG}. "
             "Raw = best of the settings in its extra column "
             "(small files: % of raw is files/s, against the best and against 64 in flight).", "",
             "| job | tool | value | CPU % | peak RSS MB | x s3fs | x rclone | % of raw | extra |",
             "|---|---|---|---|---|---|---|---|---|"]
    for j in jobs:
        lower_better = "lower is better" in j
        for t in [x for x in ["ossmount", "ossmount-noc2o", "ossmount-256m", "s3fs", "rclone", "raw", "local file"] if (x, j) in by]:
            r, v = by[(t, j)], val(t, j)
            def ratio(other):
                o = val(other, j)
                if v is None or o in (None, 0) or t == other:
                    return ""
                return f"{(o / v if lower_better else v / o):.1f}x"
            pct = ""
            if t not in ("raw", "local file") and v is not None:
                if fps(t, j) and fps("raw", j):
                    pct = f"{100 * fps(t, j) / fps('raw', j):.0f}%"
                    at64 = by[("raw", j)].get("files_per_s_at64")
                    if at64:
                        pct += f" ({100 * fps(t, j) / at64:.0f}% of @64)"
                elif val("raw", j):
                    pct = f"{100 * v / val('raw', j):.0f}%"
            extra = ", ".join(f"{k}={r[k]}" for k in ("files_per_s", "files_per_s_at64", "heads", "seconds", "setting")
                              if r.get(k) not in (None, ""))
            vs = "FAILED" if v is None else f"{v:.1f}"
            lines.append(f"| {j} | {t} | {vs} | {r['cpu_pct']} | {r['rss_mb']} | {ratio('s3fs')} | "
                         f"{ratio('rclone')} | {pct} | {extra} |")
    md = "\n".join(lines) + "\n"
    open(f"{out}/results.md", "w").write(md)
    with open(f"{out}/results.csv", "w", newline="") as f:
        keys = ["job", "tool", "value", "cpu_pct", "rss_mb", "files_per_s", "files_per_s_at64", "heads",
                "seconds", "setting"]
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        w.writerows(results)
    # Bar chart (SVG, and PNG when rsvg-convert is present): value per job and tool.
    colors = {"ossmount": "#1f77b4", "ossmount-noc2o": "#9ecae1", "ossmount-256m": "#6baed6", "s3fs": "#d62728", "rclone": "#2ca02c", "raw": "#7f7f7f", "local file": "#bdbdbd"}
    groups = [(j, [(t, val(t, j) or 0) for t in colors if (t, j) in by]) for j in jobs]
    bar_chart.write(groups, colors, f"{out}/results.svg")
    print(md)
    print(f"written: {out}/results.md results.csv results.svg results.png")
    return md


def main():
    if os.geteuid() != 0:
        sys.exit("run as root (drop_caches, read_ahead_kb, FUSE)")
    os.makedirs(WORK, exist_ok=True)
    data = os.path.join(WORK, "data")
    make_data(data)
    # Built here, not inside a job: a job's wall clock sets the CPU % of the
    # client it measures.
    sh(f"cc -O2 -pthread -o {SMALL_READ} {os.path.join(HERE, 'small_read.c')}")
    host_memory = os.path.join(HERE, "..", "lib", "host_memory.sh")
    subprocess.run([host_memory, "pause"], check=True)  # else a run pays for the memory the one before freed
    try:
        run_profiles(data)
    finally:
        subprocess.run([host_memory, "resume"], check=True)


def run_profiles(data):
    tables = []
    for profile in PROFILES:
        shutil.rmtree(f"{WORK}/emu-data", ignore_errors=True)
        emu = Emulator(data, profile)
        results = []
        try:
            for t in TOOLS:
                if t == "raw":
                    run_raw(emu, results)
                else:
                    run_tool(t, emu, results)
        finally:
            emu.stop()
        tables.append(report(profile, results))
    os.makedirs(OUT, exist_ok=True)
    open(f"{OUT}/results.md", "w").write("\n".join(tables))
    print(f"all profiles: {OUT}/results.md")


if __name__ == "__main__":
    main()
