//! The side-by-side view: FPGA text on the left, GPU text on the right.
//!
//! - Aligned by structure: each line of the pretty-printed JSON is known by its place (the keys
//!   above it), and the two sides are diffed on those places with the patience algorithm, so an
//!   added or moved block reads as one change and unrelated closing braces are never paired.
//! - Inside a changed line, the changed words are marked on top of the line's tint.
//! - One vertical scroll for both sides; one horizontal offset for both text columns, while the
//!   line numbers and +/- marks stay put; or soft wrap.
//! - Built (diffed, highlighted) once per revision, entry and theme; only the rows in view are drawn.
//!
//! The Kubernetes view uses it too, on YAML: its two sides are the objects of the original
//! manifest and those after the decisions, or the latter alone ([`PreviewCache::single`]).

use super::session::{Entry, PreviewBlock, Session};
use eframe::egui;
use egui::text::{ByteIndex, LayoutJob, LayoutSection};
use egui::{Color32, FontId, Id, Rect, Role, ScrollArea, Sense, TextStyle, Ui, WidgetInfo, pos2, vec2};
use egui_extras::syntax_highlighting::{CodeTheme, highlight};
use similar::{Algorithm, DiffOp, capture_diff_slices};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;

/// One side of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Side {
    /// The accessible names of a side's lines start with its name (tests find lines by it).
    #[strum(serialize = "FPGA")]
    Fpga,
    #[strum(serialize = "GPU")]
    Gpu,
}

impl Side {
    fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// How a row differs between the sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    /// The same place on both sides, different text.
    Changed,
    /// Only on the FPGA side.
    Removed,
    /// Only on the GPU side.
    Added,
}

#[derive(Debug, Clone)]
enum Row {
    Header { title: String, changed: usize },
    Line { lines: [Option<usize>; 2], change: Change },
}

#[derive(Debug, Clone)]
struct Line {
    /// 1-based, within its block.
    number: usize,
    job: LayoutJob,
    /// Byte ranges of the changed words, in a changed line.
    marks: Vec<Range<usize>>,
}

/// A row as tests and tools read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowView<'a> {
    pub change: Change,
    pub fpga: Option<&'a str>,
    pub gpu: Option<&'a str>,
    /// The changed words of each side, as byte ranges of its text.
    pub marks: [&'a [Range<usize>]; 2],
}

/// The highlighted, aligned lines of one entry at one revision.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    rows: Vec<Row>,
    lines: [Vec<Line>; 2],
    /// The longest line of each side, in characters (for the horizontal scroll width).
    widest: [usize; 2],
    /// Rows that differ.
    pub changed: usize,
}

impl Preview {
    /// The line rows, in order (block headers left out).
    pub fn rows(&self) -> impl Iterator<Item = RowView<'_>> {
        self.rows.iter().filter_map(|r| match r {
            Row::Header { .. } => None,
            Row::Line { lines, change } => {
                let line = |i: usize| lines[i].and_then(|l| self.lines[i].get(l));
                let (a, b) = (line(0), line(1));
                Some(RowView {
                    change: *change,
                    fpga: a.map(|l| l.job.text.as_str()),
                    gpu: b.map(|l| l.job.text.as_str()),
                    marks: [a.map_or(&[][..], |l| &l.marks[..]), b.map_or(&[][..], |l| &l.marks[..])],
                })
            }
        })
    }
}

/// How a view names its sides: the start of each line's accessible name, and the note after each
/// block's title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    pub names: [&'static str; 2],
    pub notes: [&'static str; 2],
}

/// The createOptions view's: FPGA and GPU.
pub const DOCKER_LABELS: Labels = Labels { names: ["FPGA", "GPU"], notes: ["FPGA, as in the file", "GPU"] };

/// What a cached preview was built from: rebuilt when any part changes.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    revision: u64,
    entry: Entry,
    dark: bool,
    single: bool,
}

