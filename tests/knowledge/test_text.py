"""Normalisation, typo fixes, segmentation with the domain dictionary, and synonyms."""

import math
from pathlib import Path

import pytest

from knowledge.base import DATA_DIR, KnowledgeBase
from knowledge.errors import KnowledgeError
from knowledge.evaluate import read_cases
from knowledge.text import Analyzer, load_synonyms, normalise

DEV_SET = Path(__file__).parents[1] / "data" / "faq_dev.jsonl"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_synonyms(DATA_DIR / "synonyms.toml"), DATA_DIR / "userdict.txt")


def test_normalise_widths_case_and_punctuation() -> None:
    assert normalise("ＡＢＣ１２３，统计法！！") == "abc123 统计法"
    assert normalise("  联网直报？还要 盖章吗　") == "联网直报 还要 盖章吗"
    assert normalise("《统计法》第44条") == "统计法 第44条"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("统记局", "统计局"), ("统计台帐", "统计台账"), ("原始纪录", "原始记录"), ("罚歀", "罚款")],
)
def test_typos_are_fixed_before_segmentation(analyzer: Analyzer, typed: str, meant: str) -> None:
    assert analyzer.clean(typed) == meant
    assert analyzer.tokens(typed) == analyzer.tokens(meant)


@pytest.mark.parametrize(
    ("colloquial", "formal"),
    [
        ("穿小鞋", "打击报复"),
        ("台帐", "统计台账"),
        ("统记局", "统计机构"),
        ("网报", "联网直报"),
        ("规上", "四上"),
        ("罚钱", "罚款"),
        ("复议", "行政复议"),
        ("个体户", "个体工商户"),
    ],
)
def test_colloquial_words_meet_the_law_texts(
    analyzer: Analyzer, colloquial: str, formal: str
) -> None:
    assert formal in analyzer.tokens(colloquial)


@pytest.mark.parametrize(
    ("question", "formal"),
    [
        # retaliation: jieba cuts 扣我奖金 into 扣 / 我 / 奖金, so 扣 itself is the variant
        ("老板说不照他的数报就扣我奖金", "打击报复"),
        # obstruction at the door, surprise inspections, disposal, informants, approval
        ("老板把人拒之门外", "阻碍"),
        ("统计局会不会突击来厂里", "检查"),
        ("旧台账占地方想清掉", "保存"),
        ("举报能匿名吗", "保密"),
        ("这张调查表正规吗", "批准"),
        ("用假数据骗补贴", "骗取"),
        ("没批准就乱发调查表", "擅自"),
    ],
)
def test_meaning_classes_reach_the_law_words_in_whole_questions(
    analyzer: Analyzer, question: str, formal: str
) -> None:
    assert formal in analyzer.tokens(question)


def test_conditionals_weigh_nothing(analyzer: Analyzer) -> None:
    # An unknown word weighs as much as the rarest one: "要是…的话" must not make a question
    # look off-topic.
    assert analyzer.tokens("要是报错了的话会罚款吗") == analyzer.tokens("报错了会罚款吗")


def test_one_character_variants_only_match_whole_words(analyzer: Analyzer) -> None:
    # 告 (to sue) is a variant; 报告 (a report) is not a lawsuit.
    assert "行政诉讼" in analyzer.tokens("被罚了能告他们吗")
    assert "行政诉讼" not in analyzer.tokens("年度统计报告")


def test_narrower_words_keep_their_own_token(analyzer: Analyzer) -> None:
    assert {"企业", "统计调查对象"} <= set(analyzer.tokens("企业"))
    assert {"企业", "统计调查对象"} <= set(analyzer.tokens("我们厂"))


def test_stopwords_and_repeats_are_dropped_from_groups(analyzer: Analyzer) -> None:
    groups = analyzer.groups("请问我们厂没弄统计台帐被查到了咋办")
    assert frozenset({"统计", "统计台账"}) in groups
    assert all(not group & {"请问", "我们", "了", "咋办"} for group in groups)
    assert analyzer.groups("的 了 吗") == []
    assert len(analyzer.groups("台账台账台账")) == 1


