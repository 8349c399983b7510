"""A calm cover drawn by the app for every story, as SVG (pure Python, no Qt): the picture follows the story's
theme (night sky, sea, forest, hills, a sleeping city), the details come from a seed made from the story's id (so
a story always gets the same cover), and the title is set on it. The window renders it with QSvgRenderer; the
exports embed it where a story has no painted cover.
"""

from __future__ import annotations

import hashlib
import random
from html import escape

WIDTH, HEIGHT = 600, 800
SCENES = ("night", "sea", "forest", "hills", "city")
THEME_SCENES = {
    "space": "night", "magic": "night", "fairies": "forest", "forest": "forest", "animals": "forest",
    "ocean": "sea", "pirates": "sea", "adventure": "hills", "fantasy": "hills", "knights": "hills",
    "dinosaurs": "hills", "robots": "city",
}
_PALETTES = {
    "night": [("#1d2550", "#3b3f7a", "#f6e7b0"), ("#142a45", "#2f4f79", "#fbe3a1"), ("#2a1f4d", "#574a8c", "#ffe9c2")],
    "sea": [("#173a5e", "#3f7ca6", "#fce6b3"), ("#1e3350", "#4c86a8", "#f8d9a0"), ("#22344f", "#5a8fb0", "#ffeccb")],
    "forest": [("#1c3b36", "#3f6f5a", "#f3e2a8"), ("#233a2c", "#4e7a55", "#fae5b5"), ("#1f3440", "#456f66", "#f6dfb0")],
    "hills": [("#2b3a66", "#6d7fb8", "#fde3b0"), ("#30405e", "#7c8fb5", "#ffe8c0"), ("#3a3560", "#8a7fb8", "#fbe0b6")],
    "city": [("#1b2244", "#39457a", "#ffe7a8"), ("#222a3f", "#4a587e", "#fde0a6"), ("#1f2540", "#465089", "#ffeec4")],
}


def scene_for(theme: str | None, seed: str) -> str:
    if theme in THEME_SCENES:
        return THEME_SCENES[theme]
    return SCENES[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(SCENES)]


def _wrap(title: str, width: int = 18, lines: int = 3) -> list[str]:
    words, out, line = title.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1].rstrip(".,;:") + "…"
    return out


def _stars(rng: random.Random, count: int, top: int, bottom: int, colour: str) -> list[str]:
    out = []
    for _ in range(count):
        x, y, r = rng.uniform(10, WIDTH - 10), rng.uniform(top, bottom), rng.choice((1.2, 1.6, 2.2, 2.8))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" opacity="{rng.uniform(0.5, 1):.2f}"/>')
    return out


def _moon(rng: random.Random, glow: str, sky: str) -> list[str]:
    x, y, r = rng.uniform(120, WIDTH - 120), rng.uniform(110, 190), rng.uniform(38, 55)
    return [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r * 1.9:.1f}" fill="{glow}" opacity="0.12"/>',
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{glow}"/>',
            f'<circle cx="{x + r * 0.45:.1f}" cy="{y - r * 0.2:.1f}" r="{r * 0.9:.1f}" fill="{sky}"/>']


