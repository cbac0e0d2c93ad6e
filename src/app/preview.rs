//! The side-by-side view: FPGA text on the left, GPU text on the right, aligned by a line diff,
//! highlighted once per revision and laid out only for the rows on screen.

use super::session::{Entry, PreviewBlock, Session};
use eframe::egui;
use egui::text::{ByteIndex, LayoutJob, LayoutSection};
use egui::{Color32, FontId, Rect, Role, ScrollArea, Sense, TextStyle, Ui, WidgetInfo, pos2, vec2};
use egui_extras::syntax_highlighting::{CodeTheme, highlight};
use similar::{DiffTag, TextDiff};

/// One side of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Fpga,
    Gpu,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::Fpga => 0,
            Side::Gpu => 1,
        }
    }

    /// The accessible name of the side's lines (tests find lines by it).
    pub fn name(self) -> &'static str {
        match self {
            Side::Fpga => "FPGA",
            Side::Gpu => "GPU",
        }
    }
}

/// How a row differs between the sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    /// Present on both sides, different.
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

/// The preview of the selected entry, rebuilt only when the revision, the entry or the theme changes.
#[derive(Default)]
pub struct PreviewCache {
    key: Option<(u64, Entry, bool)>,
    preview: Preview,
    /// Vertical offsets of the two sides, kept equal.
    offsets: [f32; 2],
    force: [Option<f32>; 2],
}

impl PreviewCache {
    /// Makes sure the cached preview is that of `entry` at the session's revision.
    pub fn ensure(&mut self, ui: &Ui, session: &mut Session, entry: &Entry) {
        let dark = ui.visuals().dark_mode;
        let key = (session.revision(), entry.clone(), dark);
        if self.key.as_ref() == Some(&key) {
            return;
        }
        if self.key.as_ref().is_none_or(|k| k.1 != *entry) {
            self.force = [Some(0.0), Some(0.0)];
            self.offsets = [0.0, 0.0];
        }
        let blocks = session.preview(entry);
        let theme = CodeTheme::from_style(ui.style());
        let mut highlights = 0;
        self.preview = build(&blocks, |text| {
            highlights += 1;
            split_lines(&highlight(ui.ctx(), ui.style(), &theme, text, "json"))
        });
        session.stats.highlights += highlights;
        self.key = Some(key);
    }

    pub fn preview(&self) -> &Preview {
        &self.preview
    }

    /// Shows both sides, each in its own scroll area, scrolling together vertically.
    pub fn show(&mut self, ui: &mut Ui) {
        let mut moved = None;
        let half = ((ui.available_width() - ui.spacing().item_spacing.x) / 2.0).max(50.0);
        let height = ui.available_height();
        ui.horizontal_top(|ui| {
            for side in [Side::Fpga, Side::Gpu] {
                let i = side.index();
                let builder = egui::UiBuilder::new()
                    .layout(egui::Layout::top_down(egui::Align::Min))
                    .accessibility_label(format!("{} side", side.name()));
                ui.scope_builder(builder, |ui| {
                    ui.set_width(half);
                    ui.set_height(height);
                    let forced = self.force[i].is_some();
                    let y = self.show_side(ui, side);
                    if (y - self.offsets[i]).abs() > 0.5 {
                        self.offsets[i] = y;
                        // A side that only followed the other (and may have clamped) leads nothing.
                        if !forced {
                            moved = Some((i, y));
                        }
                    }
                });
            }
        });
        if let Some((i, y)) = moved {
            let other = 1 - i;
            if (self.offsets[other] - y).abs() > 0.5 {
                self.force[other] = Some(y);
                self.offsets[other] = y;
                ui.ctx().request_repaint();
            }
        }
    }

