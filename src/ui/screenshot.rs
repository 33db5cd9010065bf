//! A drawn buffer as plain text (for diffs and screen readers) and as SVG (for the README).

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write as _;

/// The buffer's text, one line per row, trailing spaces trimmed.
#[must_use]
pub fn to_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            // A wide character covers the next cell.
            skip = unicode_width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn unicode_width(s: &str) -> usize {
    // Box drawing, Latin and the symbols we draw are one cell; CJK and emoji are not used.
    usize::from(!s.is_empty())
}

fn rgb(c: Color, fg: bool) -> Option<&'static str> {
    Some(match c {
        Color::Reset => return None,
        Color::Black => "#1e1e1e",
        Color::Red => "#cd3131",
        Color::Green => "#0dbc79",
        Color::Yellow => "#e5e510",
        Color::Blue => "#2472c8",
        Color::Magenta => "#bc3fbc",
        Color::Cyan => "#11a8cd",
        Color::Gray => "#e5e5e5",
        Color::DarkGray => "#666666",
        Color::White => "#ffffff",
        _ => {
            if fg {
                "#d4d4d4"
            } else {
                return None;
            }
        }
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The buffer as an SVG image: a dark terminal, monospace text, cell backgrounds.
#[must_use]
pub fn to_svg(buf: &Buffer) -> String {
    const CW: u32 = 9;
    const CH: u32 = 18;
    let area = buf.area;
    let (w, h) = (u32::from(area.width) * CW, u32::from(area.height) * CH);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="15">"#
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#1e1e1e"/>"##
    );
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let bg = if reversed {
                rgb(cell.fg, false).or(Some("#d4d4d4"))
            } else {
                rgb(cell.bg, false)
            };
            if let Some(bg) = bg {
                let _ = writeln!(
                    out,
                    r#"<rect x="{}" y="{}" width="{CW}" height="{CH}" fill="{bg}"/>"#,
                    u32::from(x - area.left()) * CW,
                    u32::from(y - area.top()) * CH
                );
            }
        }
        // Text runs of the same style, one <text> each.
        let mut x = area.left();
        while x < area.right() {
            let cell = &buf[(x, y)];
            let key = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            let mut text = String::new();
            while x < area.right() {
                let c = &buf[(x, y)];
                if (c.fg, c.bg, c.modifier) != key {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            if text.trim().is_empty() {
                continue;
            }
            let reversed = key.2.contains(Modifier::REVERSED);
            let fg = if reversed {
                rgb(key.1, true).unwrap_or("#1e1e1e")
            } else {
                rgb(key.0, true).unwrap_or("#d4d4d4")
            };
            let weight = if key.2.contains(Modifier::BOLD) {
                r#" font-weight="bold""#
            } else {
                ""
            };
            let _ = writeln!(
                out,
                r#"<text x="{}" y="{}" fill="{fg}"{weight} xml:space="preserve">{}</text>"#,
                u32::from(start - area.left()) * CW,
                u32::from(y - area.top()) * CH + 14,
                escape(&text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
