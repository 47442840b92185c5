"""A small document model rendered both as Markdown and as self-contained HTML (figures inlined)."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
    "text-align:left}th{background:#f3f3f3}img{max-width:100%}.warn{color:#9a4b00}"
)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def cell(value: Any) -> str:
    """A table cell: floats to 3 significant digits, NaN as a dash."""
    if isinstance(value, float):
        if value != value:
            return "–"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return str(value)


@dataclass
class Document:
    """Blocks in order: headings, paragraphs, lists, tables and figures."""

    title: str
    folder: Path
    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append(("h2", text))

    def para(self, text: str) -> None:
        self.blocks.append(("p", text))

    def items(self, items: list[str], warn: bool = False) -> None:
        if items:
            self.blocks.append(("ul-warn" if warn else "ul", items))

    def table(self, header: list[str], rows: list[list[Any]]) -> None:
        self.blocks.append(("table", (header, [[cell(v) for v in row] for row in rows])))

    def figure(self, name: str, figure: Figure, caption: str) -> None:
        path = self.folder / "figures" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=110, bbox_inches="tight")
        self.blocks.append(("img", (path, caption)))

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for kind, body in self.blocks:
            if kind == "h2":
                out += [f"## {body}", ""]
            elif kind == "p":
                out += [body, ""]
            elif kind.startswith("ul"):
                out += [f"- {item}" for item in body] + [""]
            elif kind == "table":
                header, rows = body
                out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                out += ["| " + " | ".join(v.replace("|", "/") for v in row) + " |" for row in rows] + [""]
            elif kind == "img":
                path, caption = body
                out += [f"![{caption}](figures/{path.name})", ""]
        return "\n".join(out)

    def html(self) -> str:
        esc = html.escape
        out = [
            f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(self.title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{esc(self.title)}</h1>"
        ]
        for kind, body in self.blocks:
            if kind == "h2":
                out.append(f"<h2>{esc(body)}</h2>")
            elif kind == "p":
                out.append(f"<p>{esc(body)}</p>")
            elif kind.startswith("ul"):
                css = " class='warn'" if kind == "ul-warn" else ""
                out.append(f"<ul{css}>" + "".join(f"<li>{esc(i)}</li>" for i in body) + "</ul>")
            elif kind == "table":
                header, rows = body
                out.append(
                    "<table><tr>"
                    + "".join(f"<th>{esc(h)}</th>" for h in header)
                    + "</tr>"
                    + "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
                    + "</table>"
                )
            elif kind == "img":
                path, caption = body
                data = base64.b64encode(path.read_bytes()).decode()
                out.append(
                    f"<figure><img src='data:image/png;base64,{data}' alt='{esc(caption)}'>"
                    f"<figcaption>{esc(caption)}</figcaption></figure>"
                )
        return "\n".join([*out, "</body></html>"])

    def write(self, stem: str = "report") -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{stem}.md").write_text(self.markdown(), encoding="utf-8")
        (self.folder / f"{stem}.html").write_text(self.html(), encoding="utf-8")