    fn show_side(&mut self, ui: &mut Ui, side: Side) -> f32 {
        let i = side.index();
        let p = &self.preview;
        let font = TextStyle::Monospace.resolve(ui.style());
        let row_h = ui.ctx().fonts_mut(|f| f.row_height(&font)) + 3.0;
        let char_w = ui.ctx().fonts_mut(|f| f.glyph_width(&font, '0'));
        let gutter = char_w * 6.0 + 8.0;
        let content_w = gutter + char_w * p.widest[i] as f32 + 16.0;
        let mut area = ScrollArea::both().id_salt(("preview", i)).auto_shrink(false);
        if let Some(y) = self.force[i].take() {
            area = area.vertical_scroll_offset(y);
        }
        ui.spacing_mut().item_spacing.y = 0.0;
        let out = area.show_rows(ui, row_h, p.rows.len(), |ui, range| {
            let width = content_w.max(ui.available_width());
            for row in &p.rows[range] {
                let (rect, response) = ui.allocate_exact_size(vec2(width, row_h), Sense::hover());
                let painter = ui.painter_at(rect);
                let visuals = ui.visuals();
                match row {
                    Row::Header { title, changed } => {
                        painter.rect_filled(rect, 0.0, visuals.faint_bg_color);
                        let text = match (side, changed) {
                            (Side::Fpga, _) => format!("{title}  (FPGA, as in the file)"),
                            (Side::Gpu, 0) => format!("{title}  (GPU, unchanged)"),
                            (Side::Gpu, 1) => format!("{title}  (GPU, 1 line changed)"),
                            (Side::Gpu, n) => format!("{title}  (GPU, {n} lines changed)"),
                        };
                        painter.text(
                            pos2(rect.left() + 6.0, rect.center().y),
                            egui::Align2::LEFT_CENTER,
                            &text,
                            FontId::proportional(font.size),
                            visuals.strong_text_color(),
                        );
                        response.widget_info(|| WidgetInfo::labeled(Role::Label, true, &text));
                    }
                    Row::Line { lines, change } => {
                        let marked = match (side, change) {
                            (_, Change::Same) => None,
                            (Side::Fpga, Change::Changed | Change::Removed) => Some('-'),
                            (Side::Gpu, Change::Changed | Change::Added) => Some('+'),
                            _ => None,
                        };
                        if let Some(mark) = marked {
                            let tint = change_color(visuals.dark_mode, side);
                            painter.rect_filled(rect, 0.0, tint);
                            let bar = Rect::from_min_size(rect.min, vec2(3.0, rect.height()));
                            painter.rect_filled(bar, 0.0, change_bar(visuals.dark_mode, side));
                            painter.text(
                                pos2(rect.left() + gutter - 4.0, rect.center().y),
                                egui::Align2::RIGHT_CENTER,
                                mark,
                                font.clone(),
                                visuals.strong_text_color(),
                            );
                        }
                        match lines[i].and_then(|l| p.lines[i].get(l)) {
                            Some(line) => {
                                painter.text(
                                    pos2(rect.left() + gutter - 16.0, rect.center().y),
                                    egui::Align2::RIGHT_CENTER,
                                    line.number.to_string(),
                                    font.clone(),
                                    visuals.weak_text_color(),
                                );
                                let galley = painter.layout_job(line.job.clone());
                                let y = rect.center().y - galley.size().y / 2.0;
                                painter.galley(pos2(rect.left() + gutter, y), galley, visuals.text_color());
                                response.widget_info(|| {
                                    WidgetInfo::labeled(
                                        Role::Label,
                                        true,
                                        format!("{} {}: {}", side.name(), line.number, line.job.text),
                                    )
                                });
                            }
                            None => {
                                painter.rect_filled(rect, 0.0, visuals.faint_bg_color);
                            }
                        }
                    }
                }
            }
        });
        out.state.clamped_offset().y
    }
}

