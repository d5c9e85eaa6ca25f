//! The survey's synthesis as a report (.docx) and a deck (.pptx): the same figures as the
//! workbook (means, distributions, NPS, comment themes with verbatim quotes, cross-tab
//! highlights), laid out for reading. Pure: `summarize_survey` writes the bytes.

use commis_office::{
    Bullet, ChartKind, DeckSpec, DocBlock, DocumentSpec, KeyFigure, Locale, SeriesSpec,
    SlideContent, SlideSpec,
};
use commis_skills::survey::{CrossTab, Nps, Question, QuestionSummary, Survey, answer_label};
use commis_skills::text::truncate_chars;

use crate::offline::brief::Lang;

/// Most chart slides of single questions a deck gets.
const MAX_CHART_SLIDES: usize = 8;
/// Most cross-tab highlights of each kind a report lists.
const MAX_HIGHLIGHTS: usize = 6;
/// Longest quote a slide shows (longer ones stay in the report and the workbook).
const MAX_SLIDE_QUOTE: usize = 160;

fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::Fr => Locale::Fr,
        Lang::En => Locale::En,
    }
}

/// `x` with `decimals` decimals, a decimal comma in French.
pub fn number(x: f64, decimals: usize, lang: Lang) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    };
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

fn percent(part: usize, whole: usize, lang: Lang) -> String {
    let p = if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    };
    format!("{}{}", number(p, 0, lang), lang.pick(" %", "%"))
}

fn quoted(t: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("« {t} »"),
        Lang::En => format!("“{t}”"),
    }
}

/// The NPS question, if the survey has one.
fn nps_question(survey: &Survey) -> Option<(&QuestionSummary, Nps)> {
    survey.questions.iter().find_map(|q| q.nps.map(|n| (q, n)))
}

fn nps_line(n: &Nps, lang: Lang) -> Vec<String> {
    let total = n.promoters + n.passives + n.detractors;
    vec![
        format!(
            "{} : {} ({})",
            lang.pick("Promoteurs (9–10)", "Promoters (9–10)"),
            n.promoters,
            percent(n.promoters, total, lang)
        ),
        format!(
            "{} : {} ({})",
            lang.pick("Passifs (7–8)", "Passives (7–8)"),
            n.passives,
            percent(n.passives, total, lang)
        ),
        format!(
            "{} : {} ({})",
            lang.pick("Détracteurs (0–6)", "Detractors (0–6)"),
            n.detractors,
            percent(n.detractors, total, lang)
        ),
    ]
    .into_iter()
    .map(|l| match lang {
        Lang::Fr => l,
        Lang::En => l.replace(" : ", ": "),
    })
    .collect()
}

fn colon(lang: Lang) -> &'static str {
    lang.pick(" : ", ": ")
}

/// A question's answers and counts as they are shown (yes/no in words).
fn shown_counts(q: &QuestionSummary, lang: Lang) -> Vec<(String, usize)> {
    let sl = lang;
    q.counts
        .iter()
        .map(|(a, n)| (answer_label(a, sl), *n))
        .collect()
}

fn group_names(cross: &CrossTab, lang: Lang) -> Vec<String> {
    let sl = lang;
    cross.values.iter().map(|v| answer_label(v, sl)).collect()
}

