//! A small formula evaluator for the subset of Excel that deliverables use.
//!
//! rust_xlsxwriter stores a cached result of 0 unless told otherwise, and previews, openpyxl and
//! LibreOffice's default settings show that cached value. So every formula we write is computed
//! here over the spec's own cells, and a formula we cannot compute is refused rather than stored
//! with a wrong value.
//!
//! Semantics follow Excel. One known difference with LibreOffice: booleans inside ranges are
//! ignored by COUNT/SUM/AVERAGE in Excel (and here) but counted as 1/0 by LibreOffice, which has
//! no boolean cell type; the LibreOffice cross-check in tests/ avoids that case.

use crate::OfficeError;

/// Functions the evaluator computes; anything else is refused with `UnsupportedFormula`.
pub(crate) const SUPPORTED: &[&str] = &[
    "SUM",
    "SUMIF",
    "SUMIFS",
    "AVERAGE",
    "AVERAGEIF",
    "COUNT",
    "COUNTA",
    "COUNTIF",
    "COUNTIFS",
    "MIN",
    "MAX",
    "IF",
    "IFERROR",
    "AND",
    "OR",
    "NOT",
    "ROUND",
    "ABS",
    "VLOOKUP",
    "INDEX",
    "MATCH",
];

/// A computed cell value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Number(f64),
    Text(String),
    Bool(bool),
    Empty,
    Error(&'static str),
}

impl Value {
    /// The text rust_xlsxwriter stores as the cached result.
    pub(crate) fn cached_text(&self) -> String {
        match self {
            Value::Number(n) => format_number(*n),
            Value::Text(t) => t.clone(),
            Value::Bool(true) => "TRUE".into(),
            Value::Bool(false) => "FALSE".into(),
            Value::Empty => "0".into(),
            Value::Error(e) => (*e).into(),
        }
    }
}

fn format_number(n: f64) -> String {
    if n == 0.0 {
        // Avoid "-0", which some readers show literally.
        return "0".into();
    }
    format!("{n}")
}

/// A reference to one sheet's rectangle; rows and columns are 0-based, inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Area {
    pub sheet: usize,
    pub r1: u32,
    pub c1: u32,
    pub r2: u32,
    pub c2: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Num(f64),
    Str(String),
    Bool(bool),
    Ref(Area),
    Neg(Box<Expr>),
    Percent(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Rewrites a formula into the file format's en-US syntax: `;` argument separators (the French
/// Excel habit) become `,`, and function names are upper-cased; string literals and quoted
/// sheet names are left alone.
pub(crate) fn normalize_separators(formula: &str) -> String {
    let chars: Vec<char> = formula.chars().collect();
    let mut out = String::with_capacity(formula.len());
    let mut in_str = false;
    let mut in_quote = false;
    let mut word_start: Option<usize> = None;
    for &ch in &chars {
        let plain = !in_str && !in_quote;
        if plain && (ch.is_alphanumeric() || ch == '_' || ch == '.') {
            word_start.get_or_insert(out.len());
        } else {
            if plain
                && ch == '('
                && let Some(start) = word_start
            {
                let upper = out[start..].to_uppercase();
                out.truncate(start);
                out.push_str(&upper);
            }
            word_start = None;
        }
        match ch {
            '"' if !in_quote => in_str = !in_str,
            '\'' if !in_str => in_quote = !in_quote,
            ';' if plain => {
                out.push(',');
                continue;
            }
            _ => {}
        }
        out.push(ch);
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    /// Identifier, cell reference or column reference; may carry a sheet prefix.
    Word(Option<String>, String),
    LParen,
    RParen,
    Comma,
    Colon,
    Op(char),
    Cmp(&'static str),
}

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1
            }
            '+' | '-' | '*' | '/' | '^' | '&' | '%' => {
                out.push(Tok::Op(c));
                i += 1
            }
            '=' => {
                out.push(Tok::Cmp("="));
                i += 1
            }
            '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let op = match (c, next) {
                    ('<', Some('=')) => "<=",
                    ('<', Some('>')) => "<>",
                    ('>', Some('=')) => ">=",
                    ('<', _) => "<",
                    _ => ">",
                };
                i += op.len();
                out.push(Tok::Cmp(op));
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string".into()),
                        Some('"') if chars.get(i + 1) == Some(&'"') => {
                            s.push('"');
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated sheet name quote".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                if chars.get(i) != Some(&'!') {
                    return Err(format!("quoted name '{s}' must be followed by !"));
                }
                i += 1;
                let word = read_word(&chars, &mut i);
                if word.is_empty() {
                    return Err(format!("nothing after '{s}'!"));
                }
                out.push(Tok::Word(Some(s), word));
            }
            c if c.is_ascii_digit() || c == '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                    let save = i;
                    i += 1;
                    if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                        i += 1;
                    }
                    if i < chars.len() && chars[i].is_ascii_digit() {
                        while i < chars.len() && chars[i].is_ascii_digit() {
                            i += 1;
                        }
                    } else {
                        i = save;
                    }
                }
                // A digit run followed by letters or ':' is a row reference like 1:1, unsupported.
                let text: String = chars[start..i].iter().collect();
                let n = text
                    .parse::<f64>()
                    .map_err(|_| format!("bad number {text}"))?;
                out.push(Tok::Num(n));
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let word = read_word(&chars, &mut i);
                if chars.get(i) == Some(&'!') {
                    i += 1;
                    let target = read_word(&chars, &mut i);
                    if target.is_empty() {
                        return Err(format!("nothing after {word}!"));
                    }
                    out.push(Tok::Word(Some(word), target));
                } else {
                    out.push(Tok::Word(None, word));
                }
            }
            other => return Err(format!("unexpected character '{other}'")),
        }
    }
    Ok(out)
}

