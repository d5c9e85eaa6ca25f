//! Deliverable and command tools: spreadsheets, decks and documents built by commis-office,
//! and `run_command` in the OS sandbox with the folder's changes journaled.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use async_trait::async_trait;
use commis_core::{ActionKind, EventKind};
use serde::Deserialize;
use serde_json::{Value, json};

use super::files::write_bytes;
use super::{Tool, ToolError, parse_input};
use crate::context::RunContext;
use crate::messages::Msg;

pub(super) fn tools() -> Vec<Arc<dyn Tool>> {
    vec![
        Arc::new(CreateSpreadsheet),
        Arc::new(AppendToSpreadsheet),
        Arc::new(CreatePresentation),
        Arc::new(CreateDocument),
        Arc::new(RunCommand),
    ]
}

fn with_path(mut schema: Value, extra: Value) -> Value {
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut())
        && let Some(extra) = extra.as_object()
    {
        for (k, v) in extra {
            props.insert(k.clone(), v.clone());
        }
    }
    if let Some(req) = schema.get_mut("required").and_then(|r| r.as_array_mut()) {
        req.push(json!("path"));
    } else if let Some(obj) = schema.as_object_mut() {
        obj.insert("required".into(), json!(["path"]));
    }
    schema
}

fn split_path(input: &mut Value) -> Result<(String, bool), ToolError> {
    let obj = input
        .as_object_mut()
        .ok_or_else(|| ToolError::InvalidInput {
            tool: "create".into(),
            reason: "the input must be a JSON object".into(),
        })?;
    let path = obj
        .remove("path")
        .and_then(|p| p.as_str().map(str::to_string))
        .ok_or_else(|| ToolError::InvalidInput {
            tool: "create".into(),
            reason: "`path` (where to write the file) is required".into(),
        })?;
    let overwrite = obj
        .remove("overwrite")
        .and_then(|o| o.as_bool())
        .unwrap_or(false);
    Ok((path, overwrite))
}

/// Writes a deliverable, first creating its folder when that folder is (inside) the run's
/// announced output folder and does not exist yet: the plan said files would go there, so a
/// model should not need a `make_dir` turn for it. The creation is gated and journaled like
/// any other (the output folder needs no approval; read-only refuses it).
async fn write_deliverable(
    ctx: &RunContext,
    path: &str,
    bytes: &[u8],
    overwrite: bool,
) -> Result<Value, ToolError> {
    ensure_output_folder(ctx, path).await?;
    write_bytes(ctx, path, bytes, overwrite).await
}

async fn ensure_output_folder(ctx: &RunContext, path: &str) -> Result<(), ToolError> {
    let announced = ctx
        .output_dir
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let Some(out) = announced.filter(|d| !d.is_empty()) else {
        return Ok(());
    };
    let clean = path.trim_start_matches("./");
    let Some((parent, _)) = clean.rsplit_once('/') else {
        return Ok(());
    };
    let inside = parent == out || parent.starts_with(&format!("{out}/"));
    if !inside || ctx.workspace.exists(parent)? {
        return Ok(());
    }
    ctx.gate(
        ActionKind::Create,
        Msg::ApproveMakeDir.fill(ctx.lang, &[("path", parent)]),
        vec![parent.to_string()],
    )
    .await?;
    if let Some(op) = ctx.workspace.make_dir(parent)? {
        ctx.emit(EventKind::FileChanged { op });
    }
    Ok(())
}

fn office(e: commis_office::OfficeError) -> ToolError {
    ToolError::Failed(e.to_string())
}

struct CreateSpreadsheet;