def test_dictionary_words_come_out_whole(analyzer: Analyzer) -> None:
    lines = (DATA_DIR / "userdict.txt").read_text(encoding="utf-8").splitlines()
    words = [line.split()[0] for line in lines if line.strip()]
    assert len(words) == len(set(words)), "userdict.txt lists a word twice"
    for word in words:
        assert analyzer.cut(word) == [word], word
    for word in analyzer.synonyms.words:
        assert analyzer.cut(analyzer.clean(word)) == [analyzer.clean(word)], word


def test_the_synonym_list_is_substantial() -> None:
    synonyms = load_synonyms(DATA_DIR / "synonyms.toml")
    assert len(set(synonyms.canonical.values())) >= 20
    assert synonyms.canonical["穿小鞋"] == ("打击报复",)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "synonyms.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_variant_in_two_groups_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[group]]\ncanonical = "甲"\nvariants = ["乙"]\n'
        '[[group]]\ncanonical = "丙"\nvariants = ["乙"]\n',
    )
    with pytest.raises(KnowledgeError, match="出现在多个同义词组中"):
        load_synonyms(path)


@pytest.mark.parametrize(
    "text",
    [
        '[[group]]\ncanonical = "甲"\n',
        '[[group]]\ncanonical = "甲"\nvariants = ["乙"]\nvariant = ["丙"]\n',
        '[typos]\n"统计" = "统计"\n',
        "[[group]\n",
    ],
)
def test_malformed_synonym_files_are_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(KnowledgeError, match=r"synonyms\.toml|无法读取同义词表"):
        load_synonyms(write(tmp_path, text))


def probability(analyzer: Analyzer, words: list[str]) -> float:
    """The log-probability jieba gives a route (HMM off): the sum of its words' log-frequency
    shares, an unknown single character counting once."""
    tokenizer = analyzer._tokenizer
    log_total = math.log(tokenizer.total)
    return sum(math.log(tokenizer.FREQ.get(word) or 1) - log_total for word in words)


def test_our_segmentation_is_jiebas(analyzer: Analyzer, knowledge: KnowledgeBase) -> None:
    """jieba-rs cuts as jieba does (`lcut(HMM=False)` with the same dictionary) on every shipped
    text; where they differ, both routes are equally probable and rounding picked one."""
    texts = [analyzer.clean(e.answer) for e in knowledge.entries]
    texts += [analyzer.clean(t) for e in knowledge.entries for t in (e.title, *e.alternatives)]
    texts += [analyzer.clean(case.question) for case in read_cases(DEV_SET)]
    texts += [
        "abc 123 统计法 第44条 x1 a-b 5,000元",
        "  ",
        "统计e家 api",
        "h2o 统计",
        "a\r\nb\t\tc",
        "\ue000统计\ue000",  # the placeholder word's character (see Analyzer)
    ]
    texts += ["四上企业统计员要不要进制定本吗", "四上企业统计员要不要第四十四条 作为统计吗"]
    jieba = analyzer._tokenizer
    ties = 0
    for text in texts:
        ours, theirs = analyzer.cut(text), jieba.lcut(text, HMM=False)
        if ours != theirs:
            assert "".join(ours) == text, text
            assert probability(analyzer, ours) == pytest.approx(
                probability(analyzer, theirs), rel=0, abs=1e-9
            ), (text, ours, theirs)
            ties += 1
    assert ties <= len(texts) // 100, "jieba-rs should differ from jieba on rare ties only"


def test_jieba_rs_has_jiebas_dictionary(analyzer: Analyzer) -> None:
    """The same words, frequencies and total: suggest_freq(a+b) is freq(a) * freq(b) / total
    + 1 (so 是是 moves by 10 if the total is 0.1 % off), or the frequency of a word kept whole
    (each side rounds its own way)."""
    jieba = analyzer._tokenizer
    for text in ("统计台账", "四上企业", "统计员", "穿小鞋", "台帐", "是是", "的是", "统计企业"):
        suggested = analyzer._segmenter.suggest_freq(text)
        assert abs(suggested - jieba.suggest_freq(text, False)) <= 1, text
