//! Small-cell protection (domain §9, Swedish statistics practice): for roles without
//! personal-data access, a count of 1 to threshold − 1 people is shown as "<threshold"; where a
//! total a reader also sees would give a hidden cell back by subtraction, the next smallest
//! cell of that line is hidden too (shown as "..", since it may be of any size), until no line
//! has exactly one hidden cell. Zero is shown.

use super::{Cell, Table};

/// Protects `table` in place for `threshold` (≥ 2).
pub fn protect(table: &mut Table, threshold: u32) {
    let below = u64::from(threshold);
    for row in &mut table.rows {
        for cell in &mut row.cells {
            if let Cell::Count(n) = cell
                && *n > 0
                && *n < below
            {
                *cell = Cell::Hidden { below: threshold };
            }
        }
    }
    // Lines whose cells add up to a total the reader sees: the groups of each row, and the
    // summed columns.
    let mut lines: Vec<Vec<(usize, usize)>> = Vec::new();
    for r in 0..table.rows.len() {
        for group in &table.row_sums {
            lines.push(group.iter().map(|c| (r, *c)).collect());
        }
    }
    for c in &table.column_sums {
        lines.push((0..table.rows.len()).map(|r| (r, *c)).collect());
    }
    loop {
        let mut changed = false;
        for line in &lines {
            let hidden = line
                .iter()
                .filter(|(r, c)| {
                    matches!(
                        cell(table, *r, *c),
                        Some(Cell::Hidden { .. } | Cell::Suppressed)
                    )
                })
                .count();
            if hidden != 1 {
                continue;
            }
            let next = line
                .iter()
                .filter_map(|(r, c)| match cell(table, *r, *c) {
                    Some(Cell::Count(n)) if *n > 0 => Some((*n, *r, *c)),
                    _ => None,
                })
                .min();
            if let Some((_, r, c)) = next
                && let Some(x) = table.rows.get_mut(r).and_then(|row| row.cells.get_mut(c))
            {
                *x = Cell::Suppressed;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

fn cell(table: &Table, r: usize, c: usize) -> Option<&Cell> {
    table.rows.get(r).and_then(|row| row.cells.get(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::Row;

    fn table(rows: &[[u64; 3]], column_sums: Vec<usize>) -> Table {
        Table {
            title: String::new(),
            columns: vec![String::new(); 3],
            rows: rows
                .iter()
                .map(|r| Row {
                    label: String::new(),
                    cells: r.iter().map(|n| Cell::Count(*n)).collect(),
                })
                .collect(),
            row_sums: vec![vec![0, 1, 2]],
            column_sums,
        }
    }

    fn shown(t: &Table) -> Vec<Vec<String>> {
        t.rows
            .iter()
            .map(|r| r.cells.iter().map(|c| c.text(false)).collect())
            .collect()
    }

    #[test]
    fn a_small_cell_and_the_one_that_would_give_it_back_are_hidden() {
        // Women 2, men 40, total 42: 2 is hidden, and so is 40 (42 − 40 = 2), as "..": it is
        // not small.
        let mut t = table(&[[2, 40, 42]], Vec::new());
        protect(&mut t, 3);
        assert_eq!(shown(&t), vec![vec!["<3", "..", "42"]]);
        // Women 2, men 3, total 5: "<3" beside "<3" would say the total is at most 4.
        let mut t = table(&[[2, 3, 5]], Vec::new());
        protect(&mut t, 3);
        assert_eq!(shown(&t), vec![vec!["<3", "..", "5"]]);
        // With a zero beside it, the total goes instead (42 − 0 would give it back).
        let mut t = table(&[[2, 0, 2]], Vec::new());
        protect(&mut t, 3);
        assert_eq!(shown(&t), vec![vec!["<3", "0", "<3"]]);
        // Nothing small: nothing hidden.
        let mut t = table(&[[5, 7, 12]], Vec::new());
        protect(&mut t, 3);
        assert_eq!(shown(&t), vec![vec!["5", "7", "12"]]);
    }

    #[test]
    fn a_column_with_a_known_total_hides_a_second_cell() {
        // Three options of a single-choice question: the column total is known elsewhere.
        let mut t = table(&[[1, 10, 11], [20, 30, 50], [25, 5, 30]], vec![0, 1, 2]);
        protect(&mut t, 3);
        let s = shown(&t);
        // Row 0: women 1 hidden → men 10 hidden. Column 0: 1 hidden → next smallest (20).
        // Column 1: 10 hidden → next smallest (5). Row 1 and 2 then have one hidden each…
        for line in [&s[0], &s[1], &s[2]] {
            assert_ne!(
                line.iter()
                    .filter(|c| c.starts_with('<') || *c == "..")
                    .count(),
                1,
                "{s:?}"
            );
        }
        for c in 0..3 {
            let hidden = s
                .iter()
                .filter(|r| r[c].starts_with('<') || r[c] == "..")
                .count();
            assert_ne!(hidden, 1, "column {c}: {s:?}");
        }
    }
}