#[async_trait]
impl Tool for CreateSpreadsheet {
    fn name(&self) -> &'static str {
        "create_spreadsheet"
    }
    fn description(&self) -> &'static str {
        "Create an .xlsx workbook: sheets with typed columns, rows (a string starting with '=' is a live formula: SUM, SUMIF(S), AVERAGE, IF, VLOOKUP, INDEX/MATCH, cross-sheet references), totals rows, Excel tables, frozen headers, conditional formatting, native charts and a Sources sheet. French or English formats."
    }
    fn input_schema(&self) -> Value {
        with_path(
            commis_office::SpreadsheetSpec::json_schema(),
            json!({"path": {"type": "string", "description": "Where to write the .xlsx, relative to the granted folder"},
                   "overwrite": {"type": "boolean"}}),
        )
    }
    async fn call(&self, ctx: &RunContext, mut input: Value) -> Result<Value, ToolError> {
        let (path, overwrite) = split_path(&mut input)?;
        let spec: commis_office::SpreadsheetSpec = parse_input(self.name(), input)?;
        let bytes = commis_office::build_spreadsheet(&spec).map_err(office)?;
        write_deliverable(ctx, &path, &bytes, overwrite).await
    }
}

struct AppendToSpreadsheet;

#[derive(Deserialize)]
struct AppendInput {
    path: String,
    #[serde(default)]
    sheet: Option<String>,
    #[serde(default)]
    rows: Vec<Vec<commis_office::CellValue>>,
    #[serde(default)]
    new_sheet: Option<commis_office::SheetSpec>,
}

#[async_trait]
impl Tool for AppendToSpreadsheet {
    fn name(&self) -> &'static str {
        "append_to_spreadsheet"
    }
    fn description(&self) -> &'static str {
        "Add rows at the bottom of a sheet of an existing .xlsx (totals rows stay last and their ranges grow), or add a new sheet. The workbook is rewritten: values and formulas are kept (cached results recomputed), but the original's cell styles, charts and tables are not. It is a modification: journaled, undoable, and approved like one."
    }
    fn input_schema(&self) -> Value {
        // Cells and sheets have the shapes create_spreadsheet describes: reuse its
        // definitions so that both APIs (and their strict modes) can check them.
        let defs = commis_office::SpreadsheetSpec::json_schema()
            .get("$defs")
            .cloned()
            .unwrap_or_else(|| json!({}));
        json!({"type": "object", "required": ["path"], "properties": {
            "path": {"type": "string", "description": "The existing .xlsx, relative to the granted folder"},
            "sheet": {"type": "string", "description": "Sheet to append rows to (default: the first)"},
            "rows": {"type": "array", "items": {"type": "array", "items": {"$ref": "#/$defs/CellValue"}},
                     "description": "Rows of cells: numbers, text, booleans, null; text starting with '=' is a formula"},
            "new_sheet": {"allOf": [{"$ref": "#/$defs/SheetSpec"}],
                          "description": "A sheet to add instead (same shape as a create_spreadsheet sheet)"}
        }, "$defs": defs})
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let input: AppendInput = parse_input(self.name(), input)?;
        let existing = ctx.workspace.read(&input.path, 64 * 1024 * 1024)?;
        ctx.emit(EventKind::FileRead {
            path: input.path.clone(),
        });
        // The user's workbook is first read by the guarded reader (a worker process under
        // memory and time limits where commis runs as a binary): a hostile file ends here as
        // a typed error, and the rewrite below parses only bytes that reader accepted.
        let vetted = vet_workbook(&input.path, &existing)?;
        let bytes = match (&input.new_sheet, input.rows.is_empty()) {
            (Some(sheet), _) => commis_office::add_sheet(&existing, sheet).map_err(office)?,
            (None, false) => {
                let sheet = match &input.sheet {
                    Some(s) => s.clone(),
                    None => vetted
                        .metadata
                        .sheet_names
                        .first()
                        .cloned()
                        .ok_or(ToolError::NoSheet)?,
                };
                commis_office::append_rows(&existing, &sheet, &input.rows).map_err(office)?
            }
            (None, true) => {
                return Err(ToolError::InvalidInput {
                    tool: self.name().into(),
                    reason: "give `rows` to append or a `new_sheet` to add".into(),
                });
            }
        };
        write_bytes(ctx, &input.path, &bytes, true).await
    }
}

/// A workbook read by commis-docs' guarded reader (its sheets, within the readers' limits).
fn vet_workbook(path: &str, bytes: &[u8]) -> Result<commis_docs::Document, ToolError> {
    commis_docs::read_guarded(path, bytes, &commis_docs::Limits::default()).map_err(|error| {
        ToolError::Document {
            path: path.to_string(),
            error,
        }
    })
}

