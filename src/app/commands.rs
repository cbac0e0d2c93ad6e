//! Every command of the app in one catalogue (rerun's `UICommand` is the model): its text, its
//! tooltip and its shortcuts per platform. The menus, the toolbar, the shortcut handling and the
//! help overlay all read it, so a shortcut is never listed where it does not work, nor works
//! where it is not listed.

use eframe::egui;
use egui::os::OperatingSystem;
use egui::{Key, KeyboardShortcut, Modifiers};

/// What the engineer can ask for by menu, button or key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::EnumIter, strum::IntoStaticStr)]
pub enum UiCommand {
    // File
    Open,
    OpenSample,
    ImportDecisions,
    Reload,
    ExportManifest,
    ExportDecisions,
    ExportReport,
    Quit,
    // Edit
    Undo,
    Redo,
    AcceptAllAuto,
    AcceptAutoHere,
    ClearAll,
    CopyPretty,
    CopyEscaped,
    CopyChunked,
    CopyKubernetesYaml,
    // Findings
    NextFinding,
    PreviousFinding,
    AcceptFinding,
    RejectFinding,
    EditFinding,
    NextModule,
    PreviousModule,
    FocusFilter,
    // View
    ToggleModules,
    ToggleFindings,
    SoftWrap,
    DevicePanel,
    KubernetesView,
    // Help
    Help,
}

/// The groups of the help overlay (and the menus they appear in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::EnumIter, strum::IntoStaticStr)]
pub enum Group {
    File,
    Edit,
    Findings,
    View,
    Help,
}

impl UiCommand {
    /// The menu text and the tooltip.
    pub fn text_and_tooltip(self) -> (&'static str, &'static str) {
        use UiCommand::*;
        match self {
            Open => ("Open...", "Open an FPGA deployment manifest (or drop one onto the window)"),
            OpenSample => ("Open the bundled sample", "Open the sample FPGA manifest bundled with fpga2gpu"),
            ImportDecisions => (
                "Import decisions...",
                "Read a decisions file: its device profile and the decisions that match this manifest",
            ),
            Reload => (
                "Reload from disk",
                "Read the manifest again (after another program changed it), keeping the decisions that still match",
            ),
            ExportManifest => ("Export GPU manifest...", "Write the GPU deployment manifest your decisions make"),
            ExportDecisions => (
                "Export decisions file...",
                "Write your decisions and the device profile (fpga2gpu migrate --decisions replays them)",
            ),
            ExportReport => ("Export migration report...", "Write a Markdown report of the findings and decisions"),
            Quit => ("Quit", "Close the window (asks first when decisions are not exported)"),
            Undo => ("Undo decision", "Undo the last decision"),
            Redo => ("Redo decision", "Redo the decision last undone"),
            AcceptAllAuto => ("Accept all safe fixes", "Accept every undecided safe fix in every module"),
            AcceptAutoHere => ("Accept safe fixes here", "Accept every undecided safe fix of the selected module"),
            ClearAll => ("Clear all decisions", "Forget every decision (undo brings them back)"),
            CopyPretty => (
                "Copy GPU createOptions: pretty JSON",
                "Copy the selected module's GPU createOptions (on the Kubernetes tab its shortcut copies the YAML shown)",
            ),
            CopyEscaped => (
                "Copy GPU createOptions: escaped one-line string",
                "What a deployment file's createOptions field holds",
            ),
            CopyChunked => (
                "Copy GPU createOptions: chunked fields",
                "The createOptions, createOptions01, ... fields, 512 characters each",
            ),
            CopyKubernetesYaml => (
                "Copy Kubernetes YAML",
                "Copy the objects the Kubernetes agent would create for the selected module (or every module)",
            ),
            NextFinding => ("Next finding", "Go to the next finding (on to the next module at the end)"),
            PreviousFinding => ("Previous finding", "Go to the previous finding"),
            AcceptFinding => ("Accept the current finding's fix", "Accept the fix of the finding that has the focus"),
            RejectFinding => ("Reject the current finding's fix", "Keep the module as it is for the current finding"),
            EditFinding => ("Edit the current finding's fix...", "Change the suggested JSON before accepting it"),
            NextModule => ("Next module", "Select the next module in the list"),
            PreviousModule => ("Previous module", "Select the previous module in the list"),
            FocusFilter => ("Filter modules", "Type part of a module name to narrow the list"),
            ToggleModules => ("Show the module list", "Show or hide the module list"),
            ToggleFindings => ("Show the findings", "Show or hide the findings panel"),
            SoftWrap => ("Wrap long lines", "Wrap long lines in the side-by-side view instead of scrolling"),
            DevicePanel => (
                "Device...",
                "The device the manifest goes to: target, GPUs, shares, the Kubernetes agent's settings, the VM's IoT Edge version",
            ),
            KubernetesView => (
                "Show the Kubernetes objects",
                "Switch the centre between the createOptions diff and the objects the Kubernetes agent would create",
            ),
            Help => ("Keyboard shortcuts", "List every command and its keys"),
        }
    }

