"""Information measures and the NCD-kNN classifier, including its tie rules."""

import numpy as np
import pytest

from kairos.errors import ValidationError
from kairos.info.compressor import make_compressor
from kairos.info.measures import (
    NCDKNNClassifier,
    code_length,
    conditional_length,
    info_table,
    mutual_information,
    ncd,
    symmetric_information,
)

TEXT_A = b"the clock ticks and the pendulum swings, " * 12
TEXT_B = b"0110 1011 1100 0001 1110 0101 1001 0011 " * 12


@pytest.mark.parametrize("name", ["cm", "gzip"])
def test_conditioning_on_itself_is_cheap_and_on_noise_is_not(name):
    comp = make_compressor(name)
    empty = code_length(b"", comp)  # the fixed container cost both C(y) and C(y|x) pay
    content = code_length(TEXT_A, comp) - empty
    assert conditional_length(TEXT_A, TEXT_A, comp) - empty < 0.2 * content
    assert mutual_information(TEXT_A, TEXT_A, comp) > 0.8 * content
    assert ncd(TEXT_A, TEXT_A, comp) < ncd(TEXT_A, TEXT_B, comp)


def test_prequential_conditional_equals_coding_after_training():
    cm = make_compressor("cm")
    costs = cm.byte_costs_bits(TEXT_A + TEXT_B)
    # C(y|x) = C(xy) - C(x): the bits spent on y's bytes after the model has read x.
    expected = costs[len(TEXT_A) :].sum()
    assert conditional_length(TEXT_B, TEXT_A, cm) == pytest.approx(expected, rel=1e-9)


def test_info_table_is_consistent():
    gz = make_compressor("gzip")
    t = info_table(TEXT_A, TEXT_B, gz)
    assert t["I(X:Y)_bits"] == pytest.approx(t["C(Y)_bits"] - t["C(Y|X)_bits"])
    assert t["I_sym_bits"] == pytest.approx(symmetric_information(TEXT_A, TEXT_B, gz))
    assert t["NCD"] == pytest.approx(ncd(TEXT_A, TEXT_B, gz))


def _corpus():
    rng = np.random.default_rng(0)
    words = {
        "clock": [b"pendulum", b"escapement", b"spring", b"chime", b"gear"],
        "sea": [b"harbour", b"anchor", b"tide", b"sail", b"gull"],
    }
    X, y = [], []
    for label, vocab in words.items():
        for _ in range(4):
            X.append(b" ".join(vocab[i] for i in rng.integers(0, 5, 30)))
            y.append(label)
    return X, y


def test_knn_fit_predict_score():
    X, y = _corpus()
    clf = NCDKNNClassifier(n_neighbors=1, compressor="gzip")
    assert clf.fit(X[1::2], y[1::2]) is clf
    assert list(clf.predict(X[::2])) == y[::2]
    assert clf.score(X[::2], y[::2]) == 1.0


def test_vote_tie_is_never_counted_correct():
    # Two training strings at the same distance with different labels: a tie.
    query = b"abcabcabc"
    clf = NCDKNNClassifier(n_neighbors=2, compressor="gzip").fit([b"xyz1", b"xyz2"], ["a", "b"])
    dist = clf.distances([query])[0]
    assert dist[0] == dist[1]
    pred = clf.predict([query])
    assert pred[0] is NCDKNNClassifier.TIE
    assert clf.score([query], ["a"]) == 0.0 and clf.score([query], ["b"]) == 0.0


def test_distance_ties_widen_the_neighbourhood():
    # k=1 but three training strings tie for nearest: all three vote, 2 beats 1.
    clf = NCDKNNClassifier(n_neighbors=1, compressor="gzip")
    clf.fit([b"xyz1", b"xyz2", b"xyz3"], ["a", "a", "b"])
    assert len(set(clf.distances([b"q"])[0])) == 1
    assert clf.predict([b"q"])[0] == "a"


def test_knn_validation():
    with pytest.raises(ValidationError, match="n_neighbors"):
        NCDKNNClassifier(n_neighbors=0).fit([b"a"], ["x"])
    with pytest.raises(ValidationError, match="labels"):
        NCDKNNClassifier().fit([b"a", b"b"], ["x"])
    with pytest.raises(ValidationError, match=r"X\[1\]"):
        NCDKNNClassifier().fit([b"a", "b"], ["x", "y"])


@pytest.mark.parametrize("name", ["cm", "gzip", "bz2", "xz", "zstd", "brotli"])
def test_empty_strings_share_no_information(name):
    # issue 11: gzip reported I(X:Y) = 160 bits (its header) between two empty files
    comp = make_compressor(name)
    t = info_table(b"", b"", comp)
    assert t["I(X:Y)_bits"] == 0.0 and t["I_sym_bits"] == 0.0
    assert mutual_information(TEXT_A, b"", comp) == pytest.approx(0.0, abs=1e-9)
