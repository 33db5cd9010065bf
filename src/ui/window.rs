//! A window over a long list: the rows read from the store for one stretch of it, the
//! selection in them, and how moving the selection pages through the store.

/// Rows loaded per window of a long list.
pub const WINDOW: usize = 100;

/// A window over a long list: the rows loaded, the selection in them, and how to page on.
pub struct Window<T> {
    pub rows: Vec<T>,
    pub selected: usize,
    /// The `before` cursor and `base` of the windows above this one (for paging back).
    pub anchors: Vec<(Option<u64>, usize)>,
    /// This window's `before` cursor (`None`: from the newest).
    pub this: Option<u64>,
    /// How many rows of the whole list come before this window.
    pub base: usize,
    pub more: bool,
    pub filter: String,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            rows: Vec::new(),
            selected: 0,
            anchors: Vec::new(),
            this: None,
            base: 0,
            more: false,
            filter: String::new(),
        }
    }
}

/// How to carry out a move in a windowed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Select this row of the window.
    Select(usize),
    /// Load the window below `before`, select `selected` in it; it starts `skip` rows into
    /// the current one (so the rows on screen stay where they are).
    Forward {
        before: Option<u64>,
        skip: usize,
        selected: usize,
    },
    /// Load the window above again (the last anchor) and select `selected` in it.
    Back { selected: usize },
    /// Back to the newest rows.
    Top,
}

impl<T> Window<T> {
    /// Plans `action` on this window, of which `vis` are the visible rows; `cursor` gives a
    /// row's `before` value. Near the end of the window the next one is loaded starting at the
    /// rows on screen, so scrolling stays smooth across windows.
    pub fn plan(
        &self,
        vis: &[usize],
        action: crate::ui::action::Action,
        page: usize,
        cursor: impl Fn(&T) -> u64,
    ) -> Plan {
        use crate::ui::action::Action;
        let at = vis.iter().position(|i| *i == self.selected).unwrap_or(0);
        let last = vis.len().saturating_sub(1);
        let filtered = !self.filter.is_empty();
        match action {
            Action::Top if self.this.is_some() => Plan::Top,
            Action::Down | Action::PageDown => {
                let step = if action == Action::Down { 1 } else { page };
                let to = (at + step).min(last);
                if self.more && !filtered && to + page >= vis.len() {
                    let skip = to.saturating_sub(page);
                    if let Some(before) = skip.checked_sub(1).and_then(|i| self.rows.get(i)) {
                        return Plan::Forward {
                            before: Some(cursor(before)),
                            skip,
                            selected: to - skip,
                        };
                    }
                }
                if self.more && at == last {
                    return Plan::Forward {
                        before: self.rows.last().map(&cursor),
                        skip: self.rows.len(),
                        selected: 0,
                    };
                }
                Plan::Select(vis.get(to).copied().unwrap_or(0))
            }
            Action::Up | Action::PageUp if at == 0 && !self.anchors.is_empty() => {
                let prev_base = self.anchors.last().map_or(0, |a| a.1);
                let above = self.base.saturating_sub(1).saturating_sub(prev_base);
                Plan::Back {
                    selected: if filtered { WINDOW - 1 } else { above },
                }
            }
            _ => {
                let to = match action {
                    Action::Up => at.saturating_sub(1),
                    Action::PageUp => at.saturating_sub(page),
                    Action::Top => 0,
                    Action::Bottom => last,
                    _ => at,
                };
                Plan::Select(vis.get(to).copied().unwrap_or(0))
            }
        }
    }

    /// Updates the bookkeeping for `plan` and returns the `before` cursor to load, if any.
    pub fn follow(&mut self, plan: Plan) -> Option<Option<u64>> {
        match plan {
            Plan::Select(i) => {
                self.selected = i;
                None
            }
            Plan::Forward {
                before,
                skip,
                selected,
            } => {
                self.anchors.push((self.this, self.base));
                self.base += skip;
                self.selected = selected;
                Some(before)
            }
            Plan::Back { selected } => {
                let (before, base) = self.anchors.pop().unwrap_or((None, 0));
                self.base = base;
                self.selected = selected;
                Some(before)
            }
            Plan::Top => {
                self.anchors.clear();
                self.base = 0;
                self.selected = 0;
                Some(None)
            }
        }
    }
}