    pub fn text(self) -> &'static str {
        self.text_and_tooltip().0
    }

    pub fn tooltip(self) -> &'static str {
        self.text_and_tooltip().1
    }

    pub fn group(self) -> Group {
        use UiCommand::*;
        match self {
            Open | OpenSample | ImportDecisions | Reload | ExportManifest | ExportDecisions | ExportReport | Quit => {
                Group::File
            }
            Undo | Redo | AcceptAllAuto | AcceptAutoHere | ClearAll | CopyPretty | CopyEscaped | CopyChunked
            | CopyKubernetesYaml => Group::Edit,
            NextFinding | PreviousFinding | AcceptFinding | RejectFinding | EditFinding | NextModule
            | PreviousModule | FocusFilter => Group::Findings,
            ToggleModules | ToggleFindings | SoftWrap | DevicePanel | KubernetesView => Group::View,
            Help => Group::Help,
        }
    }

    /// The keys that run the command on `os`, the one menus show first.
    pub fn shortcuts(self, os: OperatingSystem) -> Vec<KeyboardShortcut> {
        use UiCommand::*;
        let cmd = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
        let cmd_shift = |key| KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, key);
        let plain = |key| KeyboardShortcut::new(Modifiers::NONE, key);
        let shift = |key| KeyboardShortcut::new(Modifiers::SHIFT, key);
        let cmd_alt = |key| KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::ALT, key);
        let alt = |key| KeyboardShortcut::new(Modifiers::ALT, key);
        match self {
            Open => vec![cmd(Key::O)],
            ExportManifest => vec![cmd(Key::S)],
            ExportDecisions => vec![cmd_shift(Key::S)],
            Reload => vec![cmd(Key::R)],
            // Windows closes windows with Alt+F4, which the system handles.
            Quit if os == OperatingSystem::Windows => vec![],
            Quit => vec![cmd(Key::Q)],
            Undo => vec![cmd(Key::Z)],
            Redo if os == OperatingSystem::Windows => vec![cmd(Key::Y), cmd_shift(Key::Z)],
            Redo => vec![cmd_shift(Key::Z), cmd(Key::Y)],
            CopyPretty => vec![cmd(Key::C)],
            NextFinding => vec![plain(Key::J), plain(Key::F8)],
            PreviousFinding => vec![plain(Key::K), shift(Key::F8)],
            AcceptFinding => vec![plain(Key::A)],
            RejectFinding => vec![plain(Key::R)],
            EditFinding => vec![plain(Key::E)],
            NextModule => vec![plain(Key::ArrowDown)],
            PreviousModule => vec![plain(Key::ArrowUp)],
            FocusFilter => vec![cmd(Key::F)],
            ToggleModules => vec![cmd(Key::B)],
            ToggleFindings => vec![cmd_alt(Key::B)],
            SoftWrap => vec![alt(Key::Z)],
            KubernetesView => vec![cmd(Key::K)],
            Help => vec![plain(Key::F1), plain(Key::Questionmark)],
            OpenSample | ImportDecisions | ExportReport | AcceptAllAuto | AcceptAutoHere | ClearAll | CopyEscaped
            | CopyChunked | DevicePanel | CopyKubernetesYaml => vec![],
        }
    }

    /// The shortcut menus and tooltips show.
    pub fn primary_shortcut(self, os: OperatingSystem) -> Option<KeyboardShortcut> {
        self.shortcuts(os).into_iter().next()
    }

    /// Keys a focused text field uses itself (letters, arrows, its own undo and copy): while one is
    /// focused they are the field's, not the command's.
    pub fn types_text(shortcut: &KeyboardShortcut) -> bool {
        let m = shortcut.modifiers;
        let function_key = matches!(shortcut.logical_key, Key::F1 | Key::F8);
        if m.command || m.ctrl || m.mac_cmd {
            // Ctrl+K deletes to the end of the line in egui's text fields.
            matches!(shortcut.logical_key, Key::Z | Key::Y | Key::C | Key::K)
        } else {
            !function_key
        }
    }

    /// The shortcuts pressed this frame, in the order the commands run, each as often as pressed
    /// (two quick presses of Down are two steps). Keys that type text are left to a focused text
    /// field; the most specific shortcut is matched first (Ctrl+Shift+Z before Ctrl+Z).
    pub fn consume(ctx: &egui::Context, typing: bool) -> Vec<UiCommand> {
        use strum::IntoEnumIterator;
        let os = ctx.os();
        let mut all: Vec<(UiCommand, KeyboardShortcut)> = UiCommand::iter()
            .flat_map(|c| c.shortcuts(os).into_iter().map(move |s| (c, s)))
            .filter(|(_, s)| !(typing && Self::types_text(s)))
            .collect();
        all.sort_by_key(|(_, s)| std::cmp::Reverse(modifier_count(s.modifiers)));
        let mut pressed = Vec::new();
        ctx.input_mut(|i| {
            // Each key press, in the order pressed, runs the most specific command it matches.
            i.events.retain(|e| {
                let egui::Event::Key { key, modifiers, pressed: true, .. } = e else { return true };
                let hit = all.iter().find(|(_, s)| s.logical_key == *key && modifiers.matches_logically(s.modifiers));
                match hit {
                    Some((command, _)) => {
                        pressed.push(*command);
                        false
                    }
                    None => true,
                }
            });
        });
        pressed
    }

    /// "Export GPU manifest... (Ctrl+S)"-style tooltip text.
    pub fn tooltip_with_shortcut(self, ctx: &egui::Context) -> String {
        match self.primary_shortcut(ctx.os()) {
            Some(s) => format!("{} ({})", self.tooltip(), ctx.format_shortcut(&s)),
            None => self.tooltip().to_owned(),
        }
    }

    /// The command as a menu item, with its shortcut and tooltip; true when clicked.
    pub fn menu_item(self, ui: &mut egui::Ui, enabled: bool) -> bool {
        let mut button = egui::Button::new(self.text());
        if let Some(s) = self.primary_shortcut(ui.ctx().os()) {
            button = button.shortcut_text(ui.ctx().format_shortcut(&s));
        }
        ui.add_enabled(enabled, button).on_hover_text(self.tooltip()).clicked()
    }

    /// A check-box menu item (panels, wrapping), with its shortcut; true when clicked.
    pub fn toggle_item(self, ui: &mut egui::Ui, on: bool) -> bool {
        let mut button = egui::Button::selectable(on, self.text());
        if let Some(s) = self.primary_shortcut(ui.ctx().os()) {
            button = button.shortcut_text(ui.ctx().format_shortcut(&s));
        }
        ui.add(button).on_hover_text(self.tooltip()).clicked()
    }

    /// Every shortcut of the command, as the platform writes them ("Ctrl+Shift+Z or Ctrl+Y").
    pub fn keys_text(self, ctx: &egui::Context) -> String {
        let keys: Vec<String> = self
            .shortcuts(ctx.os())
            .iter()
            .map(|s| match s.logical_key {
                // egui writes this one out by name.
                Key::Questionmark => "?".to_owned(),
                _ => ctx.format_shortcut(s),
            })
            .collect();
        keys.join(" or ")
    }
}

