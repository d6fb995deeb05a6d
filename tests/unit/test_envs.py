"""Static check of the per-rule conda environments (`snakemake --sdm conda`).

Every envs/*.yaml parses and pins every package; every rule with a job names an env file that
exists; and every third-party module the rule's script imports, directly or through the genosynth
modules it reaches (followed with `ast`, function-level imports included), is provided by a
package of that env. Rules come from Snakemake itself (the workflow loaded in a subprocess), so
rules added later are checked too. No conda is needed: this reads files only.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

SRC = REPO / "src"
# import name -> conda packages that provide it (either one will do); others: same name.
PROVIDERS = {
    "sklearn": {"scikit-learn"},
    "yaml": {"pyyaml"},
    "allel": {"scikit-allel"},
    "matplotlib": {"matplotlib", "matplotlib-base"},
    "mpl_toolkits": {"matplotlib", "matplotlib-base"},
    "tensorflow": {"tensorflow", "tensorflow-cpu", "tensorflow-gpu"},
    "keras": {"keras", "tensorflow", "tensorflow-cpu", "tensorflow-gpu"},
    "umap": {"umap-learn"},
    "PIL": {"pillow"},
    "Bio": {"biopython"},
    "pyarrow": {"pyarrow"},
    "openpyxl": {"openpyxl"},
    "logomaker": {"logomaker"},
}
# Packages only bioconda builds: an env listing one needs the bioconda channel.
BIOCONDA = {"cyvcf2", "pysam", "beagle", "bcftools", "htslib", "samtools", "tabix"}
# Imports that run only inside the GAN (Keras is imported when a GAN is built or sampled): rules
# other than these two never build one, although the name-based call graph reaches its methods.
GAN_RULES = {"train_network", "sample_ags"}
GAN_ONLY = {"tensorflow", "keras"}
# gan.py, gan_network.py, gan_train.py, conv_gan.py, conv_gan_network.py and the TensorFlow
# helpers they share (tfutils.py)
GAN_MODULE = ("genosynth.models.gan", "genosynth.models.conv_gan", "genosynth.tfutils")

RULES_PY = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings
repo, workdir = Path(sys.argv[1]), Path(sys.argv[2])
with SnakemakeApi(OutputSettings(quiet=None)) as api:
    wf = api.workflow(
        resource_settings=ResourceSettings(),
        config_settings=ConfigSettings(configfiles=[repo / "config/smoke.yaml"]),
        snakefile=repo / "Snakefile",
        workdir=workdir,
    )
    rules = [
        {"name": r.name, "conda": r.conda_env, "script": r.script, "shell": r.shellcmd,
         "dir": str(Path(r.snakefile).parent)}
        for r in wf._workflow.rules if not r.norun
    ]
print("RULES=" + json.dumps(rules))
"""


