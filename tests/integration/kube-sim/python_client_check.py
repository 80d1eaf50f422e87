"""kube-sim against the official Kubernetes Python client (Debian python3-kubernetes).

The Python client writes booleans as Python does (`watch=True`,
`allowWatchBookmarks=True`, `follow=True`), so this checks that kube-sim
serves it like a real API server: watches from a resourceVersion, 409 on a
stale update, label and field selectors on lists and watches, bookmarks,
dryRun, and a followed pod log.

Usage: python_client_check.py KUBECONFIG NAMESPACE GATE_FILE
GATE_FILE is a path the followed pod waits for before printing its last line.
Prints one `ok   - ...` / `FAIL - ...` line per check; exits 1 if any failed.
"""
import signal
import sys
import time

try:
    from kubernetes import client, config, watch
    from kubernetes.client.rest import ApiException
except ImportError as e:
    sys.exit(f"FAIL - the Python package 'kubernetes' is missing ({e}): install the Debian package "
             "python3-kubernetes (hack/install-deps.sh does) and run this with /usr/bin/python3")

WATCH_TIMEOUT_S = 15  # server-side timeoutSeconds: a broken watch ends instead of hanging
REQUEST_TIMEOUT_S = 30  # client-side socket timeout of every request

failures = 0


def check(name):
    """Runs the decorated function at once as one named check."""
    def run(fn):
        global failures
        try:
            fn()
            print(f"ok   - {name}", flush=True)
        except Exception as e:  # every failure, assertion or client error, is reported the same way
            failures += 1
            print(f"FAIL - {name}: {type(e).__name__}: {e}", flush=True)
        return fn
    return run


def configmap(name, labels=None):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data={"k": "v"})


def watch_until(list_fn, stop, **kwargs):
    """Events of list_fn's watch (type, object name) up to and including the first for which stop is true."""
    w = watch.Watch()
    seen = []
    for ev in w.stream(list_fn, timeout_seconds=WATCH_TIMEOUT_S, _request_timeout=REQUEST_TIMEOUT_S, **kwargs):
        meta = ev["raw_object"].get("metadata", {})
        seen.append((ev["type"], meta.get("name")))
        if stop(ev["type"], meta.get("name")):
            w.stop()
            return seen
    raise AssertionError(f"the watch ended after {seen} without the awaited event")