fn modifier_count(m: Modifiers) -> u8 {
    u8::from(m.alt) + u8::from(m.shift) + u8::from(m.command || m.ctrl || m.mac_cmd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn no_two_commands_share_a_shortcut() {
        for os in [OperatingSystem::Nix, OperatingSystem::Windows, OperatingSystem::Mac] {
            let mut seen = std::collections::HashMap::new();
            for c in UiCommand::iter() {
                for s in c.shortcuts(os) {
                    if let Some(other) =
                        seen.insert((s.modifiers.command, s.modifiers.alt, s.modifiers.shift, s.logical_key), c)
                    {
                        panic!("{c:?} and {other:?} share {s:?} on {os:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn pressed_shortcuts_come_in_order_and_the_most_specific_wins() {
        let ctx = egui::Context::default();
        let key =
            |key, modifiers| egui::Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers };
        let input = egui::RawInput {
            events: vec![
                key(Key::ArrowDown, Modifiers::NONE),
                key(Key::ArrowDown, Modifiers::NONE),
                key(Key::Z, Modifiers::COMMAND | Modifiers::SHIFT),
                key(Key::ArrowUp, Modifiers::NONE),
                key(Key::A, Modifiers::NONE),
            ],
            ..Default::default()
        };
        let run = |input: egui::RawInput, typing: bool| {
            let mut got = Vec::new();
            ctx.run_ui(input, |ui| got = UiCommand::consume(ui.ctx(), typing)).textures_delta.clear();
            got
        };
        let got = run(input.clone(), false);
        assert_eq!(
            got,
            [
                UiCommand::NextModule,
                UiCommand::NextModule,
                UiCommand::Redo,
                UiCommand::PreviousModule,
                UiCommand::AcceptFinding
            ]
        );
        let mut typing = input;
        typing.events.push(key(Key::S, Modifiers::COMMAND));
        typing.events.push(key(Key::F1, Modifiers::NONE));
        assert_eq!(
            run(typing, true),
            [UiCommand::ExportManifest, UiCommand::Help],
            "while typing, letters, arrows and the field's own undo belong to the text field"
        );
    }
}