fn read_word(chars: &[char], i: &mut usize) -> String {
    let start = *i;
    while *i < chars.len() && (chars[*i].is_alphanumeric() || matches!(chars[*i], '_' | '$' | '.'))
    {
        *i += 1;
    }
    chars[start..*i].iter().collect()
}

/// Column letters to a 0-based index ("A" -> 0, "AA" -> 26).
pub(crate) fn col_index(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for ch in letters.chars() {
        if !ch.is_ascii_alphabetic() {
            return None;
        }
        n = n * 26 + (ch.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    if n > 16_384 { None } else { Some(n - 1) }
}

/// 0-based column index to letters.
pub fn col_letters(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (col % 26) as u8) as char);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.iter().rev().collect()
}

/// Cell part of a reference: (row, col) or column-only (None, col).
fn parse_cell(word: &str) -> Option<(Option<u32>, u32)> {
    let w = word.replace('$', "");
    let split = w.find(|c: char| c.is_ascii_digit()).unwrap_or(w.len());
    let (letters, digits) = w.split_at(split);
    let col = col_index(letters)?;
    if digits.is_empty() {
        return Some((None, col));
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 || row > 1_048_576 {
        return None;
    }
    Some((Some(row - 1), col))
}

/// Parses formulas against a fixed list of sheet names.
pub(crate) struct Parser<'a> {
    sheet_names: &'a [String],
    current_sheet: usize,
    toks: Vec<Tok>,
    pos: usize,
}

/// What went wrong while parsing, before it is tied to a cell address.
#[derive(Debug)]
pub(crate) enum ParseFail {
    Syntax(String),
    Unsupported(String),
}