struct CreatePresentation;

#[async_trait]
impl Tool for CreatePresentation {
    fn name(&self) -> &'static str {
        "create_presentation"
    }
    fn description(&self) -> &'static str {
        "Create a 16:9 .pptx deck: title, section, bullets (two levels), two columns, table, native chart, image and key-figures slides, each with speaker notes; text is fitted to its box."
    }
    fn input_schema(&self) -> Value {
        with_path(
            commis_office::DeckSpec::json_schema(),
            json!({"path": {"type": "string", "description": "Where to write the .pptx"},
                   "overwrite": {"type": "boolean"}}),
        )
    }
    async fn call(&self, ctx: &RunContext, mut input: Value) -> Result<Value, ToolError> {
        let (path, overwrite) = split_path(&mut input)?;
        let mut spec: commis_office::DeckSpec = parse_input(self.name(), input)?;
        // Pictures come from the granted folder, through the workspace like any read.
        for (image, slot) in spec.images_mut() {
            *slot = Some(ctx.workspace.read(image, 32 * 1024 * 1024)?);
            ctx.emit(EventKind::FileRead {
                path: image.to_string(),
            });
        }
        let bytes = commis_office::build_presentation(&spec).map_err(office)?;
        write_deliverable(ctx, &path, &bytes, overwrite).await
    }
}

struct CreateDocument;

#[async_trait]
impl Tool for CreateDocument {
    fn name(&self) -> &'static str {
        "create_document"
    }
    fn description(&self) -> &'static str {
        "Create a report: .docx (headings, paragraphs, lists, tables, page numbers, table of contents), .md, .html, or .pdf (through LibreOffice when installed). The format follows the path's extension."
    }
    fn input_schema(&self) -> Value {
        with_path(
            commis_office::DocumentSpec::json_schema(),
            json!({"path": {"type": "string", "description": "Where to write it: .docx, .md, .html or .pdf"},
                   "overwrite": {"type": "boolean"}}),
        )
    }
    async fn call(&self, ctx: &RunContext, mut input: Value) -> Result<Value, ToolError> {
        let (path, overwrite) = split_path(&mut input)?;
        let spec: commis_office::DocumentSpec = parse_input(self.name(), input)?;
        let ext = path
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = match ext.as_str() {
            "docx" => commis_office::build_docx(&spec).map_err(office)?,
            "md" | "markdown" => commis_office::build_markdown(&spec).into_bytes(),
            "html" | "htm" => commis_office::build_html(&spec).into_bytes(),
            "pdf" => {
                let docx = commis_office::build_docx(&spec).map_err(office)?;
                tokio::task::spawn_blocking(move || commis_office::docx_to_pdf(&docx))
                    .await
                    .map_err(|e| ToolError::Failed(e.to_string()))?
                    .map_err(office)?
            }
            other => {
                return Err(ToolError::InvalidInput {
                    tool: self.name().into(),
                    reason: format!(
                        "unsupported extension `.{other}`: use .docx, .md, .html or .pdf"
                    ),
                });
            }
        };
        write_deliverable(ctx, &path, &bytes, overwrite).await
    }
}

struct RunCommand;

#[derive(Deserialize)]
struct CommandInput {
    argv: Vec<String>,
    #[serde(default)]
    cwd: Option<String>,
    #[serde(default)]
    timeout_s: Option<u64>,
}