/// The preview of the selected entry, rebuilt only when the revision, the entry or the theme
/// changes, and how it is scrolled and wrapped.
pub struct PreviewCache {
    key: Option<Key>,
    /// The language the texts are highlighted as (`json`, `yaml`).
    language: &'static str,
    labels: Labels,
    /// The scroll area's id (each view keeps its own scroll position).
    id: &'static str,
    /// Only the right-hand side, full width: the texts are shown, not compared.
    single: bool,
    /// Highlight line by line, keeping the lines of the last build (with the theme they were
    /// highlighted for): a decision then highlights only the lines it changed. For YAML, whose
    /// highlighting is slow and whose lines stand alone (but for block scalars' inner lines).
    by_line: Option<(bool, HashMap<String, LayoutJob>)>,
    preview: Preview,
    /// The horizontal offset of both text columns, in points.
    hscroll: f32,
    /// Wrap long lines instead of scrolling sideways.
    pub wrap: bool,
    /// Row tops (and the total height last) for a wrap width and row height; rebuilt when either
    /// or the preview changes.
    tops: Option<((u32, u32), Vec<f32>)>,
    /// Scroll back to the top (another entry was selected).
    to_top: bool,
}

impl Default for PreviewCache {
    /// The createOptions view: JSON, FPGA beside GPU.
    fn default() -> Self {
        PreviewCache::new(DOCKER_LABELS, "json", "preview rows")
    }
}

/// Widths of the parts of one side, in points.
struct Columns {
    gutter: f32,
    text: f32,
    side: f32,
    row_h: f32,
}

impl PreviewCache {
    pub fn new(labels: Labels, language: &'static str, id: &'static str) -> PreviewCache {
        PreviewCache {
            key: None,
            language,
            labels,
            id,
            single: false,
            by_line: None,
            preview: Preview::default(),
            hscroll: 0.0,
            wrap: false,
            tops: None,
            to_top: false,
        }
    }

    /// Highlights line by line, reusing the lines the last build highlighted.
    pub fn highlighted_by_line(mut self) -> PreviewCache {
        self.by_line = Some((false, HashMap::new()));
        self
    }

    /// Makes sure the cached preview is that of `entry` at the session's revision.
    pub fn ensure(&mut self, ui: &Ui, session: &mut Session, entry: &Entry) {
        let revision = session.revision();
        let highlights = self.ensure_with(ui, revision, entry, false, || session.preview(entry));
        session.stats.highlights += highlights;
    }

    /// Makes sure the cached preview is built from `blocks` of `entry` at `revision` (called only
    /// when it is not), shown side by side or `single`; gives how many texts it highlighted.
    pub fn ensure_with(
        &mut self,
        ui: &Ui,
        revision: u64,
        entry: &Entry,
        single: bool,
        blocks: impl FnOnce() -> Vec<PreviewBlock>,
    ) -> u64 {
        let key = Key { revision, entry: entry.clone(), dark: ui.visuals().dark_mode, single };
        if self.key.as_ref() == Some(&key) {
            return 0;
        }
        if self.key.as_ref().is_none_or(|k| k.entry != *entry) {
            self.to_top = true;
            self.hscroll = 0.0;
        }
        let blocks = blocks();
        let theme = CodeTheme::from_style(ui.style());
        let mut highlights = 0;
        let language = self.language;
        let mut run = |text: &str| {
            highlights += 1;
            split_lines(&highlight(ui.ctx(), ui.style(), &theme, text, language))
        };
        self.preview = match &mut self.by_line {
            None => build(&blocks, single, mark_colors(key.dark), run),
            Some((dark, known)) => {
                let known = if *dark == key.dark { std::mem::take(known) } else { HashMap::new() };
                let mut kept = HashMap::new();
                let preview = build(&blocks, single, mark_colors(key.dark), |text| {
                    text.lines()
                        .map(|line| {
                            let job = match known.get(line).or_else(|| kept.get(line)) {
                                Some(job) => job.clone(),
                                None => run(line).pop().unwrap_or_default(),
                            };
                            kept.insert(line.to_owned(), job.clone());
                            job
                        })
                        .collect()
                });
                self.by_line = Some((key.dark, kept));
                preview
            }
        };
        self.single = single;
        self.tops = None;
        self.key = Some(key);
        highlights
    }

    pub fn preview(&self) -> &Preview {
        &self.preview
    }

    /// How far both text columns are scrolled sideways, in points.
    pub fn hscroll(&self) -> f32 {
        self.hscroll
    }

