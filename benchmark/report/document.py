"""A report as a list of blocks, rendered to Markdown and to one self-contained
HTML file (images embedded as data URIs)."""

from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass, field
from pathlib import Path

from tabulate import tabulate


@dataclass
class Doc:
    blocks: list[tuple] = field(default_factory=list)

    def h(self, level: int, text: str) -> None:
        self.blocks.append(("h", level, text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def bullets(self, items: list[str]) -> None:
        self.blocks.append(("ul", list(items)))

    def table(self, headers: list[str], rows: list[list], caption: str | None = None) -> None:
        self.blocks.append(("table", list(headers), [list(r) for r in rows], caption))

    def image(self, path: str | Path | None, caption: str) -> None:
        if path and Path(path).exists():
            self.blocks.append(("img", str(path), caption))

    def code(self, text: str) -> None:
        self.blocks.append(("code", text))


def _cell(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def to_markdown(doc: Doc, base: Path) -> str:
    out = []
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out.append("#" * b[1] + " " + b[2])
        elif kind == "p":
            out.append(b[1])
        elif kind == "ul":
            out.append("\n".join(f"- {x}" for x in b[1]))
        elif kind == "table":
            if b[3]:
                out.append(f"*{b[3]}*")
            out.append(tabulate([[_cell(v) for v in r] for r in b[2]], headers=b[1], tablefmt="github"))
        elif kind == "img":
            rel = os.path.relpath(b[1], base)
            out.append(f"![{b[2]}]({rel})\n\n*{b[2]}*")
        elif kind == "code":
            out.append("```\n" + b[1] + "\n```")
        out.append("")
    return "\n".join(out)


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1200px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.86em}
th,td{border:1px solid #ccc;padding:.25em .55em;text-align:right}
th{background:#f2f2f2} td:first-child,th:first-child{text-align:left}
tr:nth-child(even) td{background:#fafafa}
figure{margin:1em 0} figcaption{color:#555;font-size:.9em}
img{max-width:100%;border:1px solid #eee}
code,pre{background:#f6f6f6;padding:.1em .3em;border-radius:3px}
pre{padding:.6em;overflow-x:auto}
.caption{color:#555;font-style:italic}
"""


def _inline(text: str) -> str:
    """Escape, then render `code` and **bold** spans."""
    import re

    t = html.escape(text)
    t = re.sub(r"`([^`]+)`", r"<code>\1</code>", t)
    t = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", t)
    return t


def to_html(doc: Doc, title: str) -> str:
    out = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{CSS}</style></head><body>"
    ]
    for b in doc.blocks:
        kind = b[0]
        if kind == "h":
            out.append(f"<h{b[1]}>{_inline(b[2])}</h{b[1]}>")
        elif kind == "p":
            out.append(f"<p>{_inline(b[1])}</p>")
        elif kind == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in b[1]) + "</ul>")
        elif kind == "table":
            cap = f"<caption class='caption'>{_inline(b[3])}</caption>" if b[3] else ""
            head = "".join(f"<th>{_inline(str(h))}</th>" for h in b[1])
            body = "".join(
                "<tr>" + "".join(f"<td>{_inline(_cell(v))}</td>" for v in r) + "</tr>" for r in b[2]
            )
            out.append(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif kind == "img":
            data = base64.b64encode(Path(b[1]).read_bytes()).decode()
            out.append(
                f"<figure><img src='data:image/png;base64,{data}' alt='{html.escape(b[2])}'>"
                f"<figcaption>{_inline(b[2])}</figcaption></figure>"
            )
        elif kind == "code":
            out.append(f"<pre>{html.escape(b[1])}</pre>")
    out.append("</body></html>")
    return "\n".join(out)