#[async_trait]
impl Tool for RunCommand {
    fn name(&self) -> &'static str {
        "run_command"
    }
    fn description(&self) -> &'static str {
        "Run a program in an OS sandbox: only the granted folders are visible and writable, the system is read-only, there is no network, /tmp is private. Needs the user's approval unless allow-listed. Files it changes are journaled so undo covers them."
    }
    fn input_schema(&self) -> Value {
        json!({"type": "object", "required": ["argv"], "properties": {
            "argv": {"type": "array", "items": {"type": "string"}, "description": "Program and arguments, e.g. [\"soffice\", \"--headless\", \"--convert-to\", \"pdf\", \"a.docx\"]"},
            "cwd": {"type": "string", "description": "Working folder, relative to the granted folder"},
            "timeout_s": {"type": "integer", "description": "Time limit in seconds (default 120, at most 1800)"}
        }})
    }
    async fn call(&self, ctx: &RunContext, input: Value) -> Result<Value, ToolError> {
        let input: CommandInput = parse_input(self.name(), input)?;
        if input.argv.is_empty() || input.argv[0].trim().is_empty() {
            return Err(ToolError::InvalidInput {
                tool: self.name().into(),
                reason: "argv must name a program".into(),
            });
        }
        let roots = ctx.workspace.roots();
        let Some(first) = roots
            .iter()
            .find(|r| r.mode == commis_core::AccessMode::ReadWrite)
        else {
            return Err(ToolError::NoWritableFolder);
        };
        let cwd_rel = input.cwd.clone().unwrap_or_default();
        if !cwd_rel.is_empty() && !ctx.workspace.metadata(&cwd_rel)?.is_dir {
            return Err(ToolError::Workspace(
                commis_workspace::WorkspaceError::NotADirectory { path: cwd_rel },
            ));
        }
        let command = input.argv.join(" ");
        let shown = if cwd_rel.is_empty() {
            Msg::ApproveRun.fill(ctx.lang, &[("command", &command)])
        } else {
            Msg::ApproveRunIn.fill(ctx.lang, &[("command", &command), ("dir", &cwd_rel)])
        };
        if ctx
            .exec_allowlist
            .as_ref()
            .is_some_and(|a| a.matches(&input.argv))
        {
            ctx.emit(EventKind::ApprovalGiven {
                id: 0,
                scope: commis_core::ApprovalScope::Once,
                by: "exec allowlist".into(),
            });
        } else {
            ctx.gate(ActionKind::Exec, shown, vec![cwd_rel.clone()])
                .await?;
        }
        let mut req =
            commis_sandbox::CommandRequest::new(input.argv.clone(), first.path.join(&cwd_rel));
        req.writable = roots
            .iter()
            .filter(|r| r.mode == commis_core::AccessMode::ReadWrite)
            .map(|r| r.path.clone())
            .collect();
        req.readable = roots
            .iter()
            .filter(|r| r.mode == commis_core::AccessMode::ReadOnly)
            .map(|r| r.path.clone())
            .collect();
        req.timeout = Duration::from_secs(input.timeout_s.unwrap_or(120).clamp(1, 1800));
        let before = ctx.workspace.snapshot()?;
        let cancel: commis_sandbox::CancelFlag = Arc::new(AtomicBool::new(false));
        let watcher = {
            let cancel = cancel.clone();
            let stop = ctx.stop_flag();
            tokio::spawn(async move {
                loop {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        cancel.store(true, std::sync::atomic::Ordering::SeqCst);
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        };
        let bus = ctx.bus.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut on_output = |stream: commis_sandbox::Stream, bytes: &[u8]| {
                let text = String::from_utf8_lossy(bytes).to_string();
                for line in text.lines().filter(|l| !l.trim().is_empty()).take(20) {
                    bus.emit(EventKind::Message {
                        text: format!(
                            "{} {line}",
                            if stream == commis_sandbox::Stream::Stderr {
                                "stderr:"
                            } else {
                                "│"
                            }
                        ),
                    });
                }
            };
            commis_sandbox::run(&req, &cancel, &mut on_output)
        })
        .await
        .map_err(|e| ToolError::Failed(e.to_string()));
        watcher.abort();
        // Journal whatever the command changed, even when it failed half-way.
        let changes = ctx
            .workspace
            .journal_changes_since(&before, &format!("run {}", input.argv.join(" ")))?;
        for op in &changes {
            ctx.emit(EventKind::FileChanged { op: op.clone() });
        }
        let output = result?.map_err(|e| ToolError::Failed(e.to_string()))?;
        if output.cancelled {
            return Err(ToolError::Stopped);
        }
        Ok(json!({
            "exit_code": output.exit_code,
            "signal": output.signal,
            "timed_out": output.timed_out,
            "truncated": output.truncated,
            "stdout": String::from_utf8_lossy(&output.stdout),
            "stderr": String::from_utf8_lossy(&output.stderr),
            "changed": changes.len(),
        }))
    }
}
