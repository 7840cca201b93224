"""The Ray backend on real Ray, all on 127.0.0.1: a local instance, then a
three-node cluster in processes on this machine, rendering a 30-line script
with real Piper actors."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import sys
import tempfile
import time

import pytest
from conftest import install_toy_engine, run_cli

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # keeps Ray's addresses on loopback
# Ray's own folder (sockets, logs, the address of "the latest cluster" that an address-less
# ray.init joins) is this test process's alone, not /tmp/ray: another test run on the machine,
# or another xdist worker, never joins or stops these instances.  Short: socket paths are limited.
os.environ["RAY_TMPDIR"] = tempfile.mkdtemp(prefix="rt-ray-", dir="/tmp")
atexit.register(shutil.rmtree, os.environ["RAY_TMPDIR"], True)
ray = pytest.importorskip("ray")

from ray.cluster_utils import Cluster  # noqa: E402

from runthru_build.cache import TakeCache  # noqa: E402
from runthru_build.commands.build import build, dry_run  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.slow]  # one file, one xdist worker (--dist loadfile): one cluster

ROLES = ["AMY", "BEN", "CLEO"]
LINES = [f"{ROLES[n % 3]}: Line {n} is said." for n in range(30)]
PLAYS = {"first": LINES[:15], "second": LINES[15:]}  # two productions, one queue of takes


# Piper samples noise on every take, so takes differ run to run on any backend unless it is off
STILL = "".join(f"[roles.{role}]\nnoise_scale = 0.0\nnoise_w = 0.0\n" for role in ROLES)


def project(root, toml: str = ""):
    (root / "scripts").mkdir(parents=True)
    (root / "casts").mkdir()
    for name, lines in PLAYS.items():
        (root / "scripts" / f"{name}.md").write_text(f"# {name.title()}\n\n## One\n\n" + "\n".join(lines) + "\n")
        (root / "casts" / f"{name}.toml").write_text(f'script = "../scripts/{name}.md"\n' + STILL)
    (root / "runthru.toml").write_text(toml)
    return root


def takes(root) -> dict[str, bytes]:
    cache = TakeCache(root / ".runthru" / "cache")
    return {info.key: cache.read(info) for info in cache.infos()}


def test_local_ray_instance_fills_the_cache_byte_identical_to_the_local_pool(tmp_path):
    assert not ray.is_initialized()
    local = build(project(tmp_path / "local"))
    on_ray = build(project(tmp_path / "ray"), ray_address="")  # starts a local instance, then stops it
    assert (on_ray.exit_code, on_ray.render.rendered, on_ray.render.failed) == (0, 30, 0)
    assert takes(tmp_path / "ray") == takes(tmp_path / "local") and len(takes(tmp_path / "local")) == 30
    assert local.render.nodes == {} and sum(n["takes"] for n in on_ray.render.nodes.values()) == 30
    assert not ray.is_initialized()
    again = build(tmp_path / "ray", ray_address="")
    assert (again.render.rendered, again.render.cached, again.exit_code) == (0, 30, 0)


@pytest.fixture(scope="module")
def cluster():
    quick_death = {"health_check_initial_delay_ms": 0, "health_check_period_ms": 500,
                   "health_check_failure_threshold": 2}
    # every node has the toy engine plugin installed, as a cluster's nodes have the engines they run
    with pytest.MonkeyPatch.context() as env:
        install_toy_engine(env)
        cluster = Cluster(initialize_head=True, head_node_args={
            "num_cpus": 1, "node_ip_address": "127.0.0.1", "include_dashboard": False, "_system_config": quick_death})
        workers = [cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1") for _ in range(2)]
    ray.init(address=cluster.address, _node_ip_address="127.0.0.1", include_dashboard=False,
             configure_logging=False, log_to_driver=False, namespace="runthru")
    if shutil.which("ss"):
        listening = os.popen("ss -ltnpH").read().splitlines()
        ray_owned = ("raylet", "gcs_server", "ray::", "dashboard", "monitor", f"pid={os.getpid()},")
        outward = [line for line in listening if "127.0.0.1" not in line and any(n in line for n in ray_owned)]
        assert listening and not outward, outward  # nothing Ray opened listens beyond loopback
    yield cluster, workers
    ray.shutdown()
    cluster.shutdown()


def our_actors() -> list[str]:
    return [a["name"] for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith("runthru-")]


def test_engine_worker_in_an_actor_fails_only_the_failing_line_with_its_file_and_line(cluster, make_project, toy_engine):
    root = make_project({
        "scripts/toy.md": "# Toy\n\n## One\n\nAMY: Hello there.\nBEN: Please FAIL now.\nAMY: Goodbye then.\n",
        "casts/toy.toml": 'script = "../scripts/toy.md"\nengine = "toy"\n',
        # its own interpreter, as a GPU engine; ray is running here (the cluster): the build joins it
        "runthru.toml": f'[render]\nbackend = "ray"\n[engines.toy]\npython = "{sys.executable}"\n',
    })
    result = build(root)
    assert (result.render.rendered, result.render.failed, result.exit_code) == (2, 1, 1)
    assert [f.split(": ")[:2] for f in result.render.failures] == [["scripts/toy.md:6", "BEN"]]
    assert "cannot say FAIL" in result.render.failures[0]
    assert result.render.engines["toy"]["device"].endswith(": cpu")  # the worker process reported in


def test_cluster_build_survives_a_killed_actor_and_a_removed_node(cluster, tmp_path):
    ray_cluster, workers = cluster
    root = project(tmp_path, '[render]\nbackend = "ray"\nray_address = "auto"\n')
    done = []

    def on_take(count, seconds, words=0):
        done.append(count)
        if len(done) == 2:
            ray.kill(ray.get_actor(our_actors()[0], namespace="runthru"))
        if len(done) == 4:
            ray_cluster.remove_node(workers.pop(), allow_graceful=False)

    result = build(root, on_take=on_take)
    assert (result.exit_code, result.render.failed, result.render.failures) == (0, 0, [])
    assert result.render.rendered == 30 == len(takes(root))  # each take stored once, none missing
    assert len(result.render.nodes) >= 2 and len(result.plans) == 2 and result.published
    assert our_actors() == []


def test_ctrl_c_during_a_cluster_build_stops_the_actors_and_keeps_stored_takes(cluster, tmp_path):
    root = project(tmp_path, '[render]\nbackend = "ray"\n')  # ray is running here: the build joins it
    done = []

    def on_take(count, seconds, words=0):
        done.append(count)
        if len(done) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C: Python raises KeyboardInterrupt right here

    result = build(root, on_take=on_take)
    assert result.render.interrupted and result.exit_code == 130 and not result.published
    stored = len(takes(root))
    assert 3 <= stored < 30 and TakeCache(root / ".runthru" / "cache").verify().removed == []
    assert our_actors() == []
    _, missing, cached = dry_run(root)
    assert (cached, len(missing)) == (stored, 30 - stored)  # the next build uses every stored take


def test_unreachable_cluster_is_a_one_line_error_within_the_connect_timeout(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    root = project(tmp_path, "[render]\nray_connect_timeout_s = 2.0\n")
    started = time.monotonic()
    done = run_cli("build", str(root), "--ray", f"127.0.0.1:{port}", timeout=60)
    assert done.returncode == 1 and time.monotonic() - started < 30
    assert [line for line in done.stderr.splitlines() if "error" in line] == [
        f"error: --ray: cannot reach the Ray cluster at 127.0.0.1:{port} within 2 s: Connection refused"]
    assert "Traceback" not in done.stderr
    assert not (root / "build").exists()
