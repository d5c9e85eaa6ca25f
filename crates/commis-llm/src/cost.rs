//! Token budgeting and cost estimates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::types::{ChatRequest, ContentBlock, Usage};

/// What a model costs, in US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Price {
    /// Dollars per million input (prompt) tokens.
    pub input_per_mtok: f64,
    /// Dollars per million output (generated) tokens.
    pub output_per_mtok: f64,
}

/// List prices of common models at the time of writing, keyed by model name prefix. The user's
/// config should be able to override and extend them: prices change, local models are free.
pub fn default_prices() -> BTreeMap<String, Price> {
    let table: &[(&str, f64, f64)] = &[
        ("claude-opus-4-6", 5.0, 25.0),
        ("claude-opus-4-5", 5.0, 25.0),
        ("claude-opus-4-1", 15.0, 75.0),
        ("claude-opus-4", 15.0, 75.0),
        ("claude-sonnet-4", 3.0, 15.0),
        ("claude-3-7-sonnet", 3.0, 15.0),
        ("claude-haiku-4-5", 1.0, 5.0),
        ("claude-3-5-haiku", 0.8, 4.0),
        ("gpt-5", 1.25, 10.0),
        ("gpt-5-mini", 0.25, 2.0),
        ("gpt-5-nano", 0.05, 0.4),
        ("gpt-4.1", 2.0, 8.0),
        ("gpt-4.1-mini", 0.4, 1.6),
        ("gpt-4.1-nano", 0.1, 0.4),
        ("gpt-4o", 2.5, 10.0),
        ("gpt-4o-mini", 0.15, 0.6),
        ("o4-mini", 1.1, 4.4),
        ("o3", 2.0, 8.0),
    ];
    table
        .iter()
        .map(|&(model, input, output)| {
            (
                model.to_string(),
                Price {
                    input_per_mtok: input,
                    output_per_mtok: output,
                },
            )
        })
        .collect()
}

/// Estimated cost in dollars of `usage` on `model`, or `None` when no price is known. The
/// longest price key that is a prefix of `model` wins, so `claude-sonnet-4-5-20250929` uses
/// `claude-sonnet-4` and `gpt-4o-mini` does not use `gpt-4o`.
pub fn estimate_cost(prices: &BTreeMap<String, Price>, model: &str, usage: &Usage) -> Option<f64> {
    let price = prices.get(model).or_else(|| {
        prices
            .iter()
            .filter(|(key, _)| model.starts_with(key.as_str()))
            .max_by_key(|(key, _)| key.len())
            .map(|(_, price)| price)
    })?;
    Some(
        usage.input_tokens as f64 * price.input_per_mtok / 1e6
            + usage.output_tokens as f64 * price.output_per_mtok / 1e6,
    )
}

/// The context window of well-known models, in tokens, by name prefix; `None` for models this
/// table does not know (local models: their window depends on how the server was started).
pub fn context_window(model: &str) -> Option<u64> {
    let table: &[(&str, u64)] = &[
        ("claude-", 200_000),
        ("gpt-5", 400_000),
        ("gpt-4.1", 1_047_576),
        ("gpt-4o", 128_000),
        ("o3", 200_000),
        ("o4-mini", 200_000),
    ];
    table
        .iter()
        .filter(|(prefix, _)| model.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|&(_, window)| window)
}

/// Rough prompt size in tokens (about four characters per token, plus a little per message),
/// cheap enough to run before every call to keep a step under the model's context window.
/// It overestimates slightly for English and French prose, which is the safe side.
pub fn estimate_tokens(req: &ChatRequest) -> u64 {
    const PER_MESSAGE: u64 = 4;
    let mut chars = req.system.chars().count() as u64;
    let mut tokens = 0;
    for tool in &req.tools {
        chars += (tool.name.len() + tool.description.len()) as u64;
        chars += tool.input_schema.to_string().len() as u64;
        tokens += PER_MESSAGE;
    }
    for message in &req.messages {
        tokens += PER_MESSAGE;
        for block in &message.content {
            chars += match block {
                ContentBlock::Text { text } => text.chars().count() as u64,
                ContentBlock::ToolUse { id, name, input } => {
                    (id.len() + name.len() + input.to_string().len()) as u64
                }
                ContentBlock::ToolResult {
                    tool_use_id,
                    content,
                    ..
                } => (tool_use_id.len() + content.chars().count()) as u64,
            };
        }
    }
    tokens + chars.div_ceil(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Message;

    #[test]
    fn cost_uses_the_longest_matching_prefix() {
        let prices = default_prices();
        let usage = Usage {
            input_tokens: 1_000_000,
            output_tokens: 1_000_000,
        };
        assert_eq!(
            estimate_cost(&prices, "claude-sonnet-4-5-20250929", &usage),
            Some(18.0)
        );
        assert_eq!(
            estimate_cost(&prices, "gpt-4o-mini-2024-07-18", &usage),
            Some(0.75)
        );
        assert_eq!(estimate_cost(&prices, "llama3.2:3b", &usage), None);
    }

    #[test]
    fn context_window_knows_the_hosted_families_only() {
        assert_eq!(context_window("claude-sonnet-4-5-20250929"), Some(200_000));
        assert_eq!(context_window("gpt-4o-mini"), Some(128_000));
        assert_eq!(context_window("llama3.2:3b"), None);
    }

    #[test]
    fn token_estimate_grows_with_the_conversation() {
        let mut req = ChatRequest {
            system: "You are careful.".into(),
            messages: vec![Message::user_text("x".repeat(4000))],
            tools: Vec::new(),
            max_tokens: 10,
            temperature: None,
        };
        let small = estimate_tokens(&req);
        assert!((1000..1100).contains(&small), "{small}");
        req.messages.push(Message::user_text("y".repeat(4000)));
        assert!(estimate_tokens(&req) > small + 900);
    }
}
