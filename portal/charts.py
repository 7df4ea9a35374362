"""Charts for the annual report: SVG drawn on the server by pygal, shown as images (no
JavaScript, nothing fetched from elsewhere) with the same figures in a table beside each for
screen readers and for print. Large type and dark, distinct colours for old eyes."""

import base64
import math
from collections.abc import Sequence
from decimal import Decimal

import pygal
from pygal.style import Style

FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Microsoft YaHei', sans-serif"

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#000000",
    foreground_subtle="#4d4d4d",
    opacity="1",
    opacity_hover="1",
    colors=("#0b5394", "#b45f06", "#38761d", "#741b47", "#134f5c", "#7f6000"),
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    title_font_family=FONT,
    legend_font_family=FONT,
    tooltip_font_family=FONT,
    label_font_size=18,
    major_label_font_size=18,
    value_font_size=18,
    legend_font_size=18,
    title_font_size=22,
)


def _config(chart_class: type, *, height: int) -> pygal.graph.graph.Graph:
    return chart_class(
        style=STYLE,
        width=900,
        height=height,
        js=[],  # no script: the chart is a picture, the table beside it carries the figures
        disable_xml_declaration=False,
        show_legend=True,
        legend_at_bottom=True,
        print_values=True,
        print_values_position="top",
        truncate_label=-1,
        truncate_legend=-1,
        margin=24,
    )


def bar_chart(
    *,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | int]]],
    money: bool = False,
    horizontal: bool = False,
) -> str:
    """A (grouped) bar chart as a data: URI for an <img>."""
    chart = _config(
        pygal.HorizontalBar if horizontal else pygal.Bar,
        height=120 + 60 * max(len(labels), 4) if horizontal else 480,
    )
    chart.x_labels = list(labels)
    formatter = (lambda x: f"{x:,.2f}") if money else (lambda x: f"{x:,.0f}")
    chart.value_formatter = formatter
    if not money:  # counts: whole numbers on the axis, never 0 0 1 1 2
        top = max((int(v) for _title, values in series for v in values), default=0)
        step = max(1, math.ceil(top / 5))
        chart.y_labels = list(range(0, top + step, step))
    for title, values in series:
        chart.add(title, [float(v) for v in values])
    svg = chart.render()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