/// Parses one formula (with or without the leading '=') for the given sheet.
pub(crate) fn parse(
    formula: &str,
    sheet_names: &[String],
    current_sheet: usize,
) -> Result<Expr, ParseFail> {
    let body = formula.trim().trim_start_matches('=');
    let toks = tokenize(body).map_err(ParseFail::Syntax)?;
    let mut p = Parser {
        sheet_names,
        current_sheet,
        toks,
        pos: 0,
    };
    let e = p.comparison()?;
    if p.pos != p.toks.len() {
        return Err(ParseFail::Syntax(format!(
            "unexpected {:?} after a complete expression",
            p.toks[p.pos]
        )));
    }
    Ok(e)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn comparison(&mut self) -> Result<Expr, ParseFail> {
        let mut left = self.concat()?;
        while let Some(Tok::Cmp(op)) = self.peek() {
            let op = match *op {
                "=" => Op::Eq,
                "<>" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                _ => Op::Ge,
            };
            self.pos += 1;
            let right = self.concat()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn concat(&mut self) -> Result<Expr, ParseFail> {
        let mut left = self.additive()?;
        while self.peek() == Some(&Tok::Op('&')) {
            self.pos += 1;
            let right = self.additive()?;
            left = Expr::Bin(Op::Concat, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, ParseFail> {
        let mut left = self.term()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op('+')) => Op::Add,
                Some(Tok::Op('-')) => Op::Sub,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.term()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
    }

    fn term(&mut self) -> Result<Expr, ParseFail> {
        let mut left = self.power()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op('*')) => Op::Mul,
                Some(Tok::Op('/')) => Op::Div,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.power()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
    }

    fn power(&mut self) -> Result<Expr, ParseFail> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Tok::Op('^')) {
            self.pos += 1;
            let right = self.unary()?;
            left = Expr::Bin(Op::Pow, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseFail> {
        match self.peek() {
            Some(Tok::Op('-')) => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Some(Tok::Op('+')) => {
                self.pos += 1;
                self.unary()
            }
            _ => {
                let mut e = self.primary()?;
                while self.peek() == Some(&Tok::Op('%')) {
                    self.pos += 1;
                    e = Expr::Percent(Box::new(e));
                }
                Ok(e)
            }
        }
    }

    fn sheet_index(&self, name: &Option<String>) -> Result<usize, ParseFail> {
        match name {
            None => Ok(self.current_sheet),
            Some(n) => self
                .sheet_names
                .iter()
                .position(|s| s.eq_ignore_ascii_case(n) || s.to_lowercase() == n.to_lowercase())
                .ok_or_else(|| {
                    ParseFail::Syntax(format!(
                        "no sheet named '{n}' (sheets: {})",
                        self.sheet_names.join(", ")
                    ))
                }),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseFail> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(Expr::Num(n)),
            Some(Tok::Str(s)) => Ok(Expr::Str(s)),
            Some(Tok::LParen) => {
                let e = self.comparison()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => Err(ParseFail::Syntax("missing ')'".into())),
                }
            }
            Some(Tok::Word(sheet, word)) => {
                if sheet.is_none() && self.peek() == Some(&Tok::LParen) {
                    self.pos += 1;
                    return self.call(word);
                }
                if sheet.is_none() && word.eq_ignore_ascii_case("TRUE") {
                    return Ok(Expr::Bool(true));
                }
                if sheet.is_none() && word.eq_ignore_ascii_case("FALSE") {
                    return Ok(Expr::Bool(false));
                }
                let sheet_idx = self.sheet_index(&sheet)?;
                let first = parse_cell(&word).ok_or_else(|| {
                    ParseFail::Syntax(format!(
                        "'{word}' is not a cell reference (named ranges are not supported)"
                    ))
                })?;
                if self.peek() == Some(&Tok::Colon) {
                    self.pos += 1;
                    let second = match self.next() {
                        Some(Tok::Word(None, w)) => parse_cell(&w),
                        Some(Tok::Num(n)) if n.fract() == 0.0 => None,
                        _ => None,
                    }
                    .ok_or_else(|| ParseFail::Syntax("bad range end".into()))?;
                    let (r1, r2) = match (first.0, second.0) {
                        (Some(a), Some(b)) => (a.min(b), a.max(b)),
                        (None, None) => (0, u32::MAX),
                        _ => {
                            return Err(ParseFail::Syntax(
                                "a range mixes a whole column and a cell".into(),
                            ));
                        }
                    };
                    return Ok(Expr::Ref(Area {
                        sheet: sheet_idx,
                        r1,
                        c1: first.1.min(second.1),
                        r2,
                        c2: first.1.max(second.1),
                    }));
                }
                let row = first.0.ok_or_else(|| {
                    ParseFail::Syntax(format!("'{word}' is a column; write {word}:{word}"))
                })?;
                Ok(Expr::Ref(Area {
                    sheet: sheet_idx,
                    r1: row,
                    c1: first.1,
                    r2: row,
                    c2: first.1,
                }))
            }
            other => Err(ParseFail::Syntax(format!("unexpected {other:?}"))),
        }
    }

    fn call(&mut self, name: String) -> Result<Expr, ParseFail> {
        let upper = name.to_ascii_uppercase();
        if !SUPPORTED.contains(&upper.as_str()) {
            return Err(ParseFail::Unsupported(upper));
        }
        let mut args = Vec::new();
        if self.peek() == Some(&Tok::RParen) {
            self.pos += 1;
            return Ok(Expr::Call(upper, args));
        }
        loop {
            args.push(self.comparison()?);
            match self.next() {
                Some(Tok::Comma) => continue,
                Some(Tok::RParen) => break,
                _ => return Err(ParseFail::Syntax(format!("missing ')' after {upper}("))),
            }
        }
        Ok(Expr::Call(upper, args))
    }
}

/// One sheet's content as the evaluator sees it.
pub(crate) struct GridSheet {
    pub cells: Vec<Vec<GridCell>>,
}

/// A cell: a constant, or a parsed formula with the text written to the file.
pub(crate) enum GridCell {
    Value(Value),
    Formula(Expr, String),
}

#[derive(Clone)]
enum Slot {
    Todo,
    Busy,
    Done(Value),
}

/// Evaluates every formula of a workbook, memoising results.
pub(crate) struct Evaluator<'g> {
    sheets: &'g [GridSheet],
    memo: Vec<Vec<Vec<Slot>>>,
    depth: usize,
}

/// Longest chain of formulas referring to formulas further on that is evaluated; beyond it the
/// workbook is refused with an error naming the cell.
pub(crate) const MAX_DEPTH: usize = 20_000;

/// Stack of the evaluation thread: generous for MAX_DEPTH nested evaluations.
pub(crate) const STACK_BYTES: usize = 256 << 20;

impl<'g> Evaluator<'g> {
    pub(crate) fn new(sheets: &'g [GridSheet]) -> Self {
        let memo = sheets
            .iter()
            .map(|s| s.cells.iter().map(|r| vec![Slot::Todo; r.len()]).collect())
            .collect();
        Evaluator {
            sheets,
            memo,
            depth: 0,
        }
    }

    fn rows(&self, sheet: usize) -> u32 {
        self.sheets.get(sheet).map_or(0, |s| s.cells.len() as u32)
    }

    /// The value of one cell, computing it if it holds a formula.
    pub(crate) fn cell(&mut self, sheet: usize, row: u32, col: u32) -> Value {
        let (r, c) = (row as usize, col as usize);
        let Some(cell) = self
            .sheets
            .get(sheet)
            .and_then(|s| s.cells.get(r))
            .and_then(|row| row.get(c))
        else {
            return Value::Empty;
        };
        match cell {
            GridCell::Value(v) => v.clone(),
            GridCell::Formula(expr, _) => {
                match &self.memo[sheet][r][c] {
                    Slot::Done(v) => return v.clone(),
                    // A cycle: Excel reports a circular reference; we refuse the workbook.
                    Slot::Busy => return Value::Error("circular reference"),
                    Slot::Todo => {}
                }
                if self.depth > MAX_DEPTH {
                    return Value::Error("dependency chain too deep");
                }
                self.memo[sheet][r][c] = Slot::Busy;
                self.depth += 1;
                let v = self.eval(expr);
                self.depth -= 1;
                let v = match v {
                    Value::Empty => Value::Number(0.0),
                    other => other,
                };
                self.memo[sheet][r][c] = Slot::Done(v.clone());
                v
            }
        }
    }

    /// Like `cell`, but borrows constants from the grid instead of cloning them.
    fn cell_ref(&mut self, sheet: usize, row: u32, col: u32) -> std::borrow::Cow<'g, Value> {
        let sheets: &'g [GridSheet] = self.sheets;
        match sheets
            .get(sheet)
            .and_then(|s| s.cells.get(row as usize))
            .and_then(|r| r.get(col as usize))
        {
            Some(GridCell::Value(v)) => std::borrow::Cow::Borrowed(v),
            Some(GridCell::Formula(..)) => std::borrow::Cow::Owned(self.cell(sheet, row, col)),
            None => std::borrow::Cow::Owned(Value::Empty),
        }
    }

    fn area_cells(&mut self, a: Area) -> Vec<Value> {
        let r2 = a.r2.min(self.rows(a.sheet).saturating_sub(1));
        let mut out = Vec::new();
        if self.rows(a.sheet) == 0 {
            return out;
        }
        for r in a.r1..=r2 {
            for c in a.c1..=a.c2 {
                out.push(self.cell(a.sheet, r, c));
            }
        }
        out
    }

    fn scalar(&mut self, e: &Expr) -> Value {
        match e {
            Expr::Ref(a) if a.r1 == a.r2 && a.c1 == a.c2 => self.cell(a.sheet, a.r1, a.c1),
            Expr::Ref(_) => Value::Error("#VALUE!"),
            other => self.eval(other),
        }
    }

    pub(crate) fn eval(&mut self, e: &Expr) -> Value {
        match e {
            Expr::Num(n) => Value::Number(*n),
            Expr::Str(s) => Value::Text(s.clone()),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Ref(_) => self.scalar(e),
            Expr::Neg(inner) => match to_number(&self.scalar(inner)) {
                Ok(n) => Value::Number(-n),
                Err(err) => Value::Error(err),
            },
            Expr::Percent(inner) => match to_number(&self.scalar(inner)) {
                Ok(n) => Value::Number(n / 100.0),
                Err(err) => Value::Error(err),
            },
            Expr::Bin(op, l, r) => {
                let a = self.scalar(l);
                let b = self.scalar(r);
                binary(*op, a, b)
            }
            Expr::Call(name, args) => self.call(name, args),
        }
    }

    /// Values of all arguments, ranges flattened; `from_range` tells which came from a range.
    fn flat(&mut self, args: &[Expr]) -> Vec<(Value, bool)> {
        let mut out = Vec::new();
        for a in args {
            match a {
                Expr::Ref(area) => {
                    out.extend(self.area_cells(*area).into_iter().map(|v| (v, true)))
                }
                other => out.push((self.eval(other), false)),
            }
        }
        out
    }

    /// Numbers for SUM/AVERAGE/MIN/MAX: ranges contribute only numbers, direct args coerce.
    fn numbers(&mut self, args: &[Expr]) -> Result<Vec<f64>, &'static str> {
        let mut out = Vec::new();
        for (v, from_range) in self.flat(args) {
            match (v, from_range) {
                (Value::Error(e), _) => return Err(e),
                (Value::Number(n), _) => out.push(n),
                (_, true) => {}
                (other, false) => out.push(to_number(&other)?),
            }
        }
        Ok(out)
    }

    fn area_of(&self, e: &Expr) -> Option<Area> {
        match e {
            Expr::Ref(a) => Some(*a),
            _ => None,
        }
    }

    /// Cells of `area` paired with (row, col) offsets, clipped to the sheet.
    fn clipped(&self, a: Area) -> Area {
        let last = self.rows(a.sheet).saturating_sub(1);
        Area {
            r2: a.r2.min(last),
            ..a
        }
    }

    /// Offsets (row, col) within the ranges where every (range, criterion) pair matches, plus
    /// the number of matching cells past the last row holding data (all empty there), which
    /// only COUNTIF(S) needs.
    fn matching(&mut self, pairs: &[(Area, Criterion)]) -> (Vec<(u32, u32)>, u64) {
        let Some((first, _)) = pairs.first() else {
            return (Vec::new(), 0);
        };
        let height = u64::from(first.r2.min(1_048_575).saturating_sub(first.r1)) + 1;
        let width = first.c2 - first.c1 + 1;
        // Beyond the longest sheet involved every cell is empty: no need to visit them.
        let data_rows = pairs
            .iter()
            .map(|(a, _)| u64::from(self.rows(a.sheet)).saturating_sub(u64::from(a.r1)))
            .max()
            .unwrap_or(0)
            .min(height);
        let mut hits = Vec::new();
        for dr in 0..data_rows as u32 {
            for dc in 0..width {
                let mut all = true;
                for (area, crit) in pairs {
                    let v = self.cell_ref(area.sheet, area.r1 + dr, area.c1 + dc);
                    if !crit.matches(&v) {
                        all = false;
                        break;
                    }
                }
                if all {
                    hits.push((dr, dc));
                }
            }
        }
        let empty_matches = pairs.iter().all(|(_, c)| c.matches(&Value::Empty));
        let extra = if empty_matches {
            (height - data_rows) * u64::from(width)
        } else {
            0
        };
        (hits, extra)
    }

    fn criterion(&mut self, e: &Expr) -> Result<Criterion, &'static str> {
        match self.scalar(e) {
            Value::Error(err) => Err(err),
            v => Ok(Criterion::from_value(v)),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> Value {
        match self.call_inner(name, args) {
            Ok(v) => v,
            Err(e) => Value::Error(e),
        }
    }

    fn call_inner(&mut self, name: &str, args: &[Expr]) -> Result<Value, &'static str> {
        let argc = |min: usize, max: usize| {
            if args.len() < min || args.len() > max {
                Err("#N/A (wrong number of arguments)")
            } else {
                Ok(())
            }
        };
        match name {
            "SUM" => Ok(Value::Number(self.numbers(args)?.iter().sum())),
            "AVERAGE" => {
                let n = self.numbers(args)?;
                if n.is_empty() {
                    return Err("#DIV/0!");
                }
                Ok(Value::Number(n.iter().sum::<f64>() / n.len() as f64))
            }
            "MIN" | "MAX" => {
                let n = self.numbers(args)?;
                if n.is_empty() {
                    return Ok(Value::Number(0.0));
                }
                let v = if name == "MIN" {
                    n.iter().copied().fold(f64::INFINITY, f64::min)
                } else {
                    n.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                };
                Ok(Value::Number(v))
            }
            "COUNT" => {
                let n = self
                    .flat(args)
                    .into_iter()
                    .filter(|(v, from_range)| match v {
                        Value::Number(_) => true,
                        Value::Text(t) if !from_range => parse_number(t).is_some(),
                        Value::Bool(_) => !from_range,
                        _ => false,
                    })
                    .count();
                Ok(Value::Number(n as f64))
            }
            "COUNTA" => {
                let n = self
                    .flat(args)
                    .into_iter()
                    .filter(|(v, _)| !matches!(v, Value::Empty))
                    .count();
                Ok(Value::Number(n as f64))
            }
            "SUMIF" | "AVERAGEIF" | "COUNTIF" => {
                if name == "COUNTIF" {
                    argc(2, 2)?;
                } else {
                    argc(2, 3)?;
                }
                let range = self.area_of(&args[0]).ok_or("#VALUE!")?;
                let crit = self.criterion(&args[1])?;
                let (hits, extra) = self.matching(&[(range, crit)]);
                if name == "COUNTIF" {
                    return Ok(Value::Number(hits.len() as f64 + extra as f64));
                }
                let target = match args.get(2) {
                    Some(e) => self.area_of(e).ok_or("#VALUE!")?,
                    None => range,
                };
                let mut sum = 0.0;
                let mut count = 0usize;
                for (dr, dc) in hits {
                    if let Value::Number(n) =
                        self.cell(target.sheet, target.r1 + dr, target.c1 + dc)
                    {
                        sum += n;
                        count += 1;
                    }
                }
                if name == "AVERAGEIF" {
                    if count == 0 {
                        return Err("#DIV/0!");
                    }
                    return Ok(Value::Number(sum / count as f64));
                }
                Ok(Value::Number(sum))
            }
            "SUMIFS" | "COUNTIFS" => {
                let (target, rest) = if name == "SUMIFS" {
                    if args.len() < 3 || args.len().is_multiple_of(2) {
                        return Err("#N/A (wrong number of arguments)");
                    }
                    (Some(self.area_of(&args[0]).ok_or("#VALUE!")?), &args[1..])
                } else {
                    if args.len() < 2 || args.len() % 2 == 1 {
                        return Err("#N/A (wrong number of arguments)");
                    }
                    (None, args)
                };
                let mut pairs = Vec::new();
                for pair in rest.chunks(2) {
                    let area = self.area_of(&pair[0]).ok_or("#VALUE!")?;
                    pairs.push((area, self.criterion(&pair[1])?));
                }
                let first = pairs[0].0;
                for (a, _) in &pairs {
                    if a.c2 - a.c1 != first.c2 - first.c1 || a.r2 - a.r1 != first.r2 - first.r1 {
                        return Err("#VALUE! (criteria ranges differ in size)");
                    }
                }
                let (hits, extra) = self.matching(&pairs);
                let Some(target) = target else {
                    return Ok(Value::Number(hits.len() as f64 + extra as f64));
                };
                let mut sum = 0.0;
                for (dr, dc) in hits {
                    if let Value::Number(n) =
                        self.cell(target.sheet, target.r1 + dr, target.c1 + dc)
                    {
                        sum += n;
                    }
                }
                Ok(Value::Number(sum))
            }
            "IF" => {
                argc(2, 3)?;
                let cond = truthy(&self.scalar(&args[0]))?;
                if cond {
                    Ok(self.scalar(&args[1]))
                } else {
                    match args.get(2) {
                        Some(e) => Ok(self.scalar(e)),
                        None => Ok(Value::Bool(false)),
                    }
                }
            }
            "IFERROR" => {
                argc(2, 2)?;
                match self.scalar(&args[0]) {
                    Value::Error(_) => Ok(self.scalar(&args[1])),
                    v => Ok(v),
                }
            }
            "AND" | "OR" => {
                let mut acc = name == "AND";
                let mut seen = false;
                for (v, from_range) in self.flat(args) {
                    if from_range && matches!(v, Value::Empty | Value::Text(_)) {
                        continue;
                    }
                    let b = truthy(&v)?;
                    seen = true;
                    if name == "AND" {
                        acc &= b;
                    } else {
                        acc |= b;
                    }
                }
                if !seen {
                    return Err("#VALUE!");
                }
                Ok(Value::Bool(acc))
            }
            "NOT" => {
                argc(1, 1)?;
                Ok(Value::Bool(!truthy(&self.scalar(&args[0]))?))
            }
            "ABS" => {
                argc(1, 1)?;
                Ok(Value::Number(to_number(&self.scalar(&args[0]))?.abs()))
            }
            "ROUND" => {
                argc(2, 2)?;
                let x = to_number(&self.scalar(&args[0]))?;
                let d = to_number(&self.scalar(&args[1]))?.trunc();
                Ok(Value::Number(round_half_away(x, d as i32)))
            }
            "VLOOKUP" => {
                argc(3, 4)?;
                let key = self.scalar(&args[0]);
                if let Value::Error(e) = key {
                    return Err(e);
                }
                let table = self.clipped(self.area_of(&args[1]).ok_or("#VALUE!")?);
                let col = to_number(&self.scalar(&args[2]))?.trunc() as i64;
                if col < 1 || col as u32 > table.c2 - table.c1 + 1 {
                    return Err("#REF!");
                }
                let approximate = match args.get(3) {
                    Some(e) => truthy(&self.scalar(e))?,
                    None => true,
                };
                let keys: Vec<Value> = (table.r1..=table.r2)
                    .map(|r| self.cell(table.sheet, r, table.c1))
                    .collect();
                let idx = lookup(&key, &keys, if approximate { 1 } else { 0 })?;
                Ok(self.cell(
                    table.sheet,
                    table.r1 + idx as u32,
                    table.c1 + col as u32 - 1,
                ))
            }
            "MATCH" => {
                argc(2, 3)?;
                let key = self.scalar(&args[0]);
                if let Value::Error(e) = key {
                    return Err(e);
                }
                let area = self.clipped(self.area_of(&args[1]).ok_or("#N/A")?);
                let kind = match args.get(2) {
                    Some(e) => {
                        // f64::signum(0.0) is 1.0, but MATCH type 0 means exact match.
                        let t = to_number(&self.scalar(e))?;
                        if t == 0.0 { 0 } else { t.signum() as i32 }
                    }
                    None => 1,
                };
                let values = self.area_cells(area);
                let idx = lookup(&key, &values, kind)?;
                Ok(Value::Number((idx + 1) as f64))
            }
            "INDEX" => {
                argc(2, 3)?;
                // Not clipped: INDEX may point past the data, at empty cells.
                let area = self.area_of(&args[0]).ok_or("#VALUE!")?;
                let a = to_number(&self.scalar(&args[1]))?.trunc() as i64;
                let b = match args.get(2) {
                    Some(e) => Some(to_number(&self.scalar(e))?.trunc() as i64),
                    None => None,
                };
                let (height, width) = (
                    i64::from(area.r2.min(1_048_575)) - i64::from(area.r1) + 1,
                    i64::from(area.c2) - i64::from(area.c1) + 1,
                );
                // A single row or column accepts one index along its length.
                let (r, c) = match b {
                    Some(c) => (a, c),
                    None if width == 1 => (a, 1),
                    None if height == 1 => (1, a),
                    None => return Err("#REF!"),
                };
                if r < 1 || c < 1 || r > height || c > width {
                    return Err("#REF!");
                }
                Ok(self.cell(area.sheet, area.r1 + r as u32 - 1, area.c1 + c as u32 - 1))
            }
            _ => Err("#NAME?"),
        }
    }
}

