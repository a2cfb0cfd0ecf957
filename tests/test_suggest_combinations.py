"""Combination candidates: one prompt that stands for two likely next prompts."""

from studio.app.suggest.replay import is_hit, metric_parts
from studio.app.suggest.suggester import Suggester
from studio.app.suggest.types import Candidate


def cand(*parts, mass=0.1):
    return Candidate("prompt", ", ".join(parts), "image", "why", parts=tuple(parts),
                     sources={"add": mass})


def test_union_of_two_adds_covers_both_when_the_metric_allows():
    base = ("a fox", "snow", "ink", "dusk")
    one, two = cand(*base, "bokeh"), cand(*base, "35mm")
    combos = Suggester()._combinations([one, two], "image", base, set())
    texts = [c.text for c in combos]
    assert "a fox, snow, ink, dusk, bokeh, 35mm" in texts
    union = next(c for c in combos if len(c.parts) == 6)
    assert all(is_hit(union.text, metric_parts(x.text)) for x in (one, two))
    assert "adds 'bokeh' and '35mm'" in union.reason


def test_no_union_when_it_would_cover_neither():
    base = ("a fox", "ink")
    combos = Suggester()._combinations([cand(*base, "bokeh"), cand(*base, "35mm")],
                                       "image", base, set())
    assert all(len(c.parts) != 4 for c in combos)  # 3/4 < 0.8: useless, not offered


def test_common_core_of_two_drops_on_a_long_prompt():
    base = ("a", "b", "c", "d", "e", "f")
    drop_e, drop_f = cand(*base[:4], "f"), cand(*base[:5])
    combos = Suggester()._combinations([drop_e, drop_f], "image", base, set())
    core = next(c for c in combos if c.parts == base[:4])
    assert "drops 'e' and 'f'" in core.reason
    assert all(is_hit(core.text, metric_parts(x.text)) for x in (drop_e, drop_f))
