"""The model fitting behind `Scoring.weights`: it recovers a clear signal and reproduces."""

import random

from knowledge import tune
from knowledge.base import KnowledgeBase
from knowledge.features import FEATURES, FITTED, FITTED_BIAS, logistic, named_laws
from knowledge.scoring import Scoring


def test_logistic_regression_finds_the_informative_feature() -> None:
    rng = random.Random(3)
    data = []
    for _ in range(400):
        signal, noise = rng.random(), rng.random()
        data.append(([signal, noise], int(signal + 0.2 * rng.random() > 0.6)))
    signal_weight, noise_weight, bias = tune.fit_logistic(data)
    assert signal_weight > 5 * abs(noise_weight)
    assert bias < 0


def test_the_ranking_fit_prefers_what_marks_the_right_candidate() -> None:
    rng = random.Random(4)
    questions = []
    for _ in range(60):
        rows = [[rng.random(), rng.random()] for _ in range(8)]
        right = max(range(8), key=lambda i: rows[i][0])
        questions.append((rows, [int(i == right) for i in range(8)]))
    marking, other = tune.fit_ranking(questions, [0, 1])
    assert marking > 3 * abs(other)


def test_shipped_weights_cover_every_feature() -> None:
    assert set(FITTED) == set(FEATURES)
    assert Scoring().weights == tuple(FITTED[name] for name in FEATURES)
    assert 0 <= logistic(Scoring().weights, FITTED_BIAS, [0.0] * len(FEATURES)) <= 100
    assert Scoring().suggest < Scoring().answer


def test_named_texts() -> None:
    assert named_laws("浙江那个条例里怎么说") == {"浙江省统计工作监督管理条例"}
    assert named_laws("统计法实施条例是依据哪个法制定的") == {"统计法实施条例"}
    assert named_laws("统计法第几条") == frozenset()


def test_outside_topics_weigh_against_curated_answers(knowledge: KnowledgeBase) -> None:
    query = knowledge.index.analyse("一套表平台的密码忘了 怎么重置")
    assert query.outside
    assert knowledge.search("一套表平台的密码忘了 怎么重置").verdict == "abstain"