/// Index of `key` in `values`: kind 0 exact, 1 largest <= key (sorted ascending),
/// -1 smallest >= key (sorted descending).
fn lookup(key: &Value, values: &[Value], kind: i32) -> Result<usize, &'static str> {
    if kind == 0 {
        return values
            .iter()
            .position(|v| compare(v, key) == Some(std::cmp::Ordering::Equal))
            .ok_or("#N/A");
    }
    let mut best = None;
    for (i, v) in values.iter().enumerate() {
        if matches!(v, Value::Empty) {
            continue;
        }
        match compare(v, key) {
            Some(std::cmp::Ordering::Equal) => return Ok(i),
            Some(std::cmp::Ordering::Less) if kind == 1 => best = Some(i),
            Some(std::cmp::Ordering::Greater) if kind == -1 => best = Some(i),
            Some(_) => break,
            None => {}
        }
    }
    best.ok_or("#N/A")
}

/// Orders two values the way Excel compares same-typed values; None across types.
fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Text(x), Value::Text(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Rounds half away from zero on the decimal representation, as spreadsheets do
/// (2.675 rounds to 2.68 even though its binary value is slightly below).
pub(crate) fn round_half_away(x: f64, digits: i32) -> f64 {
    let factor = 10f64.powi(digits);
    let scaled = x * factor;
    // Re-reading the product at 15 significant digits removes binary noise like 267.49999999999997.
    let cleaned: f64 = format!("{scaled:.14e}").parse().unwrap_or(scaled);
    cleaned.round() / factor
}

fn truthy(v: &Value) -> Result<bool, &'static str> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => Ok(*n != 0.0),
        Value::Empty => Ok(false),
        Value::Text(t) if t.eq_ignore_ascii_case("TRUE") => Ok(true),
        Value::Text(t) if t.eq_ignore_ascii_case("FALSE") => Ok(false),
        Value::Text(_) => Err("#VALUE!"),
        Value::Error(e) => Err(e),
    }
}