    fn columns(&self, ui: &Ui, width: f32) -> Columns {
        let font = TextStyle::Monospace.resolve(ui.style());
        let row_h = ui.ctx().fonts_mut(|f| f.row_height(&font)) + 3.0;
        let char_w = ui.ctx().fonts_mut(|f| f.glyph_width(&font, '0'));
        let most = self.preview.lines.iter().flatten().map(|l| l.number).max().unwrap_or(1);
        let digits = most.to_string().len().max(3) as f32;
        let gutter = char_w * (digits + 2.0) + 8.0;
        let side = if self.single { width } else { ((width - SPLIT) / 2.0).max(80.0) };
        Columns { gutter, text: (side - gutter - 4.0).max(40.0), side, row_h }
    }

    /// The tops of every row (and the total height last).
    fn tops(&mut self, ui: &Ui, cols: &Columns) -> &[f32] {
        let wrap_key = (if self.wrap { cols.text.round() as u32 } else { 0 }, cols.row_h.to_bits());
        if self.tops.as_ref().is_none_or(|(k, _)| *k != wrap_key) {
            let mut tops = Vec::with_capacity(self.preview.rows.len() + 1);
            let mut y = 0.0;
            for row in &self.preview.rows {
                tops.push(y);
                y += match row {
                    Row::Line { lines, .. } if self.wrap => {
                        let rows = (0..2)
                            .filter_map(|i| lines[i].map(|l| &self.preview.lines[i][l]))
                            .map(|l| wrapped(ui, &l.job, cols.text).rows.len().max(1))
                            .max()
                            .unwrap_or(1);
                        (rows as f32) * (cols.row_h - 3.0) + 3.0
                    }
                    _ => cols.row_h,
                };
            }
            tops.push(y);
            self.tops = Some((wrap_key, tops));
        }
        &self.tops.as_ref().expect("just built").1
    }

    /// Shows both sides: one vertical scroll, one horizontal offset, fixed gutters.
    pub fn show(&mut self, ui: &mut Ui) {
        let width = ui.available_width();
        let cols = self.columns(ui, width);
        let widest = self.preview.widest.iter().copied().max().unwrap_or(0);
        let char_w = ui.ctx().fonts_mut(|f| f.glyph_width(&TextStyle::Monospace.resolve(ui.style()), '0'));
        let content_w = char_w * widest as f32 + 12.0;
        let overflow = if self.wrap { 0.0 } else { (content_w - cols.text).max(0.0) };
        self.hscroll = self.hscroll.clamp(0.0, overflow);
        let bar_h = if overflow > 0.0 { 12.0 } else { 0.0 };
        let tops = self.tops(ui, &cols).to_vec();
        let total = tops.last().copied().unwrap_or(0.0);
        let mut area = ScrollArea::vertical()
            .id_salt(self.id)
            .auto_shrink(false)
            .max_height((ui.available_height() - bar_h).max(40.0));
        if std::mem::take(&mut self.to_top) {
            area = area.vertical_scroll_offset(0.0);
        }
        let hscroll = self.hscroll;
        let out = area.show_viewport(ui, |ui, viewport| {
            let origin = ui.max_rect().min;
            ui.set_min_size(vec2(ui.available_width(), total));
            let first = tops.partition_point(|t| *t <= viewport.min.y).saturating_sub(1);
            let last = tops.partition_point(|t| *t < viewport.max.y).min(self.preview.rows.len());
            for (i, row) in self.preview.rows.iter().enumerate().take(last).skip(first) {
                let rect = Rect::from_min_max(
                    origin + vec2(0.0, tops[i]),
                    origin + vec2(ui.available_width().max(width - 16.0), tops[i + 1]),
                );
                self.paint_row(ui, i, row, rect, &cols, hscroll);
            }
        });
        // Sideways: a horizontal wheel (or Shift+wheel) over the rows, or the bar below them.
        if overflow > 0.0 {
            if ui.rect_contains_pointer(out.inner_rect) {
                let dx = ui.input(|i| i.smooth_scroll_delta.x);
                if dx != 0.0 {
                    self.hscroll = (self.hscroll - dx).clamp(0.0, overflow);
                    ui.ctx().request_repaint();
                }
            }
            let (bar, response) = ui.allocate_exact_size(vec2(width, bar_h), Sense::drag());
            let track = bar.shrink2(vec2(2.0, 2.0));
            let visible = (cols.text / (cols.text + overflow)).clamp(0.05, 1.0);
            let handle_w = track.width() * visible;
            let room = (track.width() - handle_w).max(1.0);
            if response.dragged() {
                self.hscroll = (self.hscroll + response.drag_delta().x * overflow / room).clamp(0.0, overflow);
            }
            let x = track.left() + room * self.hscroll / overflow;
            let handle = Rect::from_min_size(pos2(x, track.top()), vec2(handle_w, track.height()));
            let v = ui.visuals();
            ui.painter().rect_filled(track, 4.0, v.extreme_bg_color);
            let fill = if response.dragged() || response.hovered() {
                v.widgets.hovered.bg_fill
            } else {
                v.widgets.inactive.bg_fill
            };
            ui.painter().rect_filled(handle, 4.0, fill);
            response.widget_info(|| WidgetInfo::labeled(Role::ScrollBar, true, "Scroll both sides sideways"));
        }
    }

