import numpy as np
import pytest

from storyline.embed.minilm import MiniLMEmbedder, _source, quantized_model

TEXTS = [
    "Four rockets hit Iraq airbase hosting US troops",
    "Rocket strike on Iraqi air base that houses American soldiers",
    "Iran fires ballistic missiles at Ain al-Asad in retaliation for the killing of Soleimani",
    "Giant sinkhole swallows bus in China",
    "Parasite wins best picture at the Oscars",
]


@pytest.mark.slow
def test_the_quantized_model_is_built_once_the_same_everywhere(tmp_path, monkeypatch):
    source = _source()
    monkeypatch.setenv("STORYLINE_DATA", str(tmp_path / "a"))
    built = quantized_model(source)
    assert built.parent == tmp_path / "a" / "minilm-q8"
    stamp = built.stat().st_mtime_ns
    assert quantized_model(source) == built  # cached: not built again
    assert built.stat().st_mtime_ns == stamp
    assert list(built.parent.iterdir()) == [built]  # no temporary files left behind

    monkeypatch.setenv("STORYLINE_DATA", str(tmp_path / "b"))
    again = quantized_model(source)
    assert again != built and again.name == built.name
    assert again.read_bytes() == built.read_bytes()  # same input, same model: same vectors


@pytest.mark.slow
def test_without_a_writable_data_dir_the_model_is_built_for_the_process(tmp_path, monkeypatch):
    source = _source()
    monkeypatch.setenv("STORYLINE_DATA", str(tmp_path / "cached"))
    cached = quantized_model(source)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("STORYLINE_DATA", str(blocker))
    built = quantized_model(source)
    assert isinstance(built, bytes)
    assert built == cached.read_bytes()
    assert blocker.read_text() == "not a folder"


@pytest.mark.slow
def test_int8_compute_keeps_the_vectors_of_the_package_model(minilm):
    exact = MiniLMEmbedder(quantize=False)
    assert minilm.name.startswith(exact.name + "-dq-")
    a, b = exact.encode(TEXTS), minilm.encode(TEXTS)
    assert np.all(np.sum(a * b, axis=1) > 0.98)
    # the similarities between texts barely move, and their order not at all
    sim_a, sim_b = a @ a.T, b @ b.T
    assert np.abs(sim_a - sim_b).max() < 0.05
    assert (np.argsort(-sim_a[0]) == np.argsort(-sim_b[0])).all()


@pytest.mark.slow
def test_a_text_gets_the_same_vector_whatever_it_is_encoded_with(minilm):
    alone = minilm.encode(TEXTS[:1])
    with_others = minilm.encode([TEXTS[3], TEXTS[0], *TEXTS[1:]])
    assert np.array_equal(alone[0], with_others[1])


@pytest.mark.slow
def test_texts_encoded_on_several_threads_keep_their_order_and_vectors():
    texts = [*TEXTS, "", "  ", *reversed(TEXTS)]
    parallel = MiniLMEmbedder(threads=3).encode(texts)
    serial = MiniLMEmbedder(threads=1).encode(texts)
    assert np.array_equal(parallel, serial)
    assert not parallel[5].any() and not parallel[6].any()  # blank texts: zero vectors
    assert np.array_equal(parallel[0], parallel[-1])  # the same text, the same vector
