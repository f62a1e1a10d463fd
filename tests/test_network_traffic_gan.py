"""The faithful NetworkTrafficGAN and the study's one-GAN setup."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from benchmark.plugins import Context
from benchmark.registry import samplers
from benchmark.schema import infer_schema
from methods.gan.nets import Discriminator, Generator, count_parameters
from methods.gan.training import round_sig
from methods.network_traffic_gan import NetworkTrafficGAN
from methods.network_traffic_gan_study_setup import NetworkTrafficGANStudySetup


def two_class_table(n_a=120, n_b=40, seed=0):
    """Class A lives in [0, 1], class B in [10, 11]; ``const`` is 7 everywhere."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "f1": np.r_[rng.uniform(0, 1, n_a), rng.uniform(10, 11, n_b)],
            "f2": np.r_[rng.uniform(0, 1, n_a), rng.uniform(10, 11, n_b)],
            "cnt": np.r_[rng.integers(0, 3, n_a), rng.integers(10, 12, n_b)],
            "const": np.full(n_a + n_b, 7.0),
        }
    )
    y = pd.Series(["A"] * n_a + ["B"] * n_b, name="class")
    return X, y, infer_schema(X)


def fit(model, X, y, schema, targets, seed=0, context=None):
    return model.fit_resample(X, y, schema=schema, targets=targets, random_state=seed, context=context)


# ------------------------------------------------------------------ architecture
def layer_signature(seq: nn.Sequential):
    out = []
    for m in seq:
        if isinstance(m, nn.Linear):
            out.append(("Linear", m.in_features, m.out_features))
        elif isinstance(m, nn.BatchNorm1d):
            out.append(("BatchNorm1d", m.num_features))
        elif isinstance(m, nn.LeakyReLU):
            out.append(("LeakyReLU", m.negative_slope))
        elif isinstance(m, nn.Dropout):
            out.append(("Dropout", m.p))
        else:
            out.append((type(m).__name__,))
    return out


def test_generator_matches_the_study_first_commit():
    n = 80
    G = Generator(n)
    assert layer_signature(G.model) == [
        ("Linear", 100, 128), ("LeakyReLU", 0.2), ("BatchNorm1d", 128),
        ("Linear", 128, 256), ("LeakyReLU", 0.2), ("BatchNorm1d", 256),
        ("Linear", 256, 512), ("LeakyReLU", 0.2), ("BatchNorm1d", 512),
        ("Linear", 512, 256), ("LeakyReLU", 0.2), ("BatchNorm1d", 256),
        ("Linear", 256, n), ("Tanh",),
    ]  # fmt: skip
    # by hand: Linear in*out+out; BatchNorm weight+bias (running stats are buffers)
    linear = (100 * 128 + 128) + (128 * 256 + 256) + (256 * 512 + 512) + (512 * 256 + 256) + (256 * n + n)
    batchnorm = 2 * (128 + 256 + 512 + 256)
    assert linear + batchnorm == 331_728
    assert count_parameters(G) == 331_728


def test_discriminator_matches_the_study_first_commit():
    n = 80
    D = Discriminator(n)
    assert layer_signature(D.model) == [
        ("Linear", n, 512), ("LeakyReLU", 0.2), ("Dropout", 0.3),
        ("Linear", 512, 256), ("LeakyReLU", 0.2), ("Dropout", 0.3),
        ("Linear", 256, 128), ("LeakyReLU", 0.2), ("Dropout", 0.3),
        ("Linear", 128, 1), ("Sigmoid",),
    ]  # fmt: skip
    assert (
        count_parameters(D) == (80 * 512 + 512) + (512 * 256 + 256) + (256 * 128 + 128) + (128 + 1) == 205_825
    )


def test_trained_networks_have_one_output_per_feature():
    X, y, schema = two_class_table()
    m = NetworkTrafficGAN(epochs=1)
    fit(m, X, y, schema, {"A": 120, "B": 60})
    G = m.generator_for("B")
    assert G.model[0].in_features == 100 and G.model[-2].out_features == X.shape[1]
    assert isinstance(G.model[-1], nn.Tanh)


