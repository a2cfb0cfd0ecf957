"""Never worse than the obvious list: follow whichever way of listing serves this user.

The generative model's list (``diversity.select``) rests on assumptions about
how people edit, and a user can break them: someone who re-runs in batches and
flips between the last few versions of a prompt is served best by those
versions, not by predicted edits; one who keeps coming back to a few
favourite prompts, by those. These lists ("the prompt and the ones before it",
"the prompts run most often lately") are cheap to build, and so is a blend.

Each refresh builds every policy's list; when the next prompt arrives, each list
either held a prompt close enough to it (Jaccard of parts >= the cover
threshold) or not. The engine shows the list of the policy with the most
decayed hits so far, the model's own starting with a head start. With four
policies, full information (every list is scored at every step, whatever was
shown) and a decayed count, the choice settles quickly and follows a user whose
habits change; nothing has to be explored.
"""

from __future__ import annotations

from typing import Any

POLICIES: tuple[str, ...] = ("model", "blend", "recent", "frequent")
DECAY = 0.99       # per scored prompt: a hit 70 prompts ago counts half
HEAD_START = 3.0   # pseudo-hits for the model's list (it also carries the reasons)
MARGIN = 1.0       # another policy must lead by this much to take over


class ListHedge:
    """Decayed hit counts per listing policy, and the choice between them."""

    def __init__(self) -> None:
        self.hits = dict.fromkeys(POLICIES, 0.0)
        self.hits["model"] = HEAD_START

    def choose(self) -> str:
        best = max(POLICIES, key=lambda p: self.hits[p])
        return best if self.hits[best] >= self.hits["model"] + MARGIN else "model"

    def record(self, hit: dict[str, bool]) -> None:
        for policy in POLICIES:
            self.hits[policy] = self.hits[policy] * DECAY + (1.0 if hit.get(policy) else 0.0)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.hits)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> ListHedge:
        hedge = cls()
        for policy in POLICIES:
            if policy in doc:
                hedge.hits[policy] = float(doc[policy])
        return hedge
