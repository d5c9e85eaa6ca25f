//! `commis doctor`.

use super::*;

pub(crate) async fn cmd_doctor() -> Result<ExitCode> {
    let ok = providers::doctor().await;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
