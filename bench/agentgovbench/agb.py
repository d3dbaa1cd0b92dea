"""Run AgentGovBench's own CLI from a snapshot of its repository with Warden's runner as ``--runner warden``.

    python agb.py <snapshot> run --runner warden --out results.json -v

The snapshot stays where it is (outside this project); its harness loads runners as
``runners.<name>``, so this registers warden_runner.py under that name and hands over to the CLI.
"""
import importlib.util
import sys
from pathlib import Path

if len(sys.argv) < 2:
    sys.exit("usage: agb.py <agentgovbench snapshot> run --runner warden [options]")
snapshot = Path(sys.argv.pop(1)).resolve()
sys.path.insert(0, str(snapshot))
import runners  # noqa: E402  (the snapshot's package)

here = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("runners.warden", here / "warden_runner.py")
module = importlib.util.module_from_spec(spec)
sys.modules["runners.warden"] = module
spec.loader.exec_module(module)
runners.warden = module

from benchmark.cli import main  # noqa: E402

if "--scenarios-dir" not in sys.argv:
    sys.argv += ["--scenarios-dir", str(snapshot / "scenarios")]
main()
