//! `insats report KIND`: a follow-up report as a table on the terminal, CSV that Swedish Excel
//! opens right, an Excel workbook (a sheet per table) or JSON — to stdout, so it streams over
//! SSH exec too (`ssh … report results --year 2025 --format xlsx > r.xlsx`).

use super::CliError;
use super::admin::io;
use crate::domain::follow_up::AGE_GROUPS;
use crate::domain::ids::{AssociationId, InterventionId};
use crate::domain::person::Gender;
use crate::service::reports::{Cell, Report, ReportFilter, ReportKind, Table};
use crate::service::{Lang, Session};
use clap::{Args, ValueEnum};
use std::io::Write;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    /// Deltagarrapport: participations registered out in the period, before against after
    Results,
    /// Who the participations registered in in the period were
    Background,
    /// Insatsrapport: per intervention and budget year, participants against plan
    Interventions,
    /// Kostnadsrapport: budget and outcome per intervention and budget year
    Costs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GenderArg {
    Women,
    Men,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    pub kind: Kind,
    /// A budget year (the default: this year)
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub year: Option<i32>,
    /// The first month, YYYY-MM
    #[arg(long, requires = "to", value_name = "YYYY-MM")]
    pub from: Option<String>,
    /// The last month, YYYY-MM
    #[arg(long, requires = "from", value_name = "YYYY-MM")]
    pub to: Option<String>,
    /// Only this association (F1)
    #[arg(long)]
    pub association: Option<String>,
    /// Only these interventions (I1; repeat or separate with commas)
    #[arg(long, value_delimiter = ',')]
    pub intervention: Vec<String>,
    #[arg(long, value_enum)]
    pub gender: Option<GenderArg>,
    /// Age groups: under-20, 20-24, 25-29, 30-39, 40-49, 50-59, 60 (repeat or commas)
    #[arg(long, value_delimiter = ',')]
    pub age: Vec<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

fn usage(l: Lang, en: &str, sv: &str) -> CliError {
    CliError::Usage(if l == Lang::Sv { sv } else { en }.to_owned())
}

/// A month written `YYYY-MM`, as a month index.
fn month(text: &str, l: Lang) -> Result<i32, CliError> {
    let bad = || {
        usage(
            l,
            "a month is written YYYY-MM, e.g. 2026-03",
            "en månad skrivs ÅÅÅÅ-MM, t.ex. 2026-03",
        )
    };
    crate::domain::follow_up::parse_month(text).ok_or_else(bad)
}

fn age_group(text: &str, l: Lang) -> Result<u8, CliError> {
    let t = text.trim();
    let lower = match t {
        "under-20" | "0-19" => 0,
        "60" | "60-" | "60+" => 60,
        _ => t
            .split_once('-')
            .and_then(|(a, _)| a.parse::<u8>().ok())
            .unwrap_or(u8::MAX),
    };
    AGE_GROUPS
        .iter()
        .position(|g| *g == lower)
        .and_then(|g| u8::try_from(g).ok())
        .ok_or_else(|| {
            usage(
                l,
                "age groups: under-20, 20-24, 25-29, 30-39, 40-49, 50-59, 60",
                "åldersgrupper: under-20, 20-24, 25-29, 30-39, 40-49, 50-59, 60",
            )
        })
}

impl ReportArgs {
    fn filter(&self, today_year: i32, l: Lang) -> Result<ReportFilter, CliError> {
        let (from, to) = match (&self.from, &self.to, self.year) {
            (Some(f), Some(t), _) => (month(f, l)?, month(t, l)?),
            (_, _, Some(y)) => {
                let f = ReportFilter::year(y);
                (f.from, f.to)
            }
            _ => {
                let f = ReportFilter::year(today_year);
                (f.from, f.to)
            }
        };
        let association = match &self.association {
            None => None,
            Some(a) => Some(
                AssociationId::parse(a)
                    .filter(|_| a.trim().starts_with('F'))
                    .ok_or_else(|| {
                        usage(
                            l,
                            "name the association as F1, F2, …",
                            "ange förbundet som F1, F2, …",
                        )
                    })?,
            ),
        };
        let interventions = self
            .intervention
            .iter()
            .map(|i| {
                InterventionId::parse(i)
                    .filter(|_| i.trim().starts_with('I'))
                    .ok_or_else(|| {
                        usage(
                            l,
                            "name interventions as I1, I2, …",
                            "ange insatser som I1, I2, …",
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let age_groups = self
            .age
            .iter()
            .map(|a| age_group(a, l))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReportFilter {
            from,
            to,
            association,
            interventions,
            gender: self.gender.map(|g| match g {
                GenderArg::Women => Gender::Woman,
                GenderArg::Men => Gender::Man,
            }),
            age_groups,
        })
    }
}

/// Runs the report and writes it to `out` in the asked format.
pub(super) fn report_in(
    s: &Session,
    a: &ReportArgs,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let today_year = chrono::Datelike::year(&s.service().clock().today());
    let filter = a.filter(today_year, l)?;
    let kind = match a.kind {
        Kind::Results => ReportKind::Results,
        Kind::Background => ReportKind::Background,
        Kind::Interventions => ReportKind::Interventions,
        Kind::Costs => ReportKind::Costs,
    };
    let sv = l == Lang::Sv;
    let report = s.report(kind, &filter, sv)?;
    match a.format {
        Format::Table => out.write_all(text(&report, sv).as_bytes()).map_err(io),
        Format::Csv => out.write_all(&csv(&report, sv)?).map_err(io),
        Format::Xlsx => out.write_all(&xlsx(&report, sv)?).map_err(io),
        Format::Json => {
            let json = serde_json::to_vec_pretty(&report)
                .map_err(|e| CliError::Io(format!("cannot write the report as JSON: {e}")))?;
            out.write_all(&json).map_err(io)?;
            out.write_all(b"\n").map_err(io)
        }
    }
}

/// What the report says under its title: the filters and whether small cells are hidden.
fn head_lines(r: &Report, sv: bool) -> Vec<String> {
    let mut lines = vec![r.title.clone(), r.filters.clone()];
    if let Some(below) = r.protected_below {
        lines.push(if sv {
            format!(
                "Tal från 1 till {} visas som \"<{below}\"; \"..\" är ett tal som döljs för att ett litet tal inte ska kunna räknas fram ur en summa.",
                below - 1
            )
        } else {
            format!(
                "Counts from 1 to {} are shown as \"<{below}\"; \"..\" is a count hidden so that a small one cannot be worked out from a total.",
                below - 1
            )
        });
    }
    lines
}

/// The report as aligned text tables.
pub fn text(r: &Report, sv: bool) -> String {
    text_of(&head_lines(r, sv), &r.tables, &r.notes, sv)
}

/// Lines, then aligned text tables, then notes (a report, or the log review's record).
pub fn text_of(head: &[String], tables: &[Table], notes: &[String], sv: bool) -> String {
    let mut out = String::new();
    for line in head {
        out.push_str(line);
        out.push('\n');
    }
    for t in tables {
        out.push('\n');
        out.push_str(&t.title);
        out.push('\n');
        let mut grid = vec![
            std::iter::once(String::new())
                .chain(t.columns.iter().cloned())
                .collect::<Vec<_>>(),
        ];
        for row in &t.rows {
            grid.push(
                std::iter::once(row.label.clone())
                    .chain(row.cells.iter().map(|c| c.text(sv)))
                    .collect(),
            );
        }
        let widths: Vec<usize> = (0..grid[0].len())
            .map(|c| {
                grid.iter()
                    .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &grid {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let w = widths.get(c).copied().unwrap_or(0);
                let pad = w.saturating_sub(cell.chars().count());
                if c == 0 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    for note in notes {
        out.push('\n');
        out.push_str(note);
        out.push('\n');
    }
    out
}

/// CSV as Swedish Excel opens it: UTF-8 with a byte-order mark, `;` between fields, a decimal
/// comma in Swedish. The head, then each table — its title on a line, its header row, its rows —
/// separated by an empty line; then the notes.
pub fn csv(r: &Report, sv: bool) -> Result<Vec<u8>, CliError> {
    csv_of(&head_lines(r, sv), &r.tables, &r.notes, sv)
}

/// [`csv`] of lines, tables and notes.
pub fn csv_of(
    head: &[String],
    tables: &[Table],
    notes: &[String],
    sv: bool,
) -> Result<Vec<u8>, CliError> {
    let fail = |e: csv::Error| CliError::Io(format!("cannot write the report as CSV: {e}"));
    // Each section through its own writer, joined by an empty line (a record of one empty
    // field would be written as `""`).
    let section = |records: Vec<Vec<String>>| -> Result<Vec<u8>, CliError> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(Vec::new());
        for rec in records {
            w.write_record(&rec).map_err(fail)?;
        }
        w.into_inner()
            .map_err(|e| CliError::Io(format!("cannot write the report as CSV: {e}")))
    };
    let mut sections = vec![section(head.iter().map(|l| vec![l.clone()]).collect())?];
    for t in tables {
        let mut records = vec![vec![t.title.clone()]];
        records.push(
            std::iter::once(if sv { "Rad" } else { "Row" }.to_owned())
                .chain(t.columns.iter().cloned())
                .collect(),
        );
        for row in &t.rows {
            records.push(
                std::iter::once(row.label.clone())
                    .chain(row.cells.iter().map(|c| c.text(sv)))
                    .collect(),
            );
        }
        sections.push(section(records)?);
    }
    if !notes.is_empty() {
        sections.push(section(notes.iter().map(|n| vec![n.clone()]).collect())?);
    }
    let mut buf = vec![0xEF, 0xBB, 0xBF];
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            buf.extend_from_slice(b"\r\n");
        }
        buf.extend_from_slice(s);
    }
    Ok(buf)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(28)
        .collect();
    let clean = clean.trim().to_owned();
    let mut name = if clean.is_empty() {
        "Tabell".to_owned()
    } else {
        clean
    };
    let base = name.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    name
}

/// An Excel workbook: a first sheet with the head and the notes, then a sheet per table, with
/// numbers as numbers.
pub fn xlsx(r: &Report, sv: bool) -> Result<Vec<u8>, CliError> {
    xlsx_of(&r.title, &head_lines(r, sv), &r.tables, &r.notes, sv)
}

/// [`xlsx`] of a title (the first sheet's name), lines, tables and notes.
pub fn xlsx_of(
    title: &str,
    head: &[String],
    tables: &[Table],
    notes: &[String],
    sv: bool,
) -> Result<Vec<u8>, CliError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let fail =
        |e: rust_xlsxwriter::XlsxError| CliError::Io(format!("cannot write the workbook: {e}"));
    let mut book = Workbook::new();
    let bold = XFormat::new().set_bold();
    let mut taken = Vec::new();
    {
        let name = sheet_name(title, &taken);
        taken.push(name.clone());
        let sheet = book.add_worksheet().set_name(&name).map_err(fail)?;
        let mut at = 0u32;
        for (i, line) in head.iter().enumerate() {
            if i == 0 {
                sheet.write_with_format(at, 0, line, &bold).map_err(fail)?;
            } else {
                sheet.write(at, 0, line).map_err(fail)?;
            }
            at += 1;
        }
        for note in notes {
            at += 1;
            sheet.write(at, 0, note).map_err(fail)?;
        }
    }
    for t in tables {
        let name = sheet_name(&t.title, &taken);
        taken.push(name.clone());
        let sheet = book.add_worksheet().set_name(&name).map_err(fail)?;
        sheet
            .write_with_format(0, 0, &t.title, &bold)
            .map_err(fail)?;
        for (c, head) in t.columns.iter().enumerate() {
            let c = u16::try_from(c + 1).unwrap_or(u16::MAX);
            sheet.write_with_format(1, c, head, &bold).map_err(fail)?;
        }
        for (r_i, row) in t.rows.iter().enumerate() {
            let at = u32::try_from(r_i + 2).unwrap_or(u32::MAX);
            sheet.write(at, 0, &row.label).map_err(fail)?;
            for (c, cell) in row.cells.iter().enumerate() {
                let c = u16::try_from(c + 1).unwrap_or(u16::MAX);
                #[allow(clippy::cast_precision_loss)]
                match cell {
                    Cell::Count(n) | Cell::Kronor(Some(n)) => {
                        sheet.write(at, c, *n as f64).map_err(fail)?;
                    }
                    Cell::Days(Some(n)) => {
                        sheet.write(at, c, f64::from(*n)).map_err(fail)?;
                    }
                    Cell::Percent(Some(p)) => {
                        sheet
                            .write(at, c, (p * 10.0).round() / 10.0)
                            .map_err(fail)?;
                    }
                    other => {
                        sheet.write(at, c, other.text(sv)).map_err(fail)?;
                    }
                }
            }
        }
        sheet.set_column_width(0, 40).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}