def test_registered_with_profiles():
    assert samplers.get("network_traffic_gan") is NetworkTrafficGAN
    assert samplers.get("network_traffic_gan_study_setup") is NetworkTrafficGANStudySetup
    paper = NetworkTrafficGAN.for_profile("paper")
    assert (paper.epochs, paper.batch_size, paper.lr, paper.beta1) == (500, 32, 2e-4, 0.5)
    assert NetworkTrafficGAN.for_profile("smoke").epochs < NetworkTrafficGAN.for_profile("quick").epochs


# ------------------------------------------------------------------ behaviour
def test_per_class_rows_are_of_the_requested_class_and_its_range():
    X, y, schema = two_class_table()
    r = fit(NetworkTrafficGAN(epochs=2), X, y, schema, {"A": 120, "B": 100})
    assert r.requested == {"B": 60}
    assert (r.y_synthetic == "B").all() and len(r.y_synthetic) == 60
    # the scaler was fit on B's rows only: a tanh output cannot leave B's range
    new = r.X_synthetic
    assert new["f1"].between(10, 11).all() and new["f2"].between(10, 11).all()
    assert new["cnt"].between(10, 11).all()
    assert not r.X.iloc[: len(X)].compare(X).size  # originals kept


def test_same_seed_same_rows_other_seed_other_rows():
    X, y, schema = two_class_table()
    a = fit(NetworkTrafficGAN(epochs=2), X, y, schema, {"A": 120, "B": 80}, seed=3).X_synthetic
    b = fit(NetworkTrafficGAN(epochs=2), X, y, schema, {"A": 120, "B": 80}, seed=3).X_synthetic
    c = fit(NetworkTrafficGAN(epochs=2), X, y, schema, {"A": 120, "B": 80}, seed=4).X_synthetic
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    assert not np.allclose(a[["f1", "f2"]].to_numpy(), c[["f1", "f2"]].to_numpy())


def test_seeding_leaves_the_callers_rng_alone():
    X, y, schema = two_class_table()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fit(NetworkTrafficGAN(epochs=1), X, y, schema, {"A": 120, "B": 50})
    assert torch.equal(torch.rand(3), expected)


def test_constant_columns_stay_constant_without_nan():
    X, y, schema = two_class_table()
    X["zero"] = 0.0
    schema = infer_schema(X)
    r = fit(NetworkTrafficGAN(epochs=2), X, y, schema, {"A": 120, "B": 90})
    new = r.X_synthetic
    assert np.isfinite(new.to_numpy(float)).all() and "nonfinite_replaced" not in r.info
    assert (new["const"] == 7.0).all() and (new["zero"] == 0.0).all()


def test_training_record_is_compact_json(tmp_path):
    X, y, schema = two_class_table(n_b=10)
    r = fit(
        NetworkTrafficGAN(epochs=3, batch_size=32),
        X,
        y,
        schema,
        {"A": 120, "B": 30},
        context=Context(workdir=str(tmp_path)),
    )
    rec = json.loads(json.dumps(r.info["training"]))
    m = rec["models"]["B"]
    assert m["epochs_run"] == 3 and len(m["d_loss"]) == len(m["g_loss"]) == 3
    assert m["rows"] == 10 and m["batch_size"] == 10 and m["seconds_per_epoch"] > 0
    assert all(v == round_sig(v) for v in m["d_loss"] + m["g_loss"])
    assert any("batch size clamped" in f for f in rec["fallbacks"])
    assert rec["device"] == "cpu"
    png = tmp_path / "network_traffic_gan_B_losses.png"
    assert rec["curves"]["B"] == str(png) and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_curve_without_workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    X, y, schema = two_class_table()
    r = fit(NetworkTrafficGAN(epochs=1), X, y, schema, {"A": 120, "B": 50})
    assert "curves" not in r.info["training"] and not list(tmp_path.iterdir())


@pytest.mark.skipif(torch.cuda.is_available(), reason="tests the fallback of a machine without CUDA")
def test_cuda_request_falls_back_to_cpu_with_a_note():
    X, y, schema = two_class_table()
    r = fit(NetworkTrafficGAN(epochs=1), X, y, schema, {"A": 120, "B": 50}, context=Context(device="cuda"))
    rec = r.info["training"]
    assert rec["device"] == "cpu" and any("CUDA is not available" in f for f in rec["fallbacks"])