def workflow_rules(tmp_path) -> list[dict]:
    """Rules with a job (name, conda env, script/shell/run) as Snakemake loads them."""
    proc = subprocess.run(
        [sys.executable, "-c", RULES_PY, str(REPO), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RULES=")), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(line.removeprefix("RULES="))


def env_packages(path: Path) -> dict[str, str]:
    """Package -> pinned version of a conda env file; pip entries included."""
    env = yaml.safe_load(path.read_text())
    packages = {}
    for dep in env["dependencies"]:
        for spec in dep["pip"] if isinstance(dep, dict) else [dep]:
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(==?)\s*([^=<>!,\s]+)", spec)
            if not m:
                raise ValueError(f"{path.name}: '{spec}' is not pinned as name=version")
            packages[m.group(1).split("::")[-1].lower()] = m.group(3)
    return packages


def module_file(name: str) -> Path | None:
    """The source file of a genosynth module (package __init__ for packages)."""
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(parts + ([node.module] if node.module else []))


class Code:
    """What a file runs when imported (``top``) and what each of its functions runs.

    A body is (imported module names, referenced names). References are resolved through the
    file's imports: ``f``/``mod.f`` name a module-level function of this or another genosynth
    module; ``obj.m`` names every method ``m`` (a name-based call graph: it may reach a
    same-named method the rule never calls, it never misses one it does).
    """

    def __init__(self, path: Path, module: str | None):
        self.module = module or ""
        self.package = module if path.name == "__init__.py" else self.module.rpartition(".")[0]
        self.aliases: dict[str, str] = {}  # local name -> genosynth module
        self.origins: dict[str, str] = {}  # local name -> module it was imported from
        self.functions: dict[str, list] = {}  # module-level functions
        self.methods: dict[str, list] = {}  # functions defined in classes
        self.top = (set(), set())
        self._visit(ast.parse(path.read_text(), filename=str(path)), self.top, in_class=False)

    def _visit(self, node, into, *, in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                for expr in child.decorator_list + child.args.defaults:  # run at definition
                    self._visit(ast.Expression(expr), into, in_class=False)
                body = (set(), set())
                index = self.methods if in_class else self.functions
                index.setdefault(child.name, []).append(body)
                for stmt in child.body:
                    self._visit(ast.Module([stmt], []), body, in_class=False)
                continue
            if isinstance(child, ast.ClassDef):
                for expr in child.decorator_list + child.bases:
                    self._visit(ast.Expression(expr), into, in_class=False)
                for stmt in child.body:
                    self._visit(ast.Module([stmt], []), into, in_class=True)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    into[0].add(alias.name)
                    self.aliases[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(child, self.package)
                into[0].add(base)
                for alias in child.names:
                    sub, local = f"{base}.{alias.name}", alias.asname or alias.name
                    if module_file(sub):
                        into[0].add(sub)
                        self.aliases[local] = sub
                    else:
                        self.origins[local] = base
                        into[1].add((base, alias.name))
            elif isinstance(child, ast.Name):
                into[1].add((self.origins.get(child.id, self.module), child.id))
            elif isinstance(child, ast.Attribute):
                owner = child.value.id if isinstance(child.value, ast.Name) else None
                if owner in self.aliases:
                    into[1].add((self.aliases[owner], child.attr))
                else:
                    into[1].add((None, child.attr))  # a method of some object
            self._visit(child, into, in_class=in_class)


@functools.cache
def third_party_imports(script: Path) -> dict[str, set[str]]:
    """Third-party top-level module -> where it is imported (``module`` or ``module.function``).

    Follows what runs: the script, module-level code of every genosynth module imported, and
    the bodies of functions and methods reachable from code that runs.
    """
    found: dict[str, set[str]] = {}
    modules: dict[str, Code] = {"": Code(script, None)}
    refs: set = set()
    done: set = set()
    pending = [("", script.name, modules[""].top)]
    while pending:
        while pending:
            module, where, (imported, referenced) = pending.pop()
            refs |= referenced
            for name in imported:
                top = name.split(".")[0]
                if top != "genosynth":
                    if top and top not in sys.stdlib_module_names and top != "__future__":
                        found.setdefault(top, set()).add(where)
                    continue
                parts = name.split(".")
                for i in range(1, len(parts) + 1):  # importing a.b.c runs a, a.b, a.b.c
                    sub = ".".join(parts[:i])
                    path = module_file(sub)
                    if path and sub not in modules:
                        modules[sub] = Code(path, sub)
                        pending.append((sub, sub, modules[sub].top))
        for owner, name in list(refs):
            for module, code in list(modules.items()):
                bodies = code.methods.get(name, []) if owner is None else []
                if owner == module or (owner is None and module):
                    bodies = bodies + (code.functions.get(name, []) if owner == module else [])
                if bodies and (module, owner, name) not in done:
                    done.add((module, owner, name))
                    pending += [(module, f"{module or script.name}.{name}", b) for b in bodies]
    return found


def env_problems(rules: list[dict], env_root: Path | None = None) -> list[str]:
    """Every missing env, unpinned package and unprovided import; [] when all is well.

    ``env_root`` replaces the envs/ folder the rules name (to check a modified copy).
    """
    problems = []
    for rule in rules:
        name = rule["name"]
        if not rule["conda"]:
            problems.append(f"rule {name}: no conda: directive")
            continue
        env_path = (Path(rule["dir"]) / rule["conda"]).resolve()
        if env_root is not None:
            env_path = env_root / env_path.name
        if not env_path.is_file():
            problems.append(f"rule {name}: conda env {rule['conda']} does not exist")
            continue
        try:
            packages = env_packages(env_path)
        except (ValueError, KeyError, TypeError, yaml.YAMLError) as err:
            problems.append(f"rule {name}: {env_path.name}: {err}")
            continue
        if not rule["script"]:
            continue  # shell: commands are checked by the tools they name, not imports
        script = (Path(rule["dir"]) / rule["script"]).resolve()
        for top, sites in third_party_imports(script).items():
            providers = PROVIDERS.get(top, {top.lower()})
            if providers & set(packages):
                continue
            if top in GAN_ONLY and name not in GAN_RULES:
                if all(s.startswith(GAN_MODULE) for s in sites):
                    continue
            problems.append(
                f"rule {name}: module '{top}' (imported by {', '.join(sorted(sites))}) is not "
                f"provided by {env_path.name}: add one of {sorted(providers)} pinned"
            )
    return problems


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    return workflow_rules(tmp_path_factory.mktemp("rules"))


@pytest.mark.parametrize("env", sorted((REPO / "envs").glob("*.yaml")), ids=lambda p: p.name)
def test_env_file_parses_and_pins_every_package(env):
    packages = env_packages(env)  # raises on an unpinned entry
    assert "python" in packages, f"{env.name}: pin python"
    assert all(re.match(r"\d", v) for v in packages.values()), packages
    needs_bioconda = sorted(BIOCONDA & set(packages))
    channels = yaml.safe_load(env.read_text())["channels"]
    assert not needs_bioconda or "bioconda" in channels, f"{env.name}: {needs_bioconda}"


def test_every_rule_names_an_env_that_provides_its_imports(rules):
    names = {r["name"] for r in rules}
    assert {"ingest_haplotypes", "train_network", "plot_figure"} <= names  # the workflow loaded
    problems = env_problems(rules)
    assert not problems, "\n".join(problems)


def test_import_walk_follows_the_library(rules):
    """Hand-checked: sample_ags reaches tensorflow only through the GAN's TensorFlow helpers."""
    script = REPO / "scripts/sample_ags.py"
    found = third_party_imports(script)
    assert {"numpy", "pandas", "tensorflow"} <= set(found)
    assert found["tensorflow"] == {"genosynth.tfutils.tf"}
    assert all(site.startswith(GAN_MODULE) for site in found["keras"])
    assert "genosynth" not in found and "json" not in found


def test_broken_env_is_reported(rules, tmp_path):
    """Test of the test: an env missing a module a script imports makes the check fail."""
    broken = tmp_path / "envs"
    shutil.copytree(REPO / "envs", broken)
    popgen = broken / "popgen.yaml"
    popgen.write_text(re.sub(r"(?m)^\s*- cyvcf2=.*\n", "", popgen.read_text()))
    problems = env_problems(rules, env_root=broken)
    assert any(
        p.startswith("rule ingest_haplotypes: module 'cyvcf2'") and "popgen.yaml" in p
        for p in problems
    ), problems
    unpinned = tmp_path / "unpinned"
    shutil.copytree(REPO / "envs", unpinned)
    (unpinned / "popgen.yaml").write_text(popgen.read_text() + "  - numba\n")
    assert any("'numba' is not pinned" in p for p in env_problems(rules, env_root=unpinned))