    fn paint_row(&self, ui: &mut Ui, i: usize, row: &Row, rect: Rect, cols: &Columns, hscroll: f32) {
        let p = &self.preview;
        let font = TextStyle::Monospace.resolve(ui.style());
        let visuals = ui.visuals().clone();
        let clip = ui.clip_rect();
        let sides: &[Side] = if self.single { &[Side::Gpu] } else { &[Side::Fpga, Side::Gpu] };
        for &side in sides {
            let s = side.index();
            let left = if self.single { rect.left() } else { rect.left() + s as f32 * (cols.side + SPLIT) };
            let column = Rect::from_min_max(pos2(left, rect.top()), pos2(left + cols.side, rect.bottom()));
            let painter = ui.painter().with_clip_rect(column.intersect(clip));
            let id = Id::unique(("preview row", i, s));
            match row {
                Row::Header { title, changed } => {
                    painter.rect_filled(column, 0.0, visuals.faint_bg_color);
                    let [before, after] = self.labels.notes;
                    let text = match (side, changed) {
                        _ if self.single => title.clone(),
                        (Side::Fpga, _) => format!("{title}  ({before})"),
                        (Side::Gpu, 0) => format!("{title}  ({after}, unchanged)"),
                        (Side::Gpu, 1) => format!("{title}  ({after}, 1 line changed)"),
                        (Side::Gpu, n) => format!("{title}  ({after}, {n} lines changed)"),
                    };
                    painter.text(
                        pos2(column.left() + 6.0, column.center().y),
                        egui::Align2::LEFT_CENTER,
                        &text,
                        FontId::proportional(font.size),
                        visuals.strong_text_color(),
                    );
                    let response = ui.interact(column, id, Sense::hover());
                    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, &text));
                }
                Row::Line { lines, change } => {
                    let marked = match (side, change) {
                        (Side::Fpga, Change::Changed | Change::Removed) => Some('-'),
                        (Side::Gpu, Change::Changed | Change::Added) => Some('+'),
                        _ => None,
                    };
                    let Some(line) = lines[s].and_then(|l| p.lines[s].get(l)) else {
                        painter.rect_filled(column, 0.0, visuals.faint_bg_color);
                        continue;
                    };
                    if let Some(mark) = marked {
                        painter.rect_filled(column, 0.0, change_color(visuals.dark_mode, side));
                        let bar = Rect::from_min_size(column.min, vec2(3.0, column.height()));
                        painter.rect_filled(bar, 0.0, change_bar(visuals.dark_mode, side));
                        painter.text(
                            pos2(column.left() + cols.gutter - 6.0, column.top() + cols.row_h / 2.0),
                            egui::Align2::RIGHT_CENTER,
                            mark,
                            font.clone(),
                            visuals.strong_text_color(),
                        );
                    }
                    painter.text(
                        pos2(column.left() + cols.gutter - 18.0, column.top() + cols.row_h / 2.0),
                        egui::Align2::RIGHT_CENTER,
                        line.number.to_string(),
                        font.clone(),
                        visuals.weak_text_color(),
                    );
                    // The text column scrolls; the gutter (numbers, marks) does not.
                    let text_rect = Rect::from_min_max(pos2(column.left() + cols.gutter, column.top()), column.max);
                    let galley = if self.wrap {
                        wrapped(ui, &line.job, cols.text)
                    } else {
                        ui.painter().layout_job(line.job.clone())
                    };
                    let at = pos2(text_rect.left() - hscroll, column.top() + 1.5);
                    let shown = Rect::from_min_size(at, galley.size());
                    ui.painter().with_clip_rect(text_rect.intersect(clip)).galley(at, galley, visuals.text_color());
                    // Its accessible bounds are where the text is, scrolled (tests read them).
                    let response = ui.interact(shown, id, Sense::hover());
                    response.widget_info(|| {
                        WidgetInfo::labeled(
                            Role::Label,
                            true,
                            format!("{} {}: {}", self.labels.names[s], line.number, line.job.text),
                        )
                    });
                }
            }
        }
    }
}

