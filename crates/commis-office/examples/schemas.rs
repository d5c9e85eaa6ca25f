//! Prints the JSON schemas of the three specs (the tools' input schemas):
//! `cargo run -p commis-office --example schemas`.

fn main() {
    let all = serde_json::json!({
        "create_spreadsheet": commis_office::SpreadsheetSpec::json_schema(),
        "create_presentation": commis_office::DeckSpec::json_schema(),
        "create_document": commis_office::DocumentSpec::json_schema(),
    });
    println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
}
