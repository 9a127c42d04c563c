"""Labelled images and masks for training and evaluation, from a directory or a preset.

``--data`` takes either

* a data-set directory written by ``liftwatch synth dataset`` (its manifest gives the lifts, the
  variant and the leave-lifts-out split), or
* a preset generated in memory, ``synthetic:small`` or ``synthetic:large`` with optional
  ``:key=value,...`` (``models.train.presets``), e.g. ``synthetic:small:test_scale=0.05,lifts=4``.

Splits are loaded (or generated) on first use and kept, so evaluating the test split never
generates the training images.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from models.synthetic.dataset import ArraySplit, DatasetSpec, generate_split
from models.synthetic.scene import World, render_masks
from models.synthetic.splits import SPLITS, leave_lifts_out
from models.synthetic.store import DatasetError, load_masks, load_split, read_manifest
from models.train.presets import PRESET, DataSpecError, parse_preset

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
SplitLoader = Callable[[str, tuple[int, ...], Progress | None], ArraySplit]
Masks = dict[int, tuple[np.ndarray, np.ndarray]]


def select(split: ArraySplit, keep: np.ndarray) -> ArraySplit:
    """The rows of ``split`` where ``keep`` (bool or indices)."""
    return ArraySplit(
        split.images[keep], split.labels[keep], split.lifts[keep], split.bar_angles[keep]
    )


@dataclass
class LiftData:
    """Per split images/labels/lifts (loaded on first use) and per lift its (open, closed) masks.

    ``seen``/``unseen``: the leave-lifts-out split (train on seen, test unseen with masks only);
    ``unseen`` is empty where the data holds 5 lifts or fewer. ``restrict`` gives a view on fewer
    lifts that shares the loaded splits both ways: whatever one view loads, the others reuse.
    """

    source: str
    variant: str
    lifts: tuple[int, ...]
    masks: Masks
    seen: tuple[int, ...]
    unseen: tuple[int, ...]
    loader: SplitLoader
    _store: dict[tuple[str, tuple[int, ...]], ArraySplit] = field(default_factory=dict, repr=False)

    def split(self, name: str, progress: Progress | None = None) -> ArraySplit:
        """Images of split ``name`` of this data's lifts (loaded once, shared between views)."""
        if name not in SPLITS:
            raise DataSpecError(f"split must be one of {', '.join(SPLITS)}, got {name!r}")
        if (name, self.lifts) in self._store:
            return self._store[name, self.lifts]
        for (split, lifts), loaded in list(self._store.items()):
            if split == name and set(self.lifts) <= set(lifts):
                part = select(loaded, np.isin(loaded.lifts, self.lifts))
                self._store[name, self.lifts] = part
                return part
        log.info("loading %s split of lifts %s from %s", name, self.lifts, self.source)
        self._store[name, self.lifts] = self.loader(name, self.lifts, progress)
        return self._store[name, self.lifts]

    def restrict(self, lifts: tuple[int, ...] | list[int]) -> LiftData:
        """The same data limited to ``lifts`` (which must all be present)."""
        wanted = tuple(sorted(set(lifts)))
        missing = sorted(set(wanted) - set(self.lifts))
        if missing or not wanted:
            raise DataSpecError(
                f"lifts {missing or '(none)'} are not in {self.source} "
                f"(it has lifts {_ranges(self.lifts)})"
            )
        if wanted == self.lifts:
            return self
        keep = set(wanted)
        return replace(
            self,
            lifts=wanted,
            masks={k: v for k, v in self.masks.items() if k in keep},
            seen=tuple(k for k in self.seen if k in keep),
            unseen=tuple(k for k in self.unseen if k in keep),
            _store=self._store,
        )


def _ranges(lifts: tuple[int, ...]) -> str:
    if lifts and lifts == tuple(range(lifts[0], lifts[-1] + 1)):
        return f"{lifts[0]}..{lifts[-1]}"
    return ", ".join(map(str, lifts))


def _held_out(lifts: list[int], seed: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The leave-lifts-out split ``write_dataset`` puts in its manifest."""
    if len(lifts) <= 5:
        return tuple(lifts), ()
    seen, unseen = leave_lifts_out(lifts, seed)
    return tuple(seen), tuple(unseen)


def from_spec(spec: DatasetSpec, workers: int = 1, source: str | None = None) -> LiftData:
    """A preset: images generated in memory from ``spec`` when first asked for."""

    def load(split: str, lifts: tuple[int, ...], progress: Progress | None) -> ArraySplit:
        total = sum(sum(spec.sizes(k)[split]) for k in lifts)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            if progress is not None:
                progress(done[0], total)

        return generate_split(spec, split, lifts, workers=workers, progress=step)

    world = World(spec.world_seed)
    masks = {k: render_masks(world.lift(k), spec.crop) for k in spec.lifts}
    seen, unseen = _held_out(list(spec.lifts), spec.seed)
    name = source or f"{PRESET}:{spec.variant}"
    return LiftData(name, spec.variant, tuple(spec.lifts), masks, seen, unseen, load)


def from_directory(root: Path) -> LiftData:
    """A data set written by ``liftwatch synth dataset``."""
    if not root.is_dir():
        raise DataSpecError(f"data set directory {root} does not exist")
    try:
        manifest = read_manifest(root)
        spec = manifest["spec"]
        assert isinstance(spec, Mapping)
        lifts = tuple(int(k) for k in spec["lifts"])
        masks = {k: load_masks(root, k) for k in lifts}
        held = manifest.get("leave_lifts_out") or {}
        assert isinstance(held, Mapping)
        seen = tuple(int(k) for k in held.get("seen", lifts))
        unseen = tuple(int(k) for k in held.get("unseen", ()))
        variant = str(spec.get("variant", "small"))
    except DatasetError as exc:
        raise DataSpecError(str(exc)) from exc
    except (AssertionError, KeyError, TypeError, ValueError) as exc:
        raise DataSpecError(f"{root}/manifest.json is malformed: {exc!r}") from exc

    def load(split: str, wanted: tuple[int, ...], progress: Progress | None) -> ArraySplit:
        try:
            out = load_split(root, split, list(wanted))
        except DatasetError as exc:
            raise DataSpecError(str(exc)) from exc
        if progress is not None:
            progress(len(out), len(out))
        return out

    return LiftData(str(root.resolve()), variant, lifts, masks, seen, unseen, load)


def load_data(text: str, workers: int = 1) -> LiftData:
    """``--data``: a directory or a ``synthetic:...`` preset (see the module doc)."""
    if text == PRESET or text.startswith(PRESET + ":"):
        return from_spec(parse_preset(text), workers, source=text)
    if not text.strip():
        raise DataSpecError("--data is empty: give a data set directory or synthetic:small")
    return from_directory(Path(text))