/// The gap between the two sides.
const SPLIT: f32 = 6.0;

fn wrapped(ui: &Ui, job: &LayoutJob, width: f32) -> std::sync::Arc<egui::Galley> {
    let mut job = job.clone();
    job.wrap.max_width = width;
    job.wrap.break_anywhere = true;
    ui.painter().layout_job(job)
}

fn change_color(dark: bool, side: Side) -> Color32 {
    match (dark, side) {
        (false, Side::Fpga) => Color32::from_rgb(255, 232, 232),
        (false, Side::Gpu) => Color32::from_rgb(226, 247, 226),
        (true, Side::Fpga) => Color32::from_rgb(66, 30, 32),
        (true, Side::Gpu) => Color32::from_rgb(26, 56, 34),
    }
}

/// The stronger tint of the changed words inside a changed line.
fn mark_colors(dark: bool) -> [Color32; 2] {
    if dark {
        [Color32::from_rgb(120, 40, 44), Color32::from_rgb(34, 100, 52)]
    } else {
        [Color32::from_rgb(255, 190, 190), Color32::from_rgb(166, 232, 170)]
    }
}

fn change_bar(dark: bool, side: Side) -> Color32 {
    match (dark, side) {
        (false, Side::Fpga) => Color32::from_rgb(210, 60, 60),
        (false, Side::Gpu) => Color32::from_rgb(40, 150, 60),
        (true, Side::Fpga) => Color32::from_rgb(230, 90, 90),
        (true, Side::Gpu) => Color32::from_rgb(90, 200, 110),
    }
}

/// Aligns each block's two texts by structure and marks the changed words; `highlight` turns a
/// text into one job per line. `single`: only the GPU texts, unaligned.
fn build(
    blocks: &[PreviewBlock],
    single: bool,
    marks: [Color32; 2],
    mut highlight: impl FnMut(&str) -> Vec<LayoutJob>,
) -> Preview {
    let mut p = Preview::default();
    for block in blocks {
        let header = p.rows.len();
        p.rows.push(Row::Header { title: block.title.clone(), changed: 0 });
        if single {
            for (n, job) in highlight(&block.gpu).into_iter().enumerate() {
                p.widest[1] = p.widest[1].max(job.text.chars().count());
                p.rows.push(Row::Line { lines: [None, Some(p.lines[1].len())], change: Change::Same });
                p.lines[1].push(Line { number: n + 1, job, marks: Vec::new() });
            }
            continue;
        }
        let base = [p.lines[0].len(), p.lines[1].len()];
        let texts = [block.fpga.as_str(), block.gpu.as_str()];
        for (i, text) in texts.into_iter().enumerate() {
            for (n, job) in highlight(text).into_iter().enumerate() {
                p.widest[i] = p.widest[i].max(job.text.chars().count());
                p.lines[i].push(Line { number: n + 1, job, marks: Vec::new() });
            }
        }
        let old: Vec<&str> = p.lines[0][base[0]..].iter().map(|l| l.job.text.as_str()).collect();
        let new: Vec<&str> = p.lines[1][base[1]..].iter().map(|l| l.job.text.as_str()).collect();
        let pairs = align(&old, &new);
        let mut changed = 0;
        let mut word_marks = Vec::new();
        for (a, b) in pairs {
            let change = match (a, b) {
                (Some(x), Some(y)) if old[x] == new[y] => Change::Same,
                (Some(x), Some(y)) => {
                    word_marks.push((x, y, words_changed(old[x], new[y])));
                    Change::Changed
                }
                (Some(_), None) => Change::Removed,
                _ => Change::Added,
            };
            if change != Change::Same {
                changed += 1;
            }
            p.rows.push(Row::Line { lines: [a.map(|x| x + base[0]), b.map(|y| y + base[1])], change });
        }
        for (x, y, [m0, m1]) in word_marks {
            for (side, at, m) in [(0, x + base[0], m0), (1, y + base[1], m1)] {
                let line = &mut p.lines[side][at];
                line.job = with_background(&line.job, &m, marks[side]);
                line.marks = m;
            }
        }
        if let Row::Header { changed: c, .. } = &mut p.rows[header] {
            *c = changed;
        }
        p.changed += changed;
    }
    p
}

