"""provenance/align/translation.py: a translation is placed against its source by what survives translation,
figures and names, names compared by their sound skeleton when the scripts differ. The texts here are our own: a
short made-up harbour story in English, a Russian translation of it, another newsroom's Russian report of the same
story, and an unrelated Russian council story."""

from __future__ import annotations

import pytest

from provenance.align.translation import anchors, skeleton
from provenance.engine import compare
from provenance.rules import SKELETON_MIN
from provenance.testing import make_host
from provenance.text.segment import make_paragraph

SOURCE = """The harbour authority of Port Selwyn said on Tuesday that the new container terminal will open in March \
after a delay of 14 months.

Director Dorvan Malik told reporters that the terminal cost 310 million dollars and will handle 450 ships a year.

Fishermen from Kettering Cove protested outside the building, saying the dredging had driven away the shoals they \
depend on.

Malik promised a fund of 2 million dollars for the fishing families and a review of the dredging by Halvorsen \
Marine."""

TRANSLATION = """Портовое управление Порт-Селуина заявило во вторник, что новый контейнерный терминал откроется в \
марте после задержки в 14 месяцев.

Директор Дорван Малик сообщил журналистам, что терминал обошёлся в 310 миллионов долларов и будет принимать 450 \
судов в год.

Рыбаки из Кеттеринг-Кова протестовали у здания, заявляя, что дноуглубительные работы отогнали косяки рыбы, от \
которых они зависят.

Малик пообещал фонд в 2 миллиона долларов для семей рыбаков и проверку дноуглубительных работ компанией \
Хальворсен Марин."""

UNRELATED = """Городской совет Верхнеречинска утвердил в среду бюджет на следующий год после долгих споров о ремонте \
школ.

Глава совета Ольга Саврасова сказала, что на ремонт дорог пойдёт 86 миллионов рублей, а на парки ещё 9 миллионов.

Жители района Заречье пришли на заседание и потребовали нового автобусного маршрута до больницы.

Саврасова обещала вернуться к вопросу о маршруте весной, когда будут готовы расчёты транспортного отдела."""


@pytest.mark.parametrize(
    ("latin", "other"),
    [("Malik", "Малик"), ("Halvorsen", "Хальворсен"), ("Mandalay", "ماندالاي"), ("Sagaing", "ساجاينج")],
)
def test_a_name_has_one_skeleton_in_two_scripts(latin, other):
    assert len(skeleton(latin)) >= SKELETON_MIN
    assert skeleton(latin) == skeleton(other)


def test_anchors_keep_figures_and_name_skeletons_in_reading_order():
    found, caseless = anchors(make_paragraph(0, "Director Dorvan Malik said 310 ships came from Kettering."))
    assert (
        found.index("~" + skeleton("Dorvan")) < found.index("310") < found.index("~" + skeleton("Kettering"))
    )
    assert not caseless  # Latin capitals mark the names; no word was taken for its script alone


def test_a_translation_into_another_script_is_a_rewrite_saying_so():
    r = compare(SOURCE, TRANSLATION, host=make_host())
    assert r.verdict == "rewrite"
    assert all(p.relation == "rewrite" for p in r.paragraphs)
    assert all("translation (en \u2192 ru)" in p.evidence["message"] for p in r.paragraphs)
    assert r.metadata["derivation"]["derived"] is True


def test_an_unrelated_article_in_another_script_is_not_placed():
    r = compare(SOURCE, UNRELATED, host=make_host())
    assert r.verdict == "independent"
    assert not any(p.relation in ("copy", "rewrite") for p in r.paragraphs)


# Another newsroom's own report of the same harbour story, in Russian: it names the port, the cost, the cove, the
# director and the dredging firm in the source's order, but brings its own people, figures and court case and leaves
# out most of the source's (the delay, the ships, the fund).
SAME_EVENT = """Новый терминал в Порт-Селуине, по словам капитана порта Ирины Вестгаард, примет первые суда весной; \
строительство обошлось в 310 миллионов долларов.

Рыбак Томас Огилви из Кеттеринг-Кова рассказал, что улов сократился на 40 процентов с 2023 года, а директор Малик \
на встречу с рыбаками не пришёл.

Ассоциация рыбаков во главе с Мартой Линдквист подала иск на 5 миллионов долларов против Хальворсен Марин в суд \
округа Бреннан.

Губернатор Эдвард Кроули назначил слушания на 12 июня, а 38 семей уже получили помощь от церкви Святого Ансгара."""


@pytest.mark.parametrize("way", ["source first", "report first"])
def test_a_same_event_report_in_another_language_is_not_a_translation(way):
    source, derived = (SOURCE, SAME_EVENT) if way == "source first" else (SAME_EVENT, SOURCE)
    r = compare(source, derived, host=make_host())
    assert "translation" not in r.metadata["derivation"]["reason"]
    assert r.verdict == "independent"
