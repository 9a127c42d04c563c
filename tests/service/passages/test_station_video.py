"""Passages tracked on a synthetic station video match its ground truth."""

from __future__ import annotations

from service.config import RegistrationConfig
from service.passages import PassageEnded, PassageEvent, PassageTracker
from service.registration import Registrar
from tests.service.registration.station import Station

WINDOW = 3  # frames: the synthetic station's alarm.departure_window


def test_passages_match_the_truth(synthetic_station: Station) -> None:
    cfg, truth = synthetic_station.config, synthetic_station.truth
    registrar = Registrar(
        synthetic_station.reference, cfg["roi"], cfg["search"], cfg["crop"], cfg["min_score"]
    )
    # the tracker as a station builds it: the default reach, the lift's departure interval
    reach = RegistrationConfig.model_fields["departure_reach"].default * max(cfg["roi"][2:])
    tracker = PassageTracker(reach=reach, min_interval=cfg["min_departure_interval_s"])
    events: list[PassageEvent] = []
    for k, frame in enumerate(synthetic_station.frames):
        r = registrar.register(frame)
        events += tracker.update(k, k / truth.fps, r.found, r.offset, r.score)
    events += tracker.finish()
    ours = [e for e in events if isinstance(e, PassageEnded)]
    assert len(ours) == len(truth.passages)
    for mine, true in zip(ours, truth.passages, strict=True):
        assert abs(mine.departure_frame - true.departure_frame) <= 2, (mine, true)
        # registered only near its departure point: inside the truth's (half in sight) window,
        # and on either side of the departure for at least the alarm's departure window
        assert true.first_frame - 2 <= mine.first_frame <= mine.last_frame <= true.last_frame + 2
        assert mine.first_frame <= true.departure_frame - WINDOW, mine
        assert mine.last_frame >= true.departure_frame + WINDOW, mine
        assert len(mine.frames) >= 2 * WINDOW + 1