fn parse_number(t: &str) -> Option<f64> {
    let t = t.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok()
}

fn to_number(v: &Value) -> Result<f64, &'static str> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Value::Empty => Ok(0.0),
        Value::Text(t) => parse_number(t).ok_or("#VALUE!"),
        Value::Error(e) => Err(e),
    }
}

fn to_text(v: &Value) -> Result<String, &'static str> {
    match v {
        Value::Number(n) => Ok(format_number(*n)),
        Value::Text(t) => Ok(t.clone()),
        Value::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.into()),
        Value::Empty => Ok(String::new()),
        Value::Error(e) => Err(e),
    }
}

fn binary(op: Op, a: Value, b: Value) -> Value {
    if let Value::Error(e) = a {
        return Value::Error(e);
    }
    if let Value::Error(e) = b {
        return Value::Error(e);
    }
    let arith = |f: fn(f64, f64) -> f64| match (to_number(&a), to_number(&b)) {
        (Ok(x), Ok(y)) => {
            let r = f(x, y);
            if r.is_finite() {
                Value::Number(r)
            } else {
                Value::Error("#NUM!")
            }
        }
        (Err(e), _) | (_, Err(e)) => Value::Error(e),
    };
    match op {
        Op::Add => arith(|x, y| x + y),
        Op::Sub => arith(|x, y| x - y),
        Op::Mul => arith(|x, y| x * y),
        Op::Pow => arith(f64::powf),
        Op::Div => match (to_number(&a), to_number(&b)) {
            (Ok(_), Ok(0.0)) => Value::Error("#DIV/0!"),
            (Ok(x), Ok(y)) => Value::Number(x / y),
            (Err(e), _) | (_, Err(e)) => Value::Error(e),
        },
        Op::Concat => match (to_text(&a), to_text(&b)) {
            (Ok(x), Ok(y)) => Value::Text(x + &y),
            (Err(e), _) | (_, Err(e)) => Value::Error(e),
        },
        _ => {
            let ord = compare_for_operator(&a, &b);
            use std::cmp::Ordering::*;
            let r = match op {
                Op::Eq => ord == Equal,
                Op::Ne => ord != Equal,
                Op::Lt => ord == Less,
                Op::Le => ord != Greater,
                Op::Gt => ord == Greater,
                _ => ord != Less,
            };
            Value::Bool(r)
        }
    }
}

