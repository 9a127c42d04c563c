"""A pinhole camera: world points (metres, y up) to pixel coordinates.

The station camera films a 640×360 frame; the registered crop is the same camera cropped to the
carrier's region of interest and scaled to the crop size, so a registered image and the frame
it came from always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

Array = np.ndarray


def rotation_x(angle: float) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rotation_y(angle: float) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rotation_z(angle: float) -> Array:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


@dataclass(frozen=True)
class Camera:
    """World-to-camera rotation ``R`` and position ``position``; intrinsics in pixels."""

    R: Array
    position: Array
    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int

    @classmethod
    def looking_at(
        cls,
        target: Array,
        yaw: float,
        pitch: float,
        roll: float,
        distance: float,
        focal: float,
        width: int,
        height: int,
    ) -> Camera:
        """A camera ``distance`` metres from ``target``.

        ``yaw`` turns the camera around the vertical axis from straight in front of the carrier
        (+z, the direction of travel); ``pitch`` raises it (positive: above, looking down).
        """
        direction = np.array(
            [np.sin(yaw) * np.cos(pitch), np.sin(pitch), np.cos(yaw) * np.cos(pitch)]
        )
        position = np.asarray(target, dtype=float) + distance * direction
        forward = -direction
        right = np.cross(forward, np.array([0.0, 1.0, 0.0]))
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        R = np.stack([right, down, forward])  # rows: camera x (right), y (down), z (forward)
        R = rotation_z(roll) @ R
        return cls(R, position, focal, focal, width / 2.0, height / 2.0, width, height)

    def to_camera(self, points: Array) -> Array:
        """World points (N, 3) to camera coordinates (N, 3), z is the depth."""
        return (np.asarray(points, dtype=float) - self.position) @ self.R.T

    def project(self, points: Array) -> tuple[Array, Array]:
        """World points (N, 3) to pixels (N, 2) and depths (N,)."""
        cam = self.to_camera(points)
        z = np.maximum(cam[:, 2], 1e-3)
        uv = np.stack([self.fx * cam[:, 0] / z + self.cx, self.fy * cam[:, 1] / z + self.cy], 1)
        return uv, z

    def crop(self, roi: tuple[float, float, float, float], size: int) -> Camera:
        """The camera that sees the square ``roi`` (x, y, w, h) scaled to ``size`` pixels."""
        x, y, w, h = roi
        sx, sy = size / w, size / h
        return replace(
            self,
            fx=self.fx * sx,
            fy=self.fy * sy,
            cx=(self.cx - x) * sx,
            cy=(self.cy - y) * sy,
            width=size,
            height=size,
        )

    @property
    def view_direction(self) -> Array:
        """Unit vector the camera looks along, in world coordinates."""
        return np.asarray(self.R[2])
