"""Parameter specs: one validation, roles, and the schema and docs generated from them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from genosynth.config import load_schema, model_kind, parameter_schema, validate_config
from genosynth.dna.wgan import SequenceWGAN
from genosynth.errors import ConfigError
from genosynth.models import MODELS, get_model
from genosynth.params import (
    DNA_WGAN_CONTROLS,
    TRAINING_CONTROLS,
    Param,
    defaults,
    json_schema,
    split_roles,
    validate,
)
from genosynth.steps.train import training_and_sampling

REPO = Path(__file__).resolve().parents[2]
SPEC = (
    Param("n", int, 3, "A count.", low=1),
    Param("rate", float, 0.5, "A share.", low=0, high=1, high_open=True),
    Param("mode", str, "a", "A choice.", "sampling", choices=("a", "b")),
    Param("factor", float, None, "Off when null.", low=0, low_open=True, nullable=True),
    Param("widths", float, [1.0, 2.0], "Divisors.", low=0, low_open=True, is_list=True),
    Param("flag", bool, False, "A switch.", "run"),
)


def test_validate_fills_defaults_and_coerces():
    got = validate(SPEC, {"n": 5, "rate": 0, "widths": [3]})
    assert got == {"n": 5, "rate": 0.0, "mode": "a", "factor": None, "widths": [3.0], "flag": False}
    assert isinstance(got["rate"], float) and isinstance(got["widths"][0], float)
    assert validate(SPEC, {})["widths"] == [1.0, 2.0]
    assert validate(SPEC, {})["widths"] is not SPEC[4].default  # a copy, not the spec's list


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"n": 0}, "config key 'm.n': must be an integer >= 1, got 0"),
        ({"n": 2.0}, "'m.n': must be an integer >= 1, got 2.0"),
        ({"n": True}, "'m.n': must be an integer"),
        ({"rate": 1.0}, "'m.rate': must be a number >= 0 and < 1, got 1.0"),
        ({"rate": float("nan")}, "'m.rate': must be a number"),
        ({"mode": "c"}, "'m.mode': must be one of a, b, got 'c'"),
        ({"factor": 0}, "'m.factor': must be a number > 0 or null, got 0"),
        ({"widths": []}, "'m.widths': must be a non-empty list"),
        ({"widths": [1, -1]}, r"'m.widths': must be a non-empty list of items each a number > 0"),
        ({"flag": 1}, "'m.flag': must be true or false, got 1"),
        ({"bogus": 1, "n": 2}, r"'m.bogus': unknown parameter\(s\) \['bogus'\]. Fix: use one of"),
    ],
)
def test_validate_names_the_key_and_the_rule(values, message):
    with pytest.raises(ConfigError, match=message):
        validate(SPEC, values, prefix="m.")


def test_schema_of_a_spec_hand_worked():
    props = json_schema(SPEC)["properties"]
    assert props["n"] == {
        "type": "integer",
        "minimum": 1,
        "default": 3,
        "description": "A count. [model]",
    }
    assert props["rate"]["exclusiveMaximum"] == 1 and props["rate"]["minimum"] == 0
    assert props["mode"]["enum"] == ["a", "b"]
    assert (
        props["factor"]["type"] == ["number", "null"] and props["factor"]["exclusiveMinimum"] == 0
    )
    assert props["widths"]["items"] == {"type": "number", "exclusiveMinimum": 0}


def test_roles_split_training_from_sampling():
    assert MODELS["gan"].sampling_params == {"beta", "readout"}
    assert MODELS["rbm"].sampling_params == {"beta", "readout", "burn_in", "sample_start"}
    assert MODELS["copying"].sampling_params == {"segment_sites", "mismatch"}
    training, sampling = split_roles(SPEC, {"n": 1, "mode": "b", "seed": 3})
    assert training == {"n": 1, "seed": 3} and sampling == {"mode": "b"}
    settings = {"epochs": 5, "beta": 1.2, "readout": "mean", "repair": {"flank": 3}, "seed": 1}
    assert training_and_sampling("rbm", settings) == (
        {"epochs": 5, "seed": 1},
        {"beta": 1.2, "readout": "mean"},
    )
    calibrated = training_and_sampling("rbm", settings | {"calibrate_beta": True})
    assert calibrated[1] == {} and calibrated[0]["readout"] == "mean"
    assert "repair" not in calibrated[0]


def test_generated_files_are_up_to_date():
    proc = subprocess.run(
        [sys.executable, str(REPO / "tools/build_reference.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _schema():
    return load_schema(REPO / "workflow/schemas/config.schema.yaml")


def test_schema_defaults_are_the_library_defaults():
    defs = _schema()["$defs"]
    controls = defs["training_controls"]["properties"]
    for name, cls in MODELS.items():
        section = defs["models"]["properties"][name]["properties"]
        for key, value in cls.defaults.items():
            assert section[key]["default"] == value, (name, key)
        for key in set(section) - set(cls.defaults) - {"repair", "model"}:
            ref = section[key]["$ref"]
            assert ref == f"#/$defs/training_controls/properties/{key}", (name, key)
    assert {k: v["default"] for k, v in controls.items()} == defaults(TRAINING_CONTROLS)
    wgan = defs["dna_wgan"]["properties"]
    assert {k: v["default"] for k, v in wgan.items()} == defaults(
        SequenceWGAN.spec + DNA_WGAN_CONTROLS
    )
    assert parameter_schema()["$defs"] == {
        k: defs[k] for k in ("training_controls", "models", "dna_wgan", "dna_wgan_overrides")
    }


def test_a_config_gets_every_models_defaults_and_refuses_pruned_keys():
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    validate_config(config, _schema())
    assert sorted(config["models"]) == ["bernoulli", "gan", "markov", "rbm"]  # none added
    gan = config["models"]["gan"]
    assert gan["checkpoint_every"] == 10 and gan["adam_beta_1"] == 0.9 and gan["repair"] is None
    assert get_model("gan", **training_and_sampling("gan", gan)[1]).params["readout"] == "sample"
    for pruned in ("pack", "critic_select", "temperature", "d_update", "log_every"):
        bad = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
        bad["models"]["gan"][pruned] = 1
        with pytest.raises(ConfigError, match=f"models.gan.{pruned}': unknown key"):
            validate_config(bad, _schema())


def test_a_named_instance_takes_its_models_parameters_and_defaults():
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config["models"]["gan_paper"] = {"model": "gan", "loss": "bce", "epochs": 3}
    validate_config(config, _schema())
    instance, gan = config["models"]["gan_paper"], config["models"]["gan"]
    assert instance["model"] == "gan" and instance["loss"] == "bce" and instance["epochs"] == 3
    assert instance["adam_beta_1"] == 0.9 and instance["repair"] is None  # the gan's defaults
    assert set(instance) == set(gan) | {"model"}
    assert model_kind("gan_paper", instance) == "gan" and model_kind("gan", gan) == "gan"
    assert model_kind("rbm", None) == "rbm"
    for bad, message in [
        ({"model": "gan", "pack": 1}, "models.gan_paper.pack': unknown key"),
        ({"model": "gan", "epochs": 0}, "models.gan_paper.epochs'"),
        ({"model": "nope"}, "models.gan_paper.model'"),
        ({"epochs": 3}, "models.gan_paper.model'"),
        ({"model": "rbm", "loss": "bce"}, "models.gan_paper.loss': unknown key"),
    ]:
        config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
        config["models"]["gan_paper"] = bad
        with pytest.raises(ConfigError, match=re.escape(message)):
            validate_config(config, _schema())


def test_schema_keys_of_the_deep_models_down_by_a_third():
    """Before the redesign models.gan + models.rbm had 40 + 31 = 71 keys, the 10 training
    controls and repair written out in each; now the controls are one $defs block."""
    defs = _schema()["$defs"]
    own = [
        k
        for m in ("gan", "rbm")
        for k, v in defs["models"]["properties"][m]["properties"].items()
        if "$ref" not in v and k != "model"
    ]
    controls = defs["training_controls"]["properties"]
    assert len(own) + len(controls) + 1 <= 71 * 2 // 3  # + repair


def test_the_driver_is_the_only_training_loop():
    """No model writes checkpoints or loops over epochs itself: grep the library."""
    src = REPO / "src/genosynth"
    loops = [
        p.relative_to(src)
        for p in src.rglob("*.py")
        if re.search(r"while (self|model)\.step < ", p.read_text())
    ]
    assert loops == [Path("training.py")]
    savers = {
        str(p.relative_to(src))
        for p in (src / "models").glob("*.py")
        if re.search(r"\.save\(", p.read_text())
    }
    assert savers <= {"base.py"}  # only the definition of save itself
    assert ".save(" not in (src / "dna/wgan.py").read_text()


def test_predictor_sections_share_the_predictors_defaults():
    from genosynth.dna.predictors import BindingCNN

    dna = _schema()["properties"]["dna"]["properties"]
    for section in ("predictor",):  # the oracle is a larger CNN on purpose
        props = dna[section]["properties"]
        for key, value in BindingCNN.defaults.items():
            if key in props:
                assert props[key]["default"] == value, (section, key)
        assert set(props) - set(BindingCNN.defaults) <= {"seed"}