fn change_color(dark: bool, side: Side) -> Color32 {
    match (dark, side) {
        (false, Side::Fpga) => Color32::from_rgb(255, 228, 228),
        (false, Side::Gpu) => Color32::from_rgb(222, 246, 222),
        (true, Side::Fpga) => Color32::from_rgb(72, 32, 34),
        (true, Side::Gpu) => Color32::from_rgb(28, 60, 36),
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

/// Aligns the blocks' lines with a line diff; `highlight` turns a text into one job per line.
fn build(blocks: &[PreviewBlock], mut highlight: impl FnMut(&str) -> Vec<LayoutJob>) -> Preview {
    let mut p = Preview::default();
    for block in blocks {
        let header = p.rows.len();
        p.rows.push(Row::Header { title: block.title.clone(), changed: 0 });
        let base = [p.lines[0].len(), p.lines[1].len()];
        for (i, text) in [&block.fpga, &block.gpu].into_iter().enumerate() {
            for (n, job) in highlight(text).into_iter().enumerate() {
                p.widest[i] = p.widest[i].max(job.text.chars().count());
                p.lines[i].push(Line { number: n + 1, job });
            }
        }
        let diff = TextDiff::from_lines(block.fpga.as_str(), block.gpu.as_str());
        let mut changed = 0;
        for op in diff.ops() {
            let (tag, old, new) = op.as_tag_tuple();
            let (old, new) = (old.start + base[0]..old.end + base[0], new.start + base[1]..new.end + base[1]);
            let push = |p: &mut Preview, a: Option<usize>, b: Option<usize>, change: Change| {
                p.rows.push(Row::Line { lines: [a, b], change });
            };
            match tag {
                DiffTag::Equal => {
                    for (a, b) in old.zip(new) {
                        push(&mut p, Some(a), Some(b), Change::Same);
                    }
                }
                DiffTag::Delete => {
                    for a in old {
                        push(&mut p, Some(a), None, Change::Removed);
                        changed += 1;
                    }
                }
                DiffTag::Insert => {
                    for b in new {
                        push(&mut p, None, Some(b), Change::Added);
                        changed += 1;
                    }
                }
                DiffTag::Replace => {
                    let (mut a, mut b) = (old.clone(), new.clone());
                    loop {
                        let (x, y) = (a.next(), b.next());
                        if x.is_none() && y.is_none() {
                            break;
                        }
                        let change = match (x, y) {
                            (Some(_), Some(_)) => Change::Changed,
                            (Some(_), None) => Change::Removed,
                            _ => Change::Added,
                        };
                        push(&mut p, x, y, change);
                        changed += 1;
                    }
                }
            }
        }
        if let Row::Header { changed: c, .. } = &mut p.rows[header] {
            *c = changed;
        }
        p.changed += changed;
    }
    p
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

    fn plain(text: &str) -> Vec<LayoutJob> {
        split_lines(&LayoutJob::simple(text.to_owned(), FontId::monospace(12.0), Color32::WHITE, f32::INFINITY))
    }

    #[test]
    fn rows_align_changed_lines() {
        let block = PreviewBlock {
            title: "createOptions".into(),
            fpga: "{\n  \"a\": 1,\n  \"b\": 2\n}".into(),
            gpu: "{\n  \"a\": 1,\n  \"c\": 3,\n  \"d\": 4\n}".into(),
        };
        let p = build(&[block], plain);
        assert_eq!(p.lines[0].len(), 4);
        assert_eq!(p.lines[1].len(), 5);
        let changes: Vec<Change> = p
            .rows
            .iter()
            .filter_map(|r| match r {
                Row::Line { change, .. } => Some(*change),
                Row::Header { .. } => None,
            })
            .collect();
        assert_eq!(changes, [Change::Same, Change::Same, Change::Changed, Change::Added, Change::Same], "{:?}", p.rows);
        assert_eq!(p.changed, 2);
    }

    #[test]
    fn split_keeps_sections_inside_lines() {
        let lines = plain("ab\ncd\n");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].text, "cd");
        assert_eq!(lines[1].sections[0].byte_range, ByteIndex(0)..ByteIndex(2));
    }
}