/// Comparison operators order numbers < text < booleans, with empty taking the other side's type.
fn compare_for_operator(a: &Value, b: &Value) -> std::cmp::Ordering {
    let rank = |v: &Value| match v {
        Value::Number(_) | Value::Empty => 0,
        Value::Text(_) => 1,
        _ => 2,
    };
    let norm = |v: &Value, other: &Value| match (v, other) {
        (Value::Empty, Value::Text(_)) => Value::Text(String::new()),
        (Value::Empty, Value::Bool(_)) => Value::Bool(false),
        (Value::Empty, _) => Value::Number(0.0),
        (v, _) => v.clone(),
    };
    let (a, b) = (norm(a, b), norm(b, a));
    match compare(&a, &b) {
        Some(o) => o,
        None => rank(&a).cmp(&rank(&b)),
    }
}

/// A SUMIF/COUNTIF criterion such as `">=100"`, `"Dupont"`, `"<>payée"`, `"F2024*"` or `42`.
#[derive(Debug, Clone)]
pub(crate) struct Criterion {
    op: Op,
    number: Option<f64>,
    text: String,
    wildcard: bool,
}

impl Criterion {
    fn from_value(v: Value) -> Criterion {
        match v {
            Value::Number(n) => Criterion {
                op: Op::Eq,
                number: Some(n),
                text: format_number(n),
                wildcard: false,
            },
            Value::Bool(b) => Criterion {
                op: Op::Eq,
                number: None,
                text: if b { "TRUE" } else { "FALSE" }.into(),
                wildcard: false,
            },
            Value::Empty => Criterion {
                op: Op::Eq,
                number: None,
                text: String::new(),
                wildcard: false,
            },
            Value::Text(t) => Criterion::from_text(&t),
            Value::Error(_) => Criterion::from_text(""),
        }
    }