def test_round_sig():
    assert round_sig(1.234567891) == 1.2346 and round_sig(-0.000123456789) == -0.00012346
    assert round_sig(123456789.0) == 123460000.0 and round_sig(0.0) == 0.0


# ------------------------------------------------------------------ the study's setup
def majority_table(n_major=400, n_minor=3, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n_major + n_minor, 6)), columns=[f"c{i}" for i in range(6)])
    X.iloc[n_major:] += 5.0
    y = pd.Series(["major"] * n_major + ["minor"] * n_minor)
    return X, y, infer_schema(X)


def test_study_setup_labels_rows_by_the_argmax_of_its_outputs():
    X, y, schema = majority_table()
    m = NetworkTrafficGANStudySetup(epochs=15, batch_size=64)
    r = fit(m, X, y, schema, {"major": 400, "minor": 203})
    # it cannot learn a class of 3 rows: asked for 200 minority rows, it returns mostly majority ones
    assert len(r.y_synthetic) == 200
    delivered = r.y_synthetic.value_counts()
    assert delivered.get("major", 0) > 0.65 * 200  # a coin would give half
    assert r.info["training"]["delivered_by_request"]["minor"] == {k: int(v) for k, v in delivered.items()}
    # the labels are the argmax of the generated indicator columns
    out, labels = m.generate_labelled(50, random_state=11)
    onehot = out[["traffic_category_major", "traffic_category_minor"]].to_numpy()
    assert list(labels) == list(np.where(onehot[:, 0] >= onehot[:, 1], "major", "minor"))
    assert m._G.model[-2].out_features == X.shape[1] + 2  # features + one indicator per class


def test_study_setup_subsample_and_determinism():
    X, y, schema = majority_table(n_major=300, n_minor=30)
    kw = {"epochs": 1, "batch_size": 32, "max_train_rows": 100}
    a = fit(NetworkTrafficGANStudySetup(**kw), X, y, schema, {"major": 300, "minor": 60}, seed=1)
    b = fit(NetworkTrafficGANStudySetup(**kw), X, y, schema, {"major": 300, "minor": 60}, seed=1)
    pd.testing.assert_frame_equal(a.X_synthetic.reset_index(drop=True), b.X_synthetic.reset_index(drop=True))
    rec = a.info["training"]
    assert rec["models"]["unconditional"]["rows"] == 100
    assert rec["models"]["unconditional"]["train_class_counts"] == {"major": 91, "minor": 9}
    assert any("subsample" in f for f in rec["fallbacks"])


def test_max_fit_rows_is_a_noop_within_the_cap_and_subsamples_above_it():
    """The quick budget (max_fit_rows) must not change a class that fits in it (the
    demo's published rows stay valid) and must train a larger class on the cap."""
    X, y, schema = two_class_table(n_a=120, n_b=40)
    t = {"A": 150, "B": 60}
    plain = fit(NetworkTrafficGAN(epochs=2), X, y, schema, t, seed=1)
    within = fit(NetworkTrafficGAN(epochs=2, max_fit_rows=120), X, y, schema, t, seed=1)
    pd.testing.assert_frame_equal(
        plain.X_synthetic.reset_index(drop=True), within.X_synthetic.reset_index(drop=True)
    )
    assert "fallbacks" not in within.info["training"]
    capped = fit(NetworkTrafficGAN(epochs=2, max_fit_rows=50), X, y, schema, t, seed=1)
    notes = capped.info["training"]["fallbacks"]
    assert notes == ["A: trained on a random 50 of its 120 rows (max_fit_rows)"]
    assert not np.allclose(plain.X_synthetic[["f1"]].to_numpy(), capped.X_synthetic[["f1"]].to_numpy())
    assert NetworkTrafficGAN.profile_params["quick"]["max_fit_rows"] == 1_000


def test_classes_trained_in_worker_processes_give_the_same_rows():
    X, y, schema = two_class_table()
    t = {"A": 150, "B": 60}
    one = fit(NetworkTrafficGAN(epochs=2, n_jobs=1), X, y, schema, t, seed=5)
    two = fit(NetworkTrafficGAN(epochs=2, n_jobs=2), X, y, schema, t, seed=5)
    pd.testing.assert_frame_equal(one.X, two.X)
    assert one.info["training"]["models"].keys() == two.info["training"]["models"].keys() == {"A", "B"}
