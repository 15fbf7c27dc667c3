"""Capture simulation: how a drawn page becomes the image a member uploads.

- ``electronic``: the born-digital page rasterised (light resampling, high-quality JPEG).
- ``scan``: grey or colour flatbed/copier scan with skew, slight optical blur (no shake), noise, contrast changes,
  sometimes upside down.
- ``photo``: a phone photo on a desk or cloth: paper curl, perspective, drop shadow, uneven light and a cast
  shadow, blur, noise, JPEG artefacts, sometimes other slips in the frame, rotations of 90/180/270.

Every geometric step is a point map (curl displacement, 3x3 homographies, quarter turns), so ground-truth boxes
are carried from page pixels to final image pixels exactly.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import cv2
import numpy as np

from claims_datasets.canvas import RenderedPage, box_quad
from claims_datasets.schema import CaptureMode

__all__ = ["Captured", "PointMap", "SlipPlacement", "capture", "lightly_edited"]


@dataclass
class PointMap:
    """Page pixels → image pixels: an optional curl (y += pad + d(x)) followed by a homography."""

    homography: np.ndarray  # 3x3
    curl_amplitude: float = 0.0
    curl_kind: str = "none"
    curl_pad: float = 0.0
    page_width: float = 1.0

    def displacement(self, x: np.ndarray) -> np.ndarray:
        t = np.clip(x / self.page_width, 0, 1)
        if self.curl_kind == "bulge":
            return self.curl_amplitude * np.sin(math.pi * t)
        if self.curl_kind == "edge":
            return self.curl_amplitude * np.clip((t - 0.65) / 0.35, 0, 1) ** 2
        if self.curl_kind == "wave":
            return self.curl_amplitude * np.sin(2 * math.pi * t)
        return np.zeros_like(x)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2).copy()
        pts[:, 1] = pts[:, 1] + self.curl_pad + self.displacement(pts[:, 0])
        homog = np.hstack([pts, np.ones((len(pts), 1))]) @ self.homography.T
        return homog[:, :2] / homog[:, 2:3]


@dataclass(frozen=True)
class SlipPlacement:
    """Another document lying in the same photo: its page, map, and whether each of its lines is visible."""

    page: RenderedPage
    point_map: PointMap
    visible: tuple[bool, ...]


@dataclass
class Captured:
    image: np.ndarray  # final RGB uint8, decoded from ``encoded``
    encoded: bytes  # the file as written (JPEG)
    point_map: PointMap
    rotation: int  # degrees the frame was turned clockwise after the shot (0/90/180/270)
    params: dict = field(default_factory=dict)
    slips: tuple[SlipPlacement, ...] = ()
    offset: tuple[float, float] = (0.0, 0.0)  # subtracted after everything else (crop of a reused image)

    def map_quad(self, box: tuple[float, float, float, float], point_map: PointMap | None = None) -> list[list[float]]:
        pts = (point_map or self.point_map)(np.array(box_quad(box)))
        return [[float(x) - self.offset[0], float(y) - self.offset[1]] for x, y in self._rotate(pts)]

    def _rotate(self, pts: np.ndarray) -> np.ndarray:
        h, w = self.params["frame_height"], self.params["frame_width"]
        x, y = pts[:, 0], pts[:, 1]
        if self.rotation == 90:
            return np.stack([h - 1 - y, x], axis=1)
        if self.rotation == 180:
            return np.stack([w - 1 - x, h - 1 - y], axis=1)
        if self.rotation == 270:
            return np.stack([y, w - 1 - x], axis=1)
        return pts


def _soft(mask: np.ndarray, sigma: float) -> np.ndarray:
    """A wide Gaussian blur done at low resolution (same look, a fraction of the time)."""
    h, w = mask.shape[:2]
    f = max(1, int(sigma // 3))
    small = cv2.resize(mask, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / f)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _noise(nrng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    return nrng.standard_normal(shape, dtype=np.float32) * np.float32(sigma)


def _curl(img: np.ndarray, rng: random.Random) -> tuple[np.ndarray, np.ndarray, PointMap]:
    """Bend the sheet: rows shift by d(x); returns the bent image, its validity mask and the map (no homography)."""
    h, w = img.shape[:2]
    kind = rng.choice(("none", "bulge", "edge", "wave"))
    amp = 0.0 if kind == "none" else rng.uniform(0.008, 0.03) * min(h, w) * rng.choice((-1, 1))
    pad = math.ceil(abs(amp)) + 2
    pm = PointMap(np.eye(3), amp, kind, pad, float(w))
    xs = np.arange(w, dtype=np.float32)
    d = pm.displacement(xs).astype(np.float32)
    map_x = np.tile(xs, (h + 2 * pad, 1))
    map_y = (np.arange(h + 2 * pad, dtype=np.float32)[:, None] - pad - d[None, :]).astype(np.float32)
    bent = cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    mask = cv2.remap(
        np.full((h, w), 255, np.uint8), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    if kind != "none":
        # Light falls differently on the slopes of the bend.
        slope = np.gradient(d)
        shade = 1.0 - np.clip(np.abs(slope) * rng.uniform(1.0, 2.5), 0, 0.12)
        bent = (bent.astype(np.float32) * shade[None, :, None]).clip(0, 255).astype(np.uint8)
    return bent, mask, pm


def _background(h: int, w: int, rng: random.Random, nrng: np.random.Generator) -> tuple[np.ndarray, str]:
    kind = rng.choice(("wood", "dark_cloth", "desk", "quilt", "tiles"))
    if kind == "wood":
        base = np.array([rng.randint(120, 180), rng.randint(80, 120), rng.randint(40, 70)], np.float32)
        grain = cv2.resize(nrng.random((max(2, h // 40), 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
        streak = cv2.resize(nrng.random((h, 6)).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        img = base[None, None, :] * (0.7 + 0.35 * grain[..., None] + 0.15 * streak[..., None])
    elif kind == "dark_cloth":
        v = rng.randint(20, 60)
        base = np.array([v, v + rng.randint(0, 15), v + rng.randint(0, 30)], np.float32)
        img = base[None, None, :] * (0.8 + 0.4 * nrng.random((h, w, 1), dtype=np.float32))
    elif kind == "desk":
        v = rng.randint(150, 215)
        base = np.array([v, v - rng.randint(0, 10), v - rng.randint(0, 25)], np.float32)
        low = cv2.resize(nrng.random((4, 4)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
        img = base[None, None, :] * (0.85 + 0.2 * low[..., None])
    elif kind == "quilt":
        # Muted tablecloth check: one base tone with small per-channel shifts.
        v = rng.randint(110, 200)
        c1 = np.array([v + rng.randint(-25, 25) for _ in range(3)], np.float32)
        c2 = c1 * rng.uniform(0.75, 0.9)
        yy, xx = np.mgrid[0:h, 0:w]
        cell = rng.randint(30, 90)
        checker = (((xx // cell) + (yy // cell)) % 2).astype(np.float32)[..., None]
        img = c1 * checker + c2 * (1 - checker)
    else:
        v = rng.randint(170, 230)
        img = np.full((h, w, 3), v, np.float32)
        cell = rng.randint(120, 220)
        img[::cell, :, :] *= 0.6
        img[:, ::cell, :] *= 0.6
    img = img + _noise(nrng, (h, w, 1), 6)
    return img.clip(0, 255).astype(np.uint8), kind


def _place(
    page_shape: tuple[int, int],
    frame: tuple[int, int],
    rng: random.Random,
    coverage: float,
    centre: tuple[float, float],
    tilt: float,
    perspective: float,
) -> np.ndarray:
    """Homography sending the page rectangle to a rotated, scaled, perspective-jittered quad in the frame."""
    ph, pw = page_shape
    fh, fw = frame
    scale = coverage * min(fw / pw, fh / ph)
    a = math.radians(tilt)
    corners = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]]) * scale
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    dst = corners @ rot.T + np.array(centre)
    jitter = perspective * min(fw, fh)
    # Perspective: the far edge of the sheet shrinks toward its centre (camera not straight above).
    far = rng.choice((0, 1, 2, 3))
    squeeze = np.zeros((4, 2))
    if far in (0, 2):  # top or bottom edge farther away
        idx = (0, 1) if far == 0 else (3, 2)
        squeeze[idx[0]] = [jitter, 0]
        squeeze[idx[1]] = [-jitter, 0]
    else:
        idx = (0, 3) if far == 3 else (1, 2)
        squeeze[idx[0]] = [0, jitter]
        squeeze[idx[1]] = [0, -jitter]
    dst = dst + squeeze @ rot.T + np.array([[rng.uniform(-1, 1) * jitter * 0.3 for _ in range(2)] for _ in range(4)])
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32))


def _composite(
    frame: np.ndarray, page: np.ndarray, mask: np.ndarray, hom: np.ndarray, rng: random.Random, shadow: bool
) -> np.ndarray:
    fh, fw = frame.shape[:2]
    warped = cv2.warpPerspective(page, hom, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    alpha = cv2.warpPerspective(mask, hom, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=0).astype(np.float32) / 255
    out = frame.astype(np.float32)
    if shadow:
        dx, dy = rng.randint(-14, 14), rng.randint(4, 22)
        shade = _soft(np.roll(alpha, (dy, dx), axis=(0, 1)), rng.uniform(6, 16))
        out *= (1 - shade * rng.uniform(0.3, 0.6))[..., None]
    return out * (1 - alpha[..., None]) + warped.astype(np.float32) * alpha[..., None]


def _lighting(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> tuple[np.ndarray, dict]:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * math.pi)
    ramp = xx * math.cos(ang) + yy * math.sin(ang)
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    dark = rng.uniform(0.0, 0.35)
    light = 1.0 - dark * ramp
    params = {"light_falloff": round(dark, 3), "cast_shadow": False}
    if rng.random() < 0.35:
        # A phone or hand shadow: a soft dark blob crossing part of the sheet.
        poly = np.array([[rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h] for _ in range(4)], np.int32)
        blob = np.zeros((h, w), np.float32)
        cv2.fillConvexPoly(blob, cv2.convexHull(poly), 1.0)
        blob = _soft(blob, rng.uniform(20, 60))
        strength = rng.uniform(0.2, 0.42)
        light *= 1 - strength * blob
        params.update(cast_shadow=True, cast_shadow_strength=round(strength, 3))
    tint = np.array([rng.uniform(0.92, 1.05), rng.uniform(0.95, 1.03), rng.uniform(0.85, 1.05)], np.float32)
    out = img * light[..., None] * tint[None, None, :] * rng.uniform(0.9, 1.1)
    if rng.random() < 0.15:
        # Glare from a lamp: a bright soft spot.
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        spot = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (0.08 * w) ** 2)))
        out = out + spot[..., None] * rng.uniform(40, 90)
        params["glare"] = True
    return out, params


def _blur_noise(
    img: np.ndarray, rng: random.Random, nrng: np.random.Generator, strength: float, *, motion: bool = True
) -> tuple[np.ndarray, dict]:
    """Lens or scanner softness, hand shake (``motion``: phones only) and sensor noise."""
    params: dict = {}
    if motion and rng.random() < 0.25 * strength:
        length = rng.randint(3, 7)
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1.0)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        kernel /= max(kernel.sum(), 1e-6)
        img = cv2.filter2D(img, -1, kernel)
        params["motion_blur_px"] = length
    sigma = rng.uniform(0.2, 1.4) * strength
    if sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    params["blur_sigma"] = round(sigma, 2)
    noise = rng.uniform(1.5, 6.0) * strength
    img = img + _noise(nrng, (*img.shape[:2], 1), noise * 0.8) + _noise(nrng, img.shape, noise * 0.6)
    params["noise_sigma"] = round(noise, 2)
    return img, params


def _encode(img: np.ndarray, quality: int) -> tuple[np.ndarray, bytes]:
    rgb = np.clip(img, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    decoded = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return decoded, buf.tobytes()


def _turn(img: np.ndarray, rotation: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(img, codes[rotation]) if rotation else img


def _electronic(page: RenderedPage, rng: random.Random) -> Captured:
    img = np.asarray(page.image, dtype=np.float32)
    h, w = img.shape[:2]
    scale = rng.uniform(0.85, 1.15)
    nh, nw = round(h * scale), round(w * scale)
    img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    quality = rng.randint(85, 95)
    decoded, data = _encode(img, quality)
    pm = PointMap(np.diag([nw / w, nh / h, 1.0]))
    params = {
        "mode": "electronic",
        "scale": round(scale, 3),
        "jpeg_quality": quality,
        "frame_width": nw,
        "frame_height": nh,
    }
    return Captured(decoded, data, pm, 0, params)


def _scan(page: RenderedPage, rng: random.Random, nrng: np.random.Generator) -> Captured:
    src = np.asarray(page.image)
    h, w = src.shape[:2]
    margin = rng.randint(10, 60)
    fw, fh = w + 2 * margin, h + 2 * margin
    skew = rng.uniform(-2.5, 2.5)
    scale = rng.uniform(0.92, 1.0)
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), skew, scale)
    rot[:, 2] += (margin + rng.randint(-8, 8), margin + rng.randint(-8, 8))
    hom = np.vstack([rot, [0, 0, 1]])
    bed = rng.choice((250, 235, 40))
    out = cv2.warpPerspective(src, hom, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=(bed, bed, bed)).astype(
        np.float32
    )
    grey = rng.random() < 0.6
    if grey:
        out = np.repeat(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    gamma = rng.uniform(0.8, 1.3)
    contrast = rng.uniform(0.85, 1.3)
    out = 255 * (out / 255) ** gamma
    out = (out - 128) * contrast + 128 + rng.uniform(-15, 10)
    # Copier toner noise: dark speckles and a faint streak along the feed direction.
    speckle = nrng.random(out.shape[:2]) < rng.uniform(0.0, 0.002)
    out[speckle] = rng.uniform(30, 90)
    if rng.random() < 0.3:
        x = rng.randint(0, fw - 1)
        out[:, x : x + rng.randint(1, 3)] *= rng.uniform(0.7, 0.9)
    # A flatbed's optics soften a little but never shake; office scanners save JPEG at medium to high quality.
    out, noise = _blur_noise(out, rng, nrng, 0.5, motion=False)
    rotation = rng.choices((0, 90, 180, 270), (88, 4, 5, 3))[0]
    quality = rng.randint(65, 92)
    decoded, data = _encode(_turn(out, rotation), quality)
    params = {
        "mode": "scan",
        "grey": grey,
        "skew_degrees": round(skew, 2),
        "gamma": round(gamma, 3),
        "contrast": round(contrast, 3),
        "jpeg_quality": quality,
        "rotation": rotation,
        "frame_width": fw,
        "frame_height": fh,
        **noise,
    }
    return Captured(decoded, data, PointMap(hom), rotation, params)


def _scene_photo(page: RenderedPage, rng: random.Random, nrng: np.random.Generator) -> Captured:
    """A picture of a room or desk fills the frame: a slight turn and the zoom that hides the turned corners."""
    src = np.asarray(page.image)
    ph, pw = src.shape[:2]
    scale = rng.randint(1600, 2000) / max(ph, pw)
    fw, fh = round(pw * scale), round(ph * scale)
    tilt = rng.uniform(-3, 3)
    a = math.radians(abs(tilt))
    zoom = math.cos(a) + math.sin(a) * max(fw / fh, fh / fw)
    turn = np.vstack([cv2.getRotationMatrix2D((fw / 2, fh / 2), tilt, zoom), [0, 0, 1]])
    hom = turn @ np.diag([fw / pw, fh / ph, 1.0])
    out = cv2.warpPerspective(src, hom, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    out, light = _lighting(out.astype(np.float32), rng, nrng)
    out, noise = _blur_noise(out, rng, nrng, 1.0)
    rotation = rng.choices((0, 90, 180, 270), (80, 8, 4, 8))[0]
    quality = rng.randint(50, 90)
    decoded, data = _encode(_turn(out, rotation), quality)
    params = {
        "mode": "photo",
        "scene": True,
        "tilt_degrees": round(tilt, 2),
        "zoom": round(zoom, 3),
        "rotation": rotation,
        "jpeg_quality": quality,
        "other_slips": 0,
        "frame_width": fw,
        "frame_height": fh,
        **light,
        **noise,
    }
    return Captured(decoded, data, PointMap(hom), rotation, params)


def _photo(page: RenderedPage, rng: random.Random, nrng: np.random.Generator, others: list[RenderedPage]) -> Captured:
    if page.scene:
        return _scene_photo(page, rng, nrng)
    src = np.asarray(page.image)
    ph, pw = src.shape[:2]
    landscape = pw > ph
    long_side = rng.randint(1600, 2000)
    fw, fh = (long_side, long_side * 3 // 4) if landscape else (long_side * 3 // 4, long_side)
    frame, background = _background(fh, fw, rng, nrng)
    slips = []
    coverage = rng.uniform(0.62, 0.95) if not others else rng.uniform(0.55, 0.7)
    centre = (fw / 2 + rng.uniform(-0.06, 0.06) * fw, fh / 2 + rng.uniform(-0.06, 0.06) * fh)
    if others:
        centre = (fw * rng.uniform(0.42, 0.58), fh * rng.uniform(0.42, 0.58))
    out = frame.astype(np.float32)
    placements = []
    for i, other in enumerate(others):
        osrc = np.asarray(other.image)
        bent, mask, pm = _curl(osrc, rng)
        ocentre = (fw * rng.choice((0.15, 0.85)), fh * (0.2 + 0.6 * i / max(1, len(others))))
        hom = _place(bent.shape[:2], (fh, fw), rng, rng.uniform(0.45, 0.6), ocentre, rng.uniform(-30, 30), 0.03)
        out = _composite(out.astype(np.uint8), bent, mask, hom, rng, True)
        pm.homography = hom
        placements.append((other, pm))
    bent, mask, pm = _curl(src, rng)
    tilt = rng.uniform(-9, 9)
    perspective = rng.uniform(0.0, 0.07)
    hom = _place(bent.shape[:2], (fh, fw), rng, coverage, centre, tilt, perspective)
    out = _composite(out.astype(np.uint8), bent, mask, hom, rng, True)
    pm.homography = hom
    main_outline = pm(np.array(box_quad((0, 0, pw, ph)))).astype(np.float32)
    for other, opm in placements:
        visible = []
        for rec in other.lines:
            centre_pt = opm(np.array(box_quad(rec["box"]))).mean(axis=0)
            inside_frame = 0 <= centre_pt[0] < fw and 0 <= centre_pt[1] < fh
            hidden = cv2.pointPolygonTest(main_outline, (float(centre_pt[0]), float(centre_pt[1])), True) > -12
            visible.append(bool(inside_frame and not hidden))
        slips.append(SlipPlacement(other, opm, tuple(visible)))
    out, light = _lighting(out, rng, nrng)
    out, noise = _blur_noise(out, rng, nrng, 1.0)
    # Phones downscale and sharpen; a mild unsharp mask brings back halo artefacts.
    if rng.random() < 0.4:
        soft = cv2.GaussianBlur(out, (0, 0), 1.2)
        out = out + (out - soft) * rng.uniform(0.3, 0.8)
    rotation = rng.choices((0, 90, 180, 270), (70, 12, 8, 10))[0]
    quality = rng.randint(35, 85)
    decoded, data = _encode(_turn(out, rotation), quality)
    params = {
        "mode": "photo",
        "background": background,
        "coverage": round(coverage, 3),
        "tilt_degrees": round(tilt, 2),
        "perspective": round(perspective, 3),
        "curl": pm.curl_kind,
        "curl_amplitude_px": round(pm.curl_amplitude, 1),
        "rotation": rotation,
        "jpeg_quality": quality,
        "other_slips": len(others),
        "frame_width": fw,
        "frame_height": fh,
        **light,
        **noise,
    }
    return Captured(decoded, data, pm, rotation, params, tuple(slips))


def capture(
    page: RenderedPage, mode: CaptureMode, rng: random.Random, others: list[RenderedPage] | None = None
) -> Captured:
    """Simulate how ``page`` was captured; ``others`` are extra slips lying in the same photo."""
    nrng = np.random.default_rng(rng.getrandbits(64))
    if mode is CaptureMode.ELECTRONIC:
        return _electronic(page, rng)
    if mode is CaptureMode.SCAN:
        return _scan(page, rng, nrng)
    return _photo(page, rng, nrng, others or [])


def lightly_edited(captured: Captured, rng: random.Random) -> Captured:
    """The same image resubmitted: cropped by a few pixels, brightness changed, re-encoded at another quality."""
    img = captured.image.astype(np.float32)
    h, w = img.shape[:2]
    dx, dy = rng.randint(0, max(1, w // 40)), rng.randint(0, max(1, h // 40))
    img = img[dy : h - rng.randint(0, max(1, h // 40)), dx : w - rng.randint(0, max(1, w // 40))]
    img = img * rng.uniform(0.9, 1.1) + rng.uniform(-10, 10)
    quality = rng.randint(60, 90)
    decoded, data = _encode(img, quality)
    params = {**captured.params, "reused_edit": {"crop_left": dx, "crop_top": dy, "jpeg_quality": quality}}
    return Captured(
        decoded,
        data,
        captured.point_map,
        captured.rotation,
        params,
        captured.slips,
        (captured.offset[0] + dx, captured.offset[1] + dy),
    )