/// Pairs the lines of two pretty-printed JSON texts by their place in the document: a line is
/// known by the keys above it (and an array's scalar item by its value). Patience diffing on those
/// places keeps blocks whole and closing braces with their own block. Lines at different places
/// are never paired, except scalar items of one array (a changed bind or variable): those are
/// paired in order, so the changed words show.
fn align(old: &[&str], new: &[&str]) -> Vec<(Option<usize>, Option<usize>)> {
    let (a, b) = (places(old), places(new));
    let ids = |p: &[Place]| p.iter().map(|p| p.id).collect::<Vec<u64>>();
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    for op in capture_diff_slices(Algorithm::Patience, &ids(&a), &ids(&b)) {
        let (_, old_range, new_range) = op.as_tag_tuple();
        if let DiffOp::Equal { .. } = op {
            out.extend(old_range.zip(new_range).map(|(x, y)| (Some(x), Some(y))));
            continue;
        }
        let (mut x, mut y) = (old_range.start, new_range.start);
        while x < old_range.end || y < new_range.end {
            let pairable =
                x < old_range.end && y < new_range.end && a[x].item_of.is_some() && a[x].item_of == b[y].item_of;
            if pairable {
                out.push((Some(x), Some(y)));
                (x, y) = (x + 1, y + 1);
            } else if x < old_range.end {
                out.push((Some(x), None));
                x += 1;
            } else {
                out.push((None, Some(y)));
                y += 1;
            }
        }
    }
    out
}

/// A line's place: the path of keys to it and what kind of line it is, hashed.
struct Place {
    id: u64,
    /// For a scalar item of an array: that array.
    item_of: Option<u64>,
}

fn hash_of(parts: impl Hash) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

fn places(lines: &[&str]) -> Vec<Place> {
    // Each open container: its place, whether it is an array, how many items it has had.
    let mut stack: Vec<(u64, bool, usize)> = Vec::new();
    lines
        .iter()
        .map(|line| {
            let t = line.trim().trim_end_matches(',');
            if t == "}" || t == "]" {
                let closed = stack.pop().map_or(0, |(h, _, _)| h);
                return Place { id: hash_of((closed, "close")), item_of: None };
            }
            let (parent, in_array) = stack.last().map_or((0, false), |(h, a, _)| (*h, *a));
            // The key of a `"key": value` line, and the value.
            let key = t.strip_prefix('"').and_then(|rest| {
                let end = key_end(rest)?;
                rest[end + 1..].trim_start().strip_prefix(':').map(|v| (&rest[..end], v.trim_start()))
            });
            let opens = |v: &str| v == "{" || v == "[";
            let (place, value) = match key {
                Some((k, v)) => (Place { id: hash_of((parent, k)), item_of: None }, v),
                None if in_array => {
                    let n = stack.last_mut().map_or(0, |s| {
                        s.2 += 1;
                        s.2
                    });
                    if opens(t) {
                        (Place { id: hash_of((parent, n)), item_of: None }, t)
                    } else {
                        // Known by its value: an item added in front of it does not change it.
                        (Place { id: hash_of((parent, "item", t)), item_of: Some(parent) }, t)
                    }
                }
                None => (Place { id: hash_of((parent, t)), item_of: None }, t),
            };
            if opens(value) {
                stack.push((place.id, value == "[", 0));
            }
            place
        })
        .collect()
}

/// Where a JSON string's closing quote is (the text after the opening one).
fn key_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

/// The byte ranges that differ between two versions of a line, word by word (a word is a run of
/// letters, digits and `_`; every other character is its own token).
fn words_changed(old: &str, new: &str) -> [Vec<Range<usize>>; 2] {
    let (a, b) = (tokens(old), tokens(new));
    let ta: Vec<&str> = a.iter().map(|r| &old[r.clone()]).collect();
    let tb: Vec<&str> = b.iter().map(|r| &new[r.clone()]).collect();
    let mut marks = [Vec::new(), Vec::new()];
    let mut add = |side: usize, ranges: &[Range<usize>], span: Range<usize>| {
        if span.is_empty() {
            return;
        }
        let r = ranges[span.start].start..ranges[span.end - 1].end;
        let list: &mut Vec<Range<usize>> = &mut marks[side];
        match list.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => list.push(r),
        }
    };
    for op in capture_diff_slices(Algorithm::Myers, &ta, &tb) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_index, old_len, .. } => add(0, &a, old_index..old_index + old_len),
            DiffOp::Insert { new_index, new_len, .. } => add(1, &b, new_index..new_index + new_len),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                add(0, &a, old_index..old_index + old_len);
                add(1, &b, new_index..new_index + new_len);
            }
        }
    }
    marks
}