/// The synthesis report of a survey read from `file`.
pub fn report(survey: &Survey, cross: Option<&CrossTab>, file: &str, lang: Lang) -> DocumentSpec {
    let c = colon(lang);
    let mut blocks = Vec::new();
    if let Some((q, n)) = nps_question(survey) {
        blocks.push(DocBlock::Heading {
            level: 1,
            text: lang
                .pick("Recommandation (NPS)", "Recommendation (NPS)")
                .into(),
        });
        let total = n.promoters + n.passives + n.detractors;
        blocks.push(DocBlock::Paragraph {
            text: format!(
                "**NPS{c}{}** {} {} {}{c}{}.",
                number(n.score, 1, lang),
                lang.pick("sur", "over"),
                total,
                lang.pick("réponses à la question", "answers to the question"),
                quoted(&q.header, lang),
            ),
        });
        blocks.push(DocBlock::Bullets {
            items: nps_line(&n, lang),
        });
        blocks.push(DocBlock::Paragraph {
            text: lang
                .pick(
                    "Le NPS est la part de promoteurs moins la part de détracteurs, sur 100.",
                    "The NPS is the share of promoters minus the share of detractors, out of 100.",
                )
                .into(),
        });
    }
    blocks.push(DocBlock::Heading {
        level: 1,
        text: lang
            .pick("Résultats par question", "Results by question")
            .into(),
    });
    for q in &survey.questions {
        match &q.question {
            Question::Score { min, max, .. } => {
                blocks.push(DocBlock::Heading {
                    level: 2,
                    text: q.header.clone(),
                });
                blocks.push(DocBlock::Paragraph {
                    text: format!(
                        "{}{c}**{}** {} {} {} ({} {min} {} {max}).",
                        lang.pick("Moyenne", "Mean"),
                        number(q.mean.unwrap_or(0.0), 2, lang),
                        lang.pick("sur", "over"),
                        q.answered,
                        lang.pick("réponses", "answers"),
                        lang.pick("notes de", "scores from"),
                        lang.pick("à", "to"),
                    ),
                });
                blocks.push(DocBlock::Table {
                    header: vec![
                        lang.pick("Note", "Score").into(),
                        lang.pick("Réponses", "Answers").into(),
                        lang.pick("Part", "Share").into(),
                    ],
                    rows: q
                        .counts
                        .iter()
                        .map(|(k, n)| vec![k.clone(), n.to_string(), percent(*n, q.answered, lang)])
                        .collect(),
                });
            }
            Question::Choice { .. } | Question::YesNo => {
                blocks.push(DocBlock::Heading {
                    level: 2,
                    text: q.header.clone(),
                });
                blocks.push(DocBlock::Table {
                    header: vec![
                        lang.pick("Réponse", "Answer").into(),
                        lang.pick("Réponses", "Answers").into(),
                        lang.pick("Part", "Share").into(),
                    ],
                    rows: shown_counts(q, lang)
                        .into_iter()
                        .map(|(a, n)| vec![a, n.to_string(), percent(n, q.answered, lang)])
                        .collect(),
                });
            }
            Question::Comment | Question::Skipped => {}
        }
    }
    let comments: Vec<&QuestionSummary> = survey
        .questions
        .iter()
        .filter(|q| q.question == Question::Comment)
        .collect();
    if !comments.is_empty() {
        blocks.push(DocBlock::Heading {
            level: 1,
            text: lang
                .pick("Ce que disent les commentaires", "What the comments say")
                .into(),
        });
        blocks.push(DocBlock::Paragraph {
            text: lang
                .pick(
                    "Les mots qui reviennent dans le plus de commentaires, avec des commentaires cités tels qu'ils ont été écrits.",
                    "The words that come back in the most comments, with comments quoted as they were written.",
                )
                .into(),
        });
        for q in comments {
            blocks.push(DocBlock::Heading {
                level: 2,
                text: q.header.clone(),
            });
            if q.themes.is_empty() {
                blocks.push(DocBlock::Paragraph {
                    text: format!(
                        "{} {}",
                        q.answered,
                        lang.pick(
                            "réponses libres ; aucun mot ne revient dans deux d'entre elles.",
                            "free answers; no word comes back in two of them."
                        )
                    ),
                });
            }
            for t in &q.themes {
                blocks.push(DocBlock::Paragraph {
                    text: format!(
                        "**{}** — {} {}",
                        t.word,
                        t.count,
                        lang.pick("commentaires", "comments")
                    ),
                });
                blocks.push(DocBlock::Bullets {
                    items: t.quotes.iter().map(|x| quoted(x, lang)).collect(),
                });
            }
        }
    }
    if let Some(cross) = cross {
        blocks.extend(cross_blocks(cross, lang));
    }
    DocumentSpec {
        title: lang
            .pick("Synthèse de l'enquête", "Survey synthesis")
            .into(),
        subtitle: Some(format!(
            "{file} — {} {}",
            survey.respondents,
            lang.pick("répondants", "respondents")
        )),
        locale: locale(lang),
        blocks,
    }
}

