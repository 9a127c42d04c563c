"""How much of a carrier's bar the camera sees at its departure frame.

In dense traffic the carrier in front (nearer the camera) can hide the departing one. The bar's
visible share is measured by drawing the frame three times without weather: the carrier alone
(its bar pixels), all the carriers in sight, and all but this one. A bar pixel is visible when
adding the carrier changes it (the carrier is drawn there, in front of whatever else): depth
order is the renderer's own, whichever way the carriers travel.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from models.synthetic.primitives import Label
from models.synthetic.scene import CarrierState
from models.synthetic.video_timeline import Passage, Timeline

Array = np.ndarray


class Drawer(Protocol):
    def draw(self, states: list[CarrierState]) -> tuple[Array, Array]: ...


def bar_visible(drawer: Drawer, timeline: Timeline, passage: Passage) -> float:
    """The share (0..1, 2 decimals) of ``passage``'s bar pixels in sight at its departure frame;
    0.0 when its bar is not in the frame at all."""
    frame = passage.departure
    own = timeline.state(passage, frame)
    if own is None:
        return 0.0
    others = [
        state
        for other in timeline.passages
        if other is not passage and (state := timeline.state(other, frame)) is not None
    ]
    _, alone = drawer.draw([own])
    bar = alone == Label.BAR
    if not bar.any():
        return 0.0
    if not others:
        return 1.0
    full, full_labels = drawer.draw([own, *others])
    rest, rest_labels = drawer.draw(others)
    changed = (full != rest).any(axis=2) | (full_labels != rest_labels)
    return round(float((bar & changed).sum() / bar.sum()), 2)