fn tokens(s: &str) -> Vec<Range<usize>> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, c) in s.char_indices() {
        let end = i + c.len_utf8();
        match out.last_mut() {
            Some(last) if word(c) && s[last.clone()].chars().all(word) && last.end == i => last.end = end,
            _ => out.push(i..end),
        }
    }
    out
}

/// The job with a background behind the byte ranges (its sections split at their edges).
fn with_background(job: &LayoutJob, ranges: &[Range<usize>], color: Color32) -> LayoutJob {
    if ranges.is_empty() {
        return job.clone();
    }
    let mut out = LayoutJob { text: job.text.clone(), wrap: job.wrap.clone(), ..LayoutJob::default() };
    for s in &job.sections {
        let (start, end) = (s.byte_range.start.0, s.byte_range.end.0);
        let mut cuts = vec![start, end];
        for r in ranges {
            cuts.extend([r.start, r.end].into_iter().filter(|c| *c > start && *c < end));
        }
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let mut format = s.format.clone();
            if ranges.iter().any(|r| r.start <= w[0] && w[1] <= r.end) {
                format.background = color;
            }
            out.sections.push(LayoutSection {
                leading_space: 0.0,
                byte_range: ByteIndex(w[0])..ByteIndex(w[1]),
                format,
            });
        }
    }
    out
}