    fn from_text(t: &str) -> Criterion {
        let (op, rest) = if let Some(r) = t.strip_prefix(">=") {
            (Op::Ge, r)
        } else if let Some(r) = t.strip_prefix("<=") {
            (Op::Le, r)
        } else if let Some(r) = t.strip_prefix("<>") {
            (Op::Ne, r)
        } else if let Some(r) = t.strip_prefix('>') {
            (Op::Gt, r)
        } else if let Some(r) = t.strip_prefix('<') {
            (Op::Lt, r)
        } else if let Some(r) = t.strip_prefix('=') {
            (Op::Eq, r)
        } else {
            (Op::Eq, t)
        };
        Criterion {
            op,
            number: parse_number(rest),
            text: rest.to_string(),
            wildcard: rest.contains(['*', '?']),
        }
    }

    fn matches(&self, v: &Value) -> bool {
        use std::cmp::Ordering::*;
        if let Some(n) = self.number {
            let ord = match v {
                Value::Number(x) => x.partial_cmp(&n),
                Value::Text(t) if matches!(self.op, Op::Eq) => {
                    parse_number(t).and_then(|x| x.partial_cmp(&n))
                }
                _ => None,
            };
            return match (self.op, ord) {
                (Op::Ne, None) => true,
                (_, None) => false,
                (Op::Eq, Some(o)) => o == Equal,
                (Op::Ne, Some(o)) => o != Equal,
                (Op::Lt, Some(o)) => o == Less,
                (Op::Le, Some(o)) => o != Greater,
                (Op::Gt, Some(o)) => o == Greater,
                (_, Some(o)) => o != Less,
            };
        }
        let raw: Option<&str> = match v {
            Value::Text(t) => Some(t),
            Value::Empty => Some(""),
            Value::Bool(true) => Some("true"),
            Value::Bool(false) => Some("false"),
            _ => None,
        };
        // Plain equality is the common case (SUMIF by client): compare without allocating.
        if !self.wildcard && matches!(self.op, Op::Eq | Op::Ne) {
            let equal = raw.is_some_and(|t| eq_ignore_case(t, &self.text));
            return equal == matches!(self.op, Op::Eq);
        }
        let cell_text = raw.map(str::to_lowercase);
        let want = self.text.to_lowercase();
        match self.op {
            Op::Eq => cell_text.is_some_and(|c| wildcard_eq(&want, &c)),
            Op::Ne => !cell_text.is_some_and(|c| wildcard_eq(&want, &c)),
            _ => {
                let Some(c) = cell_text else { return false };
                if matches!(v, Value::Empty) {
                    return false;
                }
                let o = c.cmp(&want);
                match self.op {
                    Op::Lt => o == Less,
                    Op::Le => o != Greater,
                    Op::Gt => o == Greater,
                    _ => o != Less,
                }
            }
        }
    }
}