def _ground(scene: str, rng: random.Random, dark: str, mid: str, glow: str) -> list[str]:
    out: list[str] = []
    base = 560
    if scene == "sea":
        for band in range(5):
            y = base + band * 48
            amp, step = rng.uniform(6, 14), rng.uniform(50, 80)
            path = f"M0 {y:.0f}"
            x = 0.0
            while x < WIDTH:
                path += f" q {step / 2:.1f} {-amp:.1f} {step:.1f} 0"
                x += step
            out.append(f'<path d="{path} V{HEIGHT} H0 Z" fill="{mid if band % 2 else dark}" opacity="0.9"/>')
        bx = rng.uniform(120, WIDTH - 180)
        out.append(f'<path d="M{bx:.0f} {base - 6} h120 l-20 28 h-80 Z" fill="{dark}"/>'
                   f'<path d="M{bx + 58:.0f} {base - 6} v-90 l46 80 Z" fill="{glow}" opacity="0.85"/>')
    elif scene == "forest":
        out.append(f'<rect x="0" y="{base}" width="{WIDTH}" height="{HEIGHT - base}" fill="{dark}"/>')
        for layer, colour in ((0, mid), (1, dark)):
            for _ in range(9):
                x, h = rng.uniform(-20, WIDTH + 20), rng.uniform(90, 170) - layer * 30
                w, y = h * 0.45, base + layer * 40
                out.append(f'<path d="M{x:.0f} {y - h:.0f} L{x + w / 2:.0f} {y:.0f} L{x - w / 2:.0f} {y:.0f} Z" '
                           f'fill="{colour}"/>')
        out += [f'<circle cx="{rng.uniform(40, WIDTH - 40):.0f}" cy="{rng.uniform(base - 60, HEIGHT - 40):.0f}" '
                f'r="2.4" fill="{glow}" opacity="0.9"/>' for _ in range(14)]  # fireflies
    elif scene == "city":
        out.append(f'<rect x="0" y="{base + 60}" width="{WIDTH}" height="{HEIGHT - base}" fill="{dark}"/>')
        x = 0.0
        while x < WIDTH:
            w, h = rng.uniform(50, 95), rng.uniform(90, 230)
            out.append(f'<rect x="{x:.0f}" y="{base + 60 - h:.0f}" width="{w:.0f}" height="{h + 200:.0f}" '
                       f'fill="{mid if rng.random() < 0.5 else dark}"/>')
            for _ in range(int(h // 40)):
                out.append(f'<rect x="{x + rng.uniform(8, w - 18):.0f}" y="{base + 60 - rng.uniform(20, h):.0f}" '
                           f'width="9" height="12" fill="{glow}" opacity="0.8"/>')
            x += w + rng.uniform(2, 10)
    else:  # night, hills
        for layer, colour in ((0, mid), (1, dark)):
            y0 = base + layer * 70
            peak = rng.uniform(40, 110)
            out.append(f'<path d="M0 {y0:.0f} C {WIDTH * 0.3:.0f} {y0 - peak:.0f}, {WIDTH * 0.6:.0f} '
                       f'{y0 + peak / 2:.0f}, {WIDTH} {y0 - peak / 3:.0f} V{HEIGHT} H0 Z" fill="{colour}"/>')
        if scene == "hills":
            hx = rng.uniform(80, WIDTH - 120)
            out.append(f'<rect x="{hx:.0f}" y="{base + 20}" width="46" height="36" fill="{dark}"/>'
                       f'<path d="M{hx - 6:.0f} {base + 22} l29 -26 l29 26 Z" fill="{dark}"/>'
                       f'<rect x="{hx + 17:.0f}" y="{base + 34}" width="11" height="12" fill="{glow}"/>')
    return out


def cover_svg(title: str, theme: str | None, seed: str, subtitle: str = "") -> str:
    """The SVG document of a story's cover (600x800, portrait)."""
    rng = random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    scene = scene_for(theme, seed)
    sky, mid, glow = rng.choice(_PALETTES[scene])
    dark = sky
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">',
        "<defs>",
        f'<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{sky}"/>'
        f'<stop offset="1" stop-color="{mid}"/></linearGradient>',
        "</defs>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#sky)"/>',
    ]
    parts += _stars(rng, 60 if scene in ("night", "city") else 30, 10, 520, glow)
    parts += _moon(rng, glow, sky)
    parts += _ground(scene, rng, dark, mid, glow)
    lines = _wrap(title.strip() or "…")
    size = 46 if max((len(line) for line in lines), default=0) <= 14 else 38
    y = 370 - (len(lines) - 1) * size * 0.6
    parts.append(f'<rect x="40" y="{y - size * 1.2:.0f}" width="{WIDTH - 80}" '
                 f'height="{len(lines) * size * 1.2 + size * 0.9 + (30 if subtitle else 0):.0f}" rx="18" '
                 f'fill="#000000" opacity="0.18"/>')
    for index, line in enumerate(lines):
        parts.append(f'<text x="{WIDTH / 2:.0f}" y="{y + index * size * 1.2:.0f}" text-anchor="middle" '
                     f'font-family="DejaVu Serif, Georgia, serif" font-size="{size}" fill="#fff8e8">'
                     f"{escape(line)}</text>")
    if subtitle:
        parts.append(f'<text x="{WIDTH / 2:.0f}" y="{y + len(lines) * size * 1.2 + 6:.0f}" text-anchor="middle" '
                     f'font-family="DejaVu Sans, sans-serif" font-size="22" fill="#fff8e8" opacity="0.85">'
                     f"{escape(subtitle[:60])}</text>")
    parts.append("</svg>")
    return "\n".join(parts)
