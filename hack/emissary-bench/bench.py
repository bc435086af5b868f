#!/usr/bin/env python3
"""Time Emissary-ingress's Python translator on a YAML input, step by step
as its diagd reconfigures (python/ambassador_diag/diagd.py, _load_ir and
validate_envoy_config, v3.10.0), to compare with emissary-go's
BenchmarkTranslate on the same resources (go run ./hack/benchinput).

    EMISSARY_PYTHON=/path/to/emissary/python python3 bench.py [--runs N] [--edit] FILE...

Each run is a fresh interpreter; only the work is timed (perf_counter), not
start-up, imports or reading the file. Prints the median of each phase
and of three totals:
  translator   parsed resources -> envoy.json, bootstrap, clustermap
               (load_all, IR, V3Config, split, the three JSON dumps)
  +diagnostics the translator plus aconf.json and ir.json, the other two
               outputs of emissary-go's translator
  critical     all diagd does before it tells Envoy, the YAML parse aside
               (diagnostics, the validation copy and dump, the writes; and
               `envoy --mode validate` only when envoy is on PATH)

With --edit, what is timed is the next reconfiguration instead: the
middle Mapping's prefix edited, with the Delta watt sends for it and the
cache the first one filled (Emissary's incremental reconfiguration).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PHASES = ["parse_yaml", "load_all", "aconf_json", "ir", "ir_json", "v3config", "split",
          "validate_prep", "envoy_validate", "bootstrap_json", "envoy_json", "clustermap_json",
          "writes"]
TOTALS = {
    "translator": ["load_all", "ir", "v3config", "split", "bootstrap_json", "envoy_json",
                   "clustermap_json"],
    "+diagnostics": ["load_all", "ir", "v3config", "split", "bootstrap_json", "envoy_json",
                     "clustermap_json", "aconf_json", "ir_json"],
    "critical": [p for p in PHASES if p != "parse_yaml"],
}


def run_once(path, edit):
    src = os.environ.get("EMISSARY_PYTHON")
    if not src:
        sys.exit("set EMISSARY_PYTHON to Emissary's python/ directory")
    sys.path.insert(0, src)
    try:
        import orjson  # noqa: F401
        backend = "orjson"
    except ImportError:
        sys.path.insert(0, os.path.join(HERE, "shims"))
        backend = "stdlib json (orjson missing: indented dumps are slower than Emissary's)"
    import copy
    import logging
    import resource

    import ambassador.config.config as config_module
    # Config() asks the installed 'ambassador' distribution for its schema
    # directory, which 3.10 only stores; the source tree is not installed.
    original_init = config_module.Config.__init__
    config_module.Config.__init__ = lambda self, schema_dir_path=None: original_init(
        self, schema_dir_path or tempfile.gettempdir())
    from ambassador.cache import Cache
    from ambassador.config import Config
    from ambassador.envoy import EnvoyConfig
    from ambassador.fetch import ResourceFetcher
    from ambassador.ir import IR
    from ambassador.utils import NullSecretHandler, dump_json

    logging.basicConfig(level=logging.INFO, stream=sys.stderr)  # diagd's level
    logger = logging.getLogger("bench")
    envoy = shutil.which("envoy")

    def reconfigure(text, cache, deltas):
        out = tempfile.mkdtemp(prefix="emissary-bench-")
        times = dict.fromkeys(PHASES, 0.0)
        mark = [time.perf_counter()]

        def done(phase):
            now = time.perf_counter()
            times[phase] += now - mark[0]
            mark[0] = now

        def write(name, data):
            with open(os.path.join(out, name), "w") as f:
                f.write(data)

        aconf = Config()
        fetcher = ResourceFetcher(logger, aconf)
        fetcher.parse_yaml(text, k8s=True)
        fetcher.deltas = deltas  # what parse_watt reads from watt's snapshot
        done("parse_yaml")
        aconf.load_all(fetcher.sorted())
        aconf.load_invalid(fetcher)
        done("load_all")
        aconf_json = aconf.as_json()
        done("aconf_json")
        write("aconf-tmp.json", aconf_json)
        done("writes")
        # diagd keeps a cache (AMBASSADOR_FAST_RECONFIGURE, the default),
        # empty on its first reconfiguration.
        config_type, reset, invalidate = IR.check_deltas(logger, fetcher, cache)
        if reset:
            cache = Cache(logger)
        ir = IR(aconf, secret_handler=NullSecretHandler(logger, None, None, "0"),
                invalidate_groups_for=invalidate, cache=cache, file_checker=lambda p: True)
        done("ir")
        ir_json = ir.as_json()
        done("ir_json")
        write("ir-tmp.json", ir_json)
        done("writes")
        econf = EnvoyConfig.generate(ir, cache=cache)
        done("v3config")
        bootstrap, ads, clustermap = econf.split_config()
        done("split")
        validation = copy.deepcopy(ads)
        validation.pop("@type")
        validation_json = dump_json(validation, pretty=True)
        done("validate_prep")
        write("econf-tmp.json", validation_json)
        done("writes")
        if envoy:
            subprocess.run([envoy, "--service-node", "test-id", "--service-cluster",
                            ir.ambassador_nodename, "--config-path",
                            os.path.join(out, "econf-tmp.json"), "--mode", "validate"],
                           check=True, capture_output=True)
            done("envoy_validate")
        bootstrap_json = dump_json(bootstrap, pretty=True)
        done("bootstrap_json")
        envoy_json = dump_json(ads, pretty=False)
        done("envoy_json")
        clustermap_json = dump_json(clustermap, pretty=True)
        done("clustermap_json")
        write("bootstrap-ads.json", bootstrap_json)
        write("envoy.json", envoy_json)
        write("clustermap.json", clustermap_json)
        done("writes")
        shutil.rmtree(out)
        return {"times": times, "errors": {k: v for k, v in aconf.errors.items() if v},
                "config_type": config_type, "envoy_json_bytes": len(envoy_json),
                "groups": len(ir.groups),
                "clusters": len(ads.get("static_resources", {}).get("clusters", []))}, cache

    text = open(path).read()
    result, cache = reconfigure(text, Cache(logger), [])
    if edit:
        edited, delta = edit_middle_mapping(text)
        result, _ = reconfigure(edited, cache, [delta])
    result.update({"json": backend,
                   "envoy_validate": "ran" if envoy else "skipped: envoy is not on PATH",
                   "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    return result


def edit_middle_mapping(text):
    """The text with the middle Mapping's prefix changed, and the Delta
    watt sends for that change."""
    docs = text.split("\n---\n")
    mappings = [i for i, d in enumerate(docs) if "\nkind: Mapping\n" in d]
    i = mappings[len(mappings) // 2]
    lines = docs[i].split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("  prefix: "))
    lines[at] = lines[at].rstrip("/") + "-edited/"
    docs[i] = "\n".join(lines)

    def field(name):
        return next(line.split(": ", 1)[1] for line in lines if line.startswith(name + ": "))
    delta = {"kind": "Mapping", "apiVersion": field("apiVersion"),
             "metadata": {"name": field("  name"), "namespace": field("  namespace"),
                          "creationTimestamp": None},
             "deltaType": "update"}
    return "\n---\n".join(docs), delta


def main(argv):
    runs, edit = 3, []
    while argv[:1] in (["--runs"], ["--edit"]):
        if argv[0] == "--edit":
            edit, argv = ["--edit"], argv[1:]
        else:
            runs, argv = int(argv[1]), argv[2:]
    if not argv:
        sys.exit(__doc__)
    for path in argv:
        results = []
        for _ in range(runs):
            p = subprocess.run([sys.executable, __file__, "--one", path] + edit,
                               capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"{path}: {p.stderr[-2000:]}")
            results.append(json.loads(p.stdout.splitlines()[-1]))
        first = results[0]
        if first["errors"]:
            print(f"{path}: Emissary reported errors: {first['errors']}")
        print(f"{path}: {runs} runs, median seconds; {first['groups']} route groups, "
              f"{first['clusters']} clusters, envoy.json {first['envoy_json_bytes']} bytes, "
              f"peak RSS {max(r['peak_rss_mib'] for r in results):.0f} MiB")
        print(f"  json: {first['json']}; envoy --mode validate: {first['envoy_validate']}")
        if edit:
            print(f"  the reconfiguration after one Mapping's prefix was edited ({first['config_type']})")
        for phase in PHASES:
            print(f"  {phase:16} {statistics.median(r['times'][phase] for r in results):9.4f}")
        for name, phases in TOTALS.items():
            total = statistics.median(sum(r["times"][p] for p in phases) for r in results)
            print(f"  = {name:14} {total:9.4f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_once(sys.argv[2], "--edit" in sys.argv[3:])))
    else:
        main(sys.argv[1:])