/// Case-insensitive equality, as spreadsheets compare text.
fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Equality with `*` and `?` wildcards (both already lowercased).
fn wildcard_eq(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Turns a parse failure into the crate error for `cell`.
pub(crate) fn parse_error(cell: &str, formula: &str, fail: ParseFail) -> OfficeError {
    match fail {
        ParseFail::Syntax(reason) => OfficeError::FormulaSyntax {
            cell: cell.to_string(),
            formula: formula.to_string(),
            reason,
        },
        ParseFail::Unsupported(function) => OfficeError::UnsupportedFormula {
            cell: cell.to_string(),
            function,
            supported: SUPPORTED.join(", "),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: Vec<Vec<GridCell>>) -> Vec<GridSheet> {
        vec![GridSheet { cells: rows }]
    }

    fn n(x: f64) -> GridCell {
        GridCell::Value(Value::Number(x))
    }

    fn t(s: &str) -> GridCell {
        GridCell::Value(Value::Text(s.into()))
    }

    fn eval_on(grid: &[GridSheet], f: &str) -> Value {
        let names = vec!["Data".to_string()];
        let e = parse(f, &names, 0).unwrap();
        Evaluator::new(grid).eval(&e)
    }

    #[test]
    fn sumif_with_operator_criteria_and_wildcards() {
        let g = sheet(vec![
            vec![t("Client"), t("Montant")],
            vec![t("Dupont"), n(100.0)],
            vec![t("Martin"), n(250.0)],
            vec![t("dupont"), n(50.0)],
        ]);
        assert_eq!(
            eval_on(&g, "=SUMIF(A:A,\"Dupont\",B:B)"),
            Value::Number(150.0)
        );
        assert_eq!(eval_on(&g, "=SUMIF(B2:B4,\">=100\")"), Value::Number(350.0));
        assert_eq!(eval_on(&g, "=COUNTIF(A2:A4,\"d*\")"), Value::Number(2.0));
        assert_eq!(
            eval_on(&g, "=SUMIFS(B:B,A:A,\"<>Martin\",B:B,\"<100\")"),
            Value::Number(50.0)
        );
    }

    #[test]
    fn ranges_past_the_data_count_as_empty_cells() {
        let g = sheet(vec![vec![t("a")], vec![t("b")]]);
        assert_eq!(eval_on(&g, "=COUNTIF(A1:A10,\"\")"), Value::Number(8.0));
        assert_eq!(eval_on(&g, "=COUNTIF(A50:A60,\"a\")"), Value::Number(0.0));
        assert_eq!(
            eval_on(&g, "=SUMIFS(A50:A60,A50:A60,\"\")"),
            Value::Number(0.0)
        );
        assert_eq!(eval_on(&g, "=INDEX(A50:A60,3)"), Value::Empty);
        assert_eq!(eval_on(&g, "=INDEX(A:A,2)"), Value::Text("b".into()));
    }

    #[test]
    fn lookups_and_conditionals() {
        let g = sheet(vec![
            vec![t("A"), n(1.0)],
            vec![t("B"), n(2.0)],
            vec![t("C"), n(3.0)],
        ]);
        assert_eq!(
            eval_on(&g, "=VLOOKUP(\"b\",A1:B3,2,FALSE)"),
            Value::Number(2.0)
        );
        assert_eq!(
            eval_on(&g, "=INDEX(B1:B3,MATCH(\"C\",A1:A3,0))"),
            Value::Number(3.0)
        );
        assert_eq!(
            eval_on(&g, "=IF(B1>0;\"pos\";\"neg\")".replace(';', ",").as_str()),
            Value::Text("pos".into())
        );
        assert_eq!(eval_on(&g, "=IFERROR(1/0,7)"), Value::Number(7.0));
        assert_eq!(
            eval_on(&g, "=VLOOKUP(\"Z\",A1:B3,2,FALSE)"),
            Value::Error("#N/A")
        );
    }

    #[test]
    fn arithmetic_precedence_and_percent() {
        let g = sheet(vec![vec![n(2.0), n(3.0)]]);
        assert_eq!(
            eval_on(&g, "=A1+B1*2^2-10%"),
            Value::Number(2.0 + 12.0 - 0.1)
        );
        assert_eq!(eval_on(&g, "=-A1&\"x\""), Value::Text("-2x".into()));
        assert_eq!(eval_on(&g, "=ROUND(2.675,2)"), Value::Number(2.68));
    }

    #[test]
    fn formulas_referencing_formulas_and_cycles() {
        let names = vec!["Data".to_string()];
        let g = sheet(vec![vec![
            n(10.0),
            GridCell::Formula(parse("=A1*2", &names, 0).unwrap(), String::new()),
            GridCell::Formula(parse("=B1+C1", &names, 0).unwrap(), String::new()),
        ]]);
        let mut ev = Evaluator::new(&g);
        assert_eq!(ev.cell(0, 0, 1), Value::Number(20.0));
        assert!(matches!(ev.cell(0, 0, 2), Value::Error(_)));
    }

    #[test]
    fn unsupported_function_is_named() {
        let names = vec!["Data".to_string()];
        match parse("=XLOOKUP(1,A:A,B:B)", &names, 0) {
            Err(ParseFail::Unsupported(f)) => assert_eq!(f, "XLOOKUP"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse("='Nope'!A1", &names, 0),
            Err(ParseFail::Syntax(_))
        ));
    }

    #[test]
    fn french_separators_become_commas_outside_strings() {
        assert_eq!(
            normalize_separators("=SI(A1;\"a;b\";'x;y'!A1)"),
            "=SI(A1,\"a;b\",'x;y'!A1)"
        );
        assert_eq!(
            normalize_separators("=sum(a1:a2)&\"sum(\""),
            "=SUM(a1:a2)&\"sum(\""
        );
    }

    #[test]
    fn column_letters_round_trip() {
        for c in [0, 25, 26, 701, 702, 16383] {
            assert_eq!(col_index(&col_letters(c)), Some(c));
        }
    }
}