/// Splits a highlighted text into one job per line (without the line break).
fn split_lines(job: &LayoutJob) -> Vec<LayoutJob> {
    let text = job.text.as_str();
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        let end = start + line.len();
        let mut lj = LayoutJob { text: line.to_owned(), ..LayoutJob::default() };
        lj.wrap.max_width = f32::INFINITY;
        for s in &job.sections {
            let (a, b) = (s.byte_range.start.0.max(start), s.byte_range.end.0.min(end));
            if a < b {
                lj.sections.push(LayoutSection {
                    leading_space: 0.0,
                    byte_range: ByteIndex(a - start)..ByteIndex(b - start),
                    format: s.format.clone(),
                });
            }
        }
        if lj.sections.is_empty()
            && let Some(s) = job.sections.first()
        {
            lj.sections.push(LayoutSection {
                leading_space: 0.0,
                byte_range: ByteIndex(0)..ByteIndex(line.len()),
                format: s.format.clone(),
            });
        }
        out.push(lj);
        start = end + 1;
    }
    if text.ends_with('\n') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(text: &str) -> Vec<LayoutJob> {
        split_lines(&LayoutJob::simple(text.to_owned(), FontId::monospace(12.0), Color32::WHITE, f32::INFINITY))
    }

    fn preview(fpga: &serde_json::Value, gpu: &serde_json::Value) -> Preview {
        let block = PreviewBlock {
            title: "createOptions".into(),
            fpga: serde_json::to_string_pretty(fpga).unwrap(),
            gpu: serde_json::to_string_pretty(gpu).unwrap(),
        };
        build(&[block], false, [Color32::RED, Color32::GREEN], plain)
    }

    fn changes(p: &Preview) -> Vec<Change> {
        p.rows().map(|r| r.change).collect()
    }

    #[test]
    fn rows_align_changed_lines() {
        let p = preview(&json!({"a": 1, "b": 2}), &json!({"a": 1, "c": 3, "d": 4}));
        assert_eq!(p.lines[0].len(), 4);
        assert_eq!(p.lines[1].len(), 5);
        // `b` and `c` are different places: one removed, two added, never "changed".
        assert_eq!(
            changes(&p),
            [Change::Same, Change::Same, Change::Removed, Change::Added, Change::Added, Change::Same]
        );
        assert_eq!(p.changed, 3);
    }

    #[test]
    fn an_added_block_is_one_change_and_closing_braces_pair_with_their_own() {
        let fpga = json!({"HostConfig": {"Binds": ["/a:/a"], "Privileged": false}});
        let gpu = json!({
            "HostConfig": {"Binds": ["/a:/a"], "Privileged": false},
            "k8s-experimental": {"resources": {"limits": {"memory": "1Gi"}}}
        });
        let p = preview(&fpga, &gpu);
        let rows: Vec<RowView> = p.rows().collect();
        // HostConfig's `}` became `},`: the same place, changed by one comma.
        let close = rows.iter().find(|r| r.fpga == Some("  }")).unwrap();
        assert_eq!(close.gpu, Some("  },"));
        assert_eq!(close.change, Change::Changed);
        let comma = [std::ops::Range { start: 3, end: 4 }];
        assert_eq!(close.marks, [&[][..], &comma[..]], "only the comma is marked");
        // The new block: one run of added lines, nothing paired with FPGA lines.
        let added: Vec<usize> =
            rows.iter().enumerate().filter(|(_, r)| r.change == Change::Added).map(|(i, _)| i).collect();
        assert_eq!(added.len(), 7);
        assert!(added.windows(2).all(|w| w[1] == w[0] + 1), "contiguous: {added:?}");
        assert!(rows.iter().filter(|r| r.change == Change::Removed).count() == 0);
    }

    #[test]
    fn a_changed_value_marks_only_the_changed_words() {
        let p =
            preview(&json!({"Binds": ["/home/hcsshares/models:/models:ro"]}), &json!({"Binds": ["models:/models:ro"]}));
        let row = p.rows().find(|r| r.change == Change::Changed).expect("the bind is one changed line");
        let fpga = row.fpga.unwrap();
        assert_eq!(row.marks[0].iter().map(|r| &fpga[r.clone()]).collect::<Vec<_>>(), ["/home/hcsshares/"]);
        assert!(row.marks[1].is_empty(), "nothing was added to the GPU line");

        let p = preview(&json!({"Source": "models", "Target": "/m"}), &json!({"Source": "models-v2", "Target": "/m"}));
        let row = p.rows().find(|r| r.change == Change::Changed).unwrap();
        let gpu = row.gpu.unwrap();
        assert_eq!(row.marks[1].iter().map(|r| &gpu[r.clone()]).collect::<Vec<_>>(), ["-v2"]);
        assert!(row.marks[0].is_empty(), "nothing was removed from the FPGA line");
    }

    #[test]
    fn a_moved_key_does_not_turn_its_neighbours_into_changes() {
        let fpga = json!({"Env": ["A=1"], "HostConfig": {"Privileged": true}, "Labels": {"x": "y"}});
        let gpu = json!({"HostConfig": {"Privileged": true}, "Labels": {"x": "y"}, "Env": ["A=1"]});
        let p = preview(&fpga, &gpu);
        for r in p.rows().filter(|r| r.change == Change::Changed) {
            let (a, b) = (r.fpga.unwrap(), r.gpu.unwrap());
            assert_eq!(a.trim_end_matches(','), b.trim_end_matches(','), "only a comma differs: {a} / {b}");
        }
        let same = p.rows().filter(|r| r.change == Change::Same).count();
        assert!(same >= 6, "HostConfig and Labels stay paired: {:?}", changes(&p));
        assert_eq!(p.rows().filter(|r| r.change == Change::Removed).count(), 3, "the Env block, whole");
        assert_eq!(p.rows().filter(|r| r.change == Change::Added).count(), 3);
    }

    #[test]
    fn marks_become_backgrounds_inside_the_sections() {
        let job = LayoutJob::simple("abcdef".into(), FontId::monospace(12.0), Color32::WHITE, f32::INFINITY);
        let marked = with_background(&job, &[std::ops::Range { start: 2, end: 4 }], Color32::RED);
        let bg: Vec<(usize, usize, bool)> = marked
            .sections
            .iter()
            .map(|s| (s.byte_range.start.0, s.byte_range.end.0, s.format.background == Color32::RED))
            .collect();
        assert_eq!(bg, [(0, 2, false), (2, 4, true), (4, 6, false)]);
    }

    #[test]
    fn split_keeps_sections_inside_lines() {
        let lines = plain("ab\ncd\n");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].text, "cd");
        assert_eq!(lines[1].sections[0].byte_range, ByteIndex(0)..ByteIndex(2));
    }
}