def main():
    kubeconfig, ns, gate = sys.argv[1:4]
    signal.alarm(90)  # a hung request fails the run instead of blocking ctest until its timeout
    config.load_kube_config(config_file=kubeconfig)
    v1 = client.CoreV1Api()
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))

    @check("watch from a resourceVersion sees ADDED, MODIFIED, DELETED")
    def _():
        rv = v1.list_namespaced_config_map(ns).metadata.resource_version
        v1.create_namespaced_config_map(ns, configmap("w"))
        v1.patch_namespaced_config_map("w", ns, {"data": {"k": "changed"}})
        v1.delete_namespaced_config_map("w", ns)
        seen = watch_until(v1.list_namespaced_config_map, lambda t, n: t == "DELETED" and n == "w", namespace=ns,
                           resource_version=rv)
        # The namespace controller may add kube-root-ca.crt meanwhile.
        own = [e for e in seen if e[1] == "w"]
        assert own == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")], seen

    @check("update with a stale resourceVersion is 409 Conflict")
    def _():
        stale = v1.create_namespaced_config_map(ns, configmap("stale"))
        v1.patch_namespaced_config_map("stale", ns, {"data": {"k": "newer"}})
        stale.data = {"k": "from-stale-copy"}
        try:
            v1.replace_namespaced_config_map("stale", ns, stale)
        except ApiException as e:
            assert e.status == 409 and e.reason == "Conflict", (e.status, e.reason, e.body)
        else:
            raise AssertionError("the stale replace succeeded")
        assert v1.read_namespaced_config_map("stale", ns).data == {"k": "newer"}

    # Selector fixtures: sel-a (app=a) and sel-b (app=b) created, then each
    # annotated, sel-a first; each watch stops at its own object's annotation,
    # which comes after every event of the object it must filter out.
    rv_sel = v1.list_namespaced_config_map(ns).metadata.resource_version
    v1.create_namespaced_config_map(ns, configmap("sel-a", {"app": "a"}))
    v1.create_namespaced_config_map(ns, configmap("sel-b", {"app": "b"}))
    for name in ("sel-a", "sel-b"):
        v1.patch_namespaced_config_map(name, ns, {"metadata": {"annotations": {"marker": "1"}}})

    @check("label selector filters a list")
    def _():
        names = [c.metadata.name for c in v1.list_namespaced_config_map(ns, label_selector="app=a").items]
        assert names == ["sel-a"], names

    @check("field selector filters a list")
    def _():
        names = [c.metadata.name for c in v1.list_namespaced_config_map(ns, field_selector="metadata.name=sel-b").items]
        assert names == ["sel-b"], names

    @check("label selector filters a watch")
    def _():
        seen = watch_until(v1.list_namespaced_config_map, lambda t, n: t == "MODIFIED" and n == "sel-a",
                           namespace=ns, resource_version=rv_sel, label_selector="app=a")
        assert seen == [("ADDED", "sel-a"), ("MODIFIED", "sel-a")], seen

    @check("field selector filters a watch")
    def _():
        seen = watch_until(v1.list_namespaced_config_map, lambda t, n: t == "MODIFIED" and n == "sel-b",
                           namespace=ns, resource_version=rv_sel, field_selector="metadata.name=sel-b")
        assert seen == [("ADDED", "sel-b"), ("MODIFIED", "sel-b")], seen

    @check("allow_watch_bookmarks=True gets BOOKMARK events")
    def _():
        rv = v1.list_namespaced_config_map(ns).metadata.resource_version
        seen = watch_until(v1.list_namespaced_config_map, lambda t, n: t == "BOOKMARK", namespace=ns,
                           resource_version=rv, allow_watch_bookmarks=True)
        assert seen[-1][0] == "BOOKMARK", seen

    @check("dry_run=All validates without persisting; another value is 422")
    def _():
        made = v1.create_namespaced_config_map(ns, configmap("dry"), dry_run="All")
        assert made.metadata.name == "dry"
        try:
            v1.read_namespaced_config_map("dry", ns)
            raise AssertionError("the dry-run create was persisted")
        except ApiException as e:
            assert e.status == 404, e.status
        try:
            v1.create_namespaced_config_map(ns, configmap("dry"), dry_run="true")
            raise AssertionError("dry_run=true was accepted")
        except ApiException as e:
            assert e.status == 422 and 'supported values: \\"All\\"' in e.body, (e.status, e.body)

    @check("Watch().stream(read_namespaced_pod_log) follows the log")
    def _():
        pod = client.V1Pod(
            metadata=client.V1ObjectMeta(name="logger"),
            spec=client.V1PodSpec(restart_policy="Never", containers=[client.V1Container(
                name="main", image="busybox:1",
                command=["sh", "-c", f"echo one; while [ ! -e '{gate}' ]; do sleep 0.1; done; echo two"])]))
        v1.create_namespaced_pod(ns, pod)
        w = watch.Watch()
        lines = []
        for _attempt in range(150):  # the log is a 400 until the container has started
            try:
                for line in w.stream(v1.read_namespaced_pod_log, "logger", ns, _request_timeout=REQUEST_TIMEOUT_S):
                    lines.append(line)
                    if line == "one":
                        open(gate, "w").close()  # only now may the container print its last line
                break
            except ApiException as e:
                if e.status != 400:
                    raise
                time.sleep(0.1)
        assert lines == ["one", "two"], lines

    v1.delete_namespace(ns)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