/// The cross-tab part of the report: the groups, a table of means and NPS per group, and the
/// largest differences between groups.
fn cross_blocks(cross: &CrossTab, lang: Lang) -> Vec<DocBlock> {
    let c = colon(lang);
    let names = group_names(cross, lang);
    let mut blocks = vec![
        DocBlock::Heading {
            level: 1,
            text: format!(
                "{} {}",
                lang.pick("Par", "By"),
                quoted(&cross.segment, lang)
            ),
        },
        DocBlock::Paragraph {
            text: format!(
                "{}{c}{}.",
                lang.pick("Groupes", "Groups"),
                names
                    .iter()
                    .zip(&cross.sizes)
                    .map(|(g, n)| format!("{g} ({n} {})", lang.pick("répondants", "respondents")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    ];
    let scores: Vec<_> = cross
        .questions
        .iter()
        .filter(|q| matches!(q.question, Question::Score { .. }))
        .collect();
    if !scores.is_empty() {
        let mut header = vec![lang.pick("Question", "Question").to_string()];
        header.extend(names.iter().cloned());
        let mut rows = Vec::new();
        for q in &scores {
            let cell =
                |x: &Option<f64>, d: usize| x.map_or("—".to_string(), |x| number(x, d, lang));
            let mut row = vec![format!("{} ({})", q.header, lang.pick("moyenne", "mean"))];
            row.extend(q.means.iter().map(|m| cell(m, 2)));
            rows.push(row);
            if q.nps.iter().any(Option::is_some) {
                let mut row = vec![format!("{} (NPS)", q.header)];
                row.extend(q.nps.iter().map(|m| cell(m, 1)));
                rows.push(row);
            }
        }
        blocks.push(DocBlock::Table { header, rows });
    }
    let highlights = highlights(cross, lang);
    if !highlights.is_empty() {
        blocks.push(DocBlock::Heading {
            level: 2,
            text: lang
                .pick("Les plus grands écarts", "The largest differences")
                .into(),
        });
        blocks.push(DocBlock::Bullets { items: highlights });
    }
    blocks
}

/// Sentences on the questions whose groups differ most: score means far apart, and choices
/// whose most frequent answer is not the same in every group.
pub fn highlights(cross: &CrossTab, lang: Lang) -> Vec<String> {
    let names = group_names(cross, lang);
    let sl = lang;
    let mut by_gap: Vec<(f64, String)> = Vec::new();
    for q in &cross.questions {
        let means: Vec<(usize, f64)> = q
            .means
            .iter()
            .enumerate()
            .filter_map(|(g, m)| m.map(|m| (g, m)))
            .collect();
        let hi = means.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
        let lo = means.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(hi), Some(lo)) = (hi, lo)
            && hi.0 != lo.0
        {
            by_gap.push((
                hi.1 - lo.1,
                format!(
                    "{}{}{} {} {} {} {} {} {} {}",
                    quoted(&q.header, lang),
                    colon(lang),
                    lang.pick("moyenne", "mean"),
                    number(hi.1, 2, lang),
                    lang.pick("pour", "for"),
                    names[hi.0],
                    lang.pick("contre", "against"),
                    number(lo.1, 2, lang),
                    lang.pick("pour", "for"),
                    names[lo.0],
                ),
            ));
        }
    }
    by_gap.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out: Vec<String> = by_gap
        .into_iter()
        .take(MAX_HIGHLIGHTS)
        .map(|(_, s)| s)
        .collect();
    let mut choices = Vec::new();
    for q in cross.questions.iter().filter(|q| !q.counts.is_empty()) {
        // The most frequent answer of each group that answered.
        let tops: Vec<(usize, &str, usize)> = (0..names.len())
            .filter(|&g| q.answered[g] > 0)
            .filter_map(|g| {
                q.counts
                    .iter()
                    .max_by_key(|(_, per)| per[g])
                    .map(|(a, per)| (g, a.as_str(), per[g]))
            })
            .collect();
        if tops.len() >= 2 && tops.iter().any(|t| t.1 != tops[0].1) {
            let parts: Vec<String> = tops
                .iter()
                .map(|(g, a, n)| {
                    format!(
                        "{} {} {} ({})",
                        quoted(&answer_label(a, sl), lang),
                        lang.pick("pour", "for"),
                        names[*g],
                        percent(*n, q.answered[*g], lang)
                    )
                })
                .collect();
            choices.push(format!(
                "{}{}{}",
                quoted(&q.header, lang),
                colon(lang),
                parts.join(", ")
            ));
        }
    }
    out.extend(choices.into_iter().take(MAX_HIGHLIGHTS));
    out
}

fn short(t: &str, max: usize) -> String {
    truncate_chars(t.trim(), max)
}

/// The deck of a survey read from `file`: title, NPS, one chart per key question, the groups'
/// means when a segment was given, and the comments' themes with quotes.
pub fn deck(survey: &Survey, cross: Option<&CrossTab>, file: &str, lang: Lang) -> DeckSpec {
    let title = lang.pick("Synthèse de l'enquête", "Survey synthesis");
    let subtitle = format!(
        "{file} — {} {}",
        survey.respondents,
        lang.pick("répondants", "respondents")
    );
    let mut slides = vec![SlideSpec {
        content: SlideContent::Title {
            title: title.into(),
            subtitle: Some(subtitle.clone()),
        },
        notes: None,
    }];
    if let Some((q, n)) = nps_question(survey) {
        let total = n.promoters + n.passives + n.detractors;
        let figure = |value: String, label: &str, detail: Option<String>| KeyFigure {
            value,
            label: label.into(),
            detail,
        };
        slides.push(SlideSpec {
            content: SlideContent::KeyFigures {
                title: lang
                    .pick("Recommandation (NPS)", "Recommendation (NPS)")
                    .into(),
                figures: vec![
                    figure(
                        number(n.score, 1, lang),
                        "NPS",
                        Some(format!("{total} {}", lang.pick("réponses", "answers"))),
                    ),
                    figure(
                        n.promoters.to_string(),
                        lang.pick("Promoteurs (9–10)", "Promoters (9–10)"),
                        Some(percent(n.promoters, total, lang)),
                    ),
                    figure(
                        n.passives.to_string(),
                        lang.pick("Passifs (7–8)", "Passives (7–8)"),
                        Some(percent(n.passives, total, lang)),
                    ),
                    figure(
                        n.detractors.to_string(),
                        lang.pick("Détracteurs (0–6)", "Detractors (0–6)"),
                        Some(percent(n.detractors, total, lang)),
                    ),
                ],
            },
            notes: Some(q.header.clone()),
        });
    }
    // Key questions: the scores, then the choices, then the yes/no questions, in survey order.
    let rank = |q: &QuestionSummary| match q.question {
        Question::Score { .. } => 0,
        Question::Choice { .. } => 1,
        Question::YesNo => 2,
        _ => 3,
    };
    let mut key: Vec<&QuestionSummary> = survey
        .questions
        .iter()
        .filter(|q| rank(q) < 3 && q.answered > 0)
        .collect();
    key.sort_by_key(|q| (rank(q), q.column));
    for q in key.into_iter().take(MAX_CHART_SLIDES) {
        let counts = shown_counts(q, lang);
        let notes = match q.mean {
            Some(m) => format!(
                "{}\n{}{}{} ({} {})",
                q.header,
                lang.pick("Moyenne", "Mean"),
                colon(lang),
                number(m, 2, lang),
                q.answered,
                lang.pick("réponses", "answers")
            ),
            None => format!(
                "{}\n{} {}",
                q.header,
                q.answered,
                lang.pick("réponses", "answers")
            ),
        };
        let title = match q.mean {
            Some(m) => format!(
                "{} ({} {})",
                short(&q.header, 80),
                lang.pick("moyenne", "mean"),
                number(m, 2, lang)
            ),
            None => short(&q.header, 100),
        };
        slides.push(SlideSpec {
            content: SlideContent::Chart {
                title,
                chart: ChartKind::Bar,
                categories: counts.iter().map(|(a, _)| short(a, 40)).collect(),
                series: vec![SeriesSpec {
                    name: lang.pick("Réponses", "Answers").into(),
                    values: counts.iter().map(|(_, n)| *n as f64).collect(),
                    unit: None,
                }],
            },
            notes: Some(notes),
        });
    }
    if let Some(cross) = cross {
        let scores: Vec<_> = cross
            .questions
            .iter()
            .filter(|q| matches!(q.question, Question::Score { .. }))
            .collect();
        let names = group_names(cross, lang);
        if !scores.is_empty() {
            slides.push(SlideSpec {
                content: SlideContent::Chart {
                    title: format!(
                        "{} {}",
                        lang.pick("Moyennes par", "Means by"),
                        quoted(&short(&cross.segment, 70), lang)
                    ),
                    chart: ChartKind::Bar,
                    categories: scores.iter().map(|q| short(&q.header, 40)).collect(),
                    series: names
                        .iter()
                        .enumerate()
                        .map(|(g, name)| SeriesSpec {
                            name: short(name, 30),
                            values: scores.iter().map(|q| q.means[g].unwrap_or(0.0)).collect(),
                            unit: None,
                        })
                        .collect(),
                },
                notes: Some(cross.segment.clone()),
            });
        }
        let lines = highlights(cross, lang);
        if !lines.is_empty() {
            slides.push(SlideSpec {
                content: SlideContent::Bullets {
                    title: format!(
                        "{} {}",
                        lang.pick("Écarts par", "Differences by"),
                        quoted(&short(&cross.segment, 70), lang)
                    ),
                    bullets: lines
                        .into_iter()
                        .take(4)
                        .map(|l| Bullet::Text(short(&l, 200)))
                        .collect(),
                },
                notes: None,
            });
        }
    }
    let mut themes = Vec::new();
    // A comment quoted under one theme is not quoted again under the next.
    let mut quoted_once = std::collections::BTreeSet::new();
    for q in survey
        .questions
        .iter()
        .filter(|q| q.question == Question::Comment)
    {
        for t in &q.themes {
            let quotes: Vec<String> = t
                .quotes
                .iter()
                .filter(|x| x.chars().count() <= MAX_SLIDE_QUOTE)
                .filter(|x| quoted_once.insert(x.as_str()))
                .take(2)
                .map(|x| quoted(x, lang))
                .collect();
            themes.push((
                t.count,
                Bullet::Nested {
                    text: format!(
                        "**{}** — {} {} ({})",
                        t.word,
                        t.count,
                        lang.pick("commentaires", "comments"),
                        short(&q.header, 50)
                    ),
                    sub: quotes,
                },
            ));
        }
    }
    themes.sort_by_key(|t| std::cmp::Reverse(t.0));
    if !themes.is_empty() {
        slides.push(SlideSpec {
            content: SlideContent::Bullets {
                title: lang
                    .pick("Ce que disent les commentaires", "What the comments say")
                    .into(),
                bullets: themes.into_iter().take(6).map(|(_, b)| b).collect(),
            },
            notes: None,
        });
    }
    DeckSpec {
        title: title.into(),
        subtitle: Some(subtitle),
        theme: commis_office::Theme::Default,
        locale: locale(lang),
        slides,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_the_languages_decimal_mark_and_no_negative_zero() {
        assert_eq!(number(27.777, 1, Lang::Fr), "27,8");
        assert_eq!(number(-35.897, 1, Lang::En), "-35.9");
        assert_eq!(number(-0.01, 1, Lang::En), "0.0");
        assert_eq!(percent(9, 18, Lang::Fr), "50 %");
    }

    #[test]
    fn a_french_run_gets_a_french_report_and_deck_with_the_groups_differences() {
        let header: Vec<String> = ["Recommanderiez-vous l'atelier ?", "Site", "Commentaire"]
            .iter()
            .map(|h| h.to_string())
            .collect();
        let rows: Vec<Vec<String>> = [
            ["10", "Lyon", "Délais tenus, équipe sympa"],
            ["9", "Lyon", "Bon travail mais délais longs"],
            ["6", "Paris", "Trop cher"],
            ["8", "Paris", "Équipe à l'écoute, délais tenus"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        let survey = commis_skills::survey::analyse(&header, &rows);
        let cross = commis_skills::survey::cross_tab(&survey, &header, &rows, "site").unwrap();
        let doc = report(&survey, Some(&cross), "avis.csv", Lang::Fr);
        let text = serde_json::to_string(&doc).unwrap();
        assert!(text.contains("**NPS : 25,0** sur 4 réponses"), "{text}");
        assert!(text.contains("« Délais tenus, équipe sympa »"), "{text}");
        assert!(
            text.contains("moyenne 9,50 pour Lyon contre 7,00 pour Paris"),
            "{text}"
        );
        let deck = deck(&survey, Some(&cross), "avis.csv", Lang::Fr);
        let slides = serde_json::to_string(&deck.slides).unwrap();
        assert!(slides.contains("\"value\":\"25,0\""), "{slides}");
        assert!(slides.contains("\"layout\":\"chart\""), "{slides}");
        commis_office::build_docx(&doc).unwrap();
        commis_office::build_presentation(&deck).unwrap();
    }
}
