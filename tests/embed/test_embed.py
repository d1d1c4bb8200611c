import numpy as np
import pytest

from storyline.config import EmbedSettings
from storyline.embed import embedder_name, get_embedder, same_model
from storyline.errors import StorylineError


def test_tfidf_unit_rows_and_similarity():
    e = get_embedder(EmbedSettings(model="tfidf"))
    v = e.encode(["rockets hit air base in Iraq", "rockets hit Iraq air base", "salad recipes", ""])
    assert v.shape == (4, e.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-5)
    assert not v[3].any()
    assert v[0] @ v[1] > 0.5 > v[0] @ v[2]


def test_unknown_embedder():
    with pytest.raises(StorylineError, match="unknown embedder"):
        get_embedder(EmbedSettings(model="nope"))
    with pytest.raises(StorylineError, match="unknown embedder"):
        embedder_name(EmbedSettings(model="nope"))


def test_the_name_is_known_without_loading_the_model(minilm):
    assert embedder_name(EmbedSettings(model="tfidf")) == get_embedder(
        EmbedSettings(model="tfidf")).name
    assert embedder_name(EmbedSettings(model="minilm")) == minilm.name
    float32 = embedder_name(EmbedSettings(model="minilm", quantize=False))
    assert float32 != minilm.name and same_model(float32, minilm.name)
    assert not same_model(minilm.name, embedder_name(EmbedSettings(model="static")))


@pytest.mark.slow
def test_minilm_paraphrases_are_close(minilm):
    v = minilm.encode([
        "Four rockets hit Iraq airbase hosting US troops",
        "Rocket strike on Iraqi air base that houses American soldiers",
        "Giant sinkhole swallows bus in China",
        "",
    ])
    assert v.shape == (4, 384)
    assert v[0] @ v[1] > 0.6
    assert v[0] @ v[2] < 0.3
    assert not v[3].any()
    assert minilm is get_embedder(EmbedSettings(model="minilm"))  # loaded once
